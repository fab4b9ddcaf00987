"""Pre-announcements and publishing the residents' page: the communications team's pages."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kuntaportaali.decorators import staff_permission_required
from surveys import selectors
from surveys.errors import SurveyError
from surveys.forms import AnnouncementForm, PublishForm
from surveys.models import Announcement, Campaign
from surveys.services import announcements as announcement_services
from surveys.services.campaigns import campaign_publish_questions
from surveys.tables import AnnouncedCampaignTable, AnnouncementTable, announcement_rows

publish_announcements = staff_permission_required("surveys.publish_announcements")


@publish_announcements
def campaign_list(request):
    table = AnnouncedCampaignTable(selectors.campaigns_for_staff(), caption=_("Campaigns to announce"))
    return render(request, "surveys/announcements/campaign_list.html", {"table": table})


@publish_announcements
def campaign_announcements(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    announcement_services.announcements_ensure(campaign=campaign)
    out_of_date = announcement_services.announcements_out_of_date(campaign=campaign)
    plan = announcement_services.announcement_plan(campaign=campaign)
    deadline = announcement_services.announcement_deadline(campaign)
    out_of_date_ids = {announcement.pk for announcement in out_of_date}
    rows = announcement_rows(plan, deadline=deadline, out_of_date_ids=out_of_date_ids)
    announcements = AnnouncementTable(
        rows,
        caption=_("Pre-announcements by channel and language"),
        caption_attrs={"id": "announcements-caption"},
    )
    return render(
        request,
        "surveys/announcements/campaign_announcements.html",
        {"campaign": campaign, "plan": plan, "deadline": deadline, "announcements": announcements},
    )


@publish_announcements
def announcement_edit(request, pk: int):
    announcement = get_object_or_404(Announcement.objects.select_related("campaign"), pk=pk)
    text_form = AnnouncementForm(request.POST if "save" in request.POST else None, instance=announcement)
    publish_form = PublishForm(
        request.POST if "publish" in request.POST else None,
        initial={"published_on": announcement.published_on or timezone.localdate()},
    )
    if "save" in request.POST and text_form.is_valid():
        try:
            announcement_services.announcement_update(announcement=announcement, text=text_form.cleaned_data["text"])
        except SurveyError as error:
            text_form.add_error("text", str(error))
        else:
            messages.success(request, _("The text was saved."))
            return redirect("surveys:announcement", pk=pk)
    if "publish" in request.POST and publish_form.is_valid():
        announcement_services.announcement_publish(
            announcement=announcement, published_on=publish_form.cleaned_data["published_on"], by=request.user
        )
        messages.success(request, _("The publication was recorded in your name."))
        return redirect("surveys:campaign-announcements", slug=announcement.campaign.slug)
    return render(
        request,
        "surveys/announcements/announcement_form.html",
        {
            "announcement": announcement,
            "text_form": text_form,
            "publish_form": publish_form,
            "out_of_date": announcement_services.announcement_is_out_of_date(announcement),
        },
    )


@require_POST
@publish_announcements
def announcement_replace(request, pk: int):
    announcement = get_object_or_404(Announcement.objects.select_related("campaign"), pk=pk)
    announcement_services.announcement_replace_with_current(announcement=announcement)
    if announcement.published_on:
        messages.success(
            request,
            _("The text now states the campaign's current facts. Publish the corrected text in the channel as well."),
        )
    else:
        messages.success(request, _("The text now states the campaign's current facts."))
    return redirect("surveys:announcement", pk=pk)


@require_POST
@publish_announcements
def announcement_keep(request, pk: int):
    announcement = get_object_or_404(Announcement.objects.select_related("campaign"), pk=pk)
    announcement_services.announcement_keep_text(announcement=announcement)
    messages.success(request, _("The text is kept as it is: it was checked against the campaign's current facts."))
    return redirect("surveys:announcement", pk=pk)


@require_POST
@publish_announcements
def campaign_publish(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    try:
        campaign_publish_questions(campaign=campaign, by=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The questions are public on the residents' page."))
    return redirect("surveys:campaign-announcements", slug=slug)
