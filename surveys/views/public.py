"""The residents' pages: campaigns with their questions, calling number and information notice."""

from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from surveys import selectors
from surveys.reports.publication import public_summary


def campaign_list(request):
    campaigns = selectors.public_campaigns()
    return render(
        request,
        "surveys/public/campaign_list.html",
        {"groups": selectors.public_campaigns_grouped(campaigns, language=get_language())},
    )


def campaign_detail(request, slug: str):
    campaign = get_object_or_404(selectors.public_campaigns(), slug=slug)
    summary = public_summary(campaign, language=get_language())
    return render(
        request,
        "surveys/public/campaign_detail.html",
        {
            "campaign": selectors.public_campaign_view(campaign, language=get_language()),
            "summary": summary,
            "minimum": summary.minimum if summary else None,
        },
    )
