"""Campaign pages for survey managers: settings, launch checklist, gate, start, status and live progress."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.forms import service_error_add
from kuntaportaali.roles import Role
from surveys import selectors
from surveys.describe import simulated_notice
from surveys.errors import LaunchRefused, SurveyError
from surveys.forms import CampaignForm, ChecklistForm, NumbersNeededForm, PredictionForm
from surveys.models import Campaign, CampaignStatus, LaunchChecklist
from surveys.progress import CampaignProgress, progress_json, progress_summary
from surveys.reports.prediction import prediction_panel
from surveys.reports.presentation import funnel_figure
from surveys.services import announcements as announcement_services
from surveys.services import campaigns as campaign_services
from surveys.services import launch as launch_services
from surveys.services import sms as sms_services
from surveys.services.notices import information_notice_default
from surveys.services.pacing import young_first_without_groups
from surveys.services.planner import PILOT_NUMBERS
from surveys.services.quotas import (
    campaign_quota_plan,
    campaign_quotas,
    quota_bars,
    quota_closed_counts,
    quota_live_values,
)
from surveys.tables import CampaignStatusChangeTable, CampaignTable

manage_surveys = staff_permission_required("surveys.manage_surveys")


@dataclass(frozen=True)
class ShownFix:
    """Something to fix before the start as the reader sees it: a link when they may open the page
    where it is fixed, otherwise the role that fixes it."""

    message: str
    url: str
    fixer: str
    met: bool = False


def _shown(user, item: launch_services.LaunchBlocker | launch_services.VerifiedItem) -> ShownFix:
    met = isinstance(item, launch_services.VerifiedItem) and item.met
    if user.has_perm(item.fix_permission):
        return ShownFix(item.message, item.fix_url, "", met)
    return ShownFix(item.message, "", item.fixer.label, met)


def _gate_context(request, blockers: list[launch_services.LaunchBlocker]) -> dict:
    return {
        "blockers": [_shown(request.user, blocker) for blocker in blockers],
        # Communications' pages are theirs: a survey manager can ask them to act.
        "notify_communications": any(
            blocker.fixer == Role.COMMUNICATIONS and not request.user.has_perm(blocker.fix_permission)
            for blocker in blockers
        ),
    }


@manage_surveys
def campaign_list(request):
    table = CampaignTable(selectors.campaigns_for_staff(), caption=_("Calling campaigns"))
    return render(request, "surveys/campaigns/campaign_list.html", {"table": table})


@manage_surveys
def campaign_create(request):
    initial = {"telephony_provider": settings.TELEPHONY_PROVIDER} | information_notice_default()
    form = CampaignForm(request.POST or None, initial=initial, providers=list(settings.TELEPHONY_PROVIDERS))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = campaign_services.campaign_create(by=request.user, **form.campaign_values())
        except SurveyError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The campaign was created as a draft."))
            return redirect("surveys:campaign", slug=campaign.slug)
    return render(request, "surveys/campaigns/campaign_form.html", {"form": form})


@manage_surveys
def campaign_detail(request, slug: str):
    return campaign_page(request, slug)


def campaign_page(request, slug: str, *, refused_prediction: PredictionForm | None = None):
    """The campaign's page; with `refused_prediction`, the prediction's form that did not validate, shown
    as it was filled in, opening with the summary of its errors (status 400)."""
    campaign = get_object_or_404(selectors.campaigns_for_staff(), slug=slug)
    progress = selectors.campaign_progress(campaign)
    allowed = [status for status in CampaignStatus if status in campaign_services.TRANSITIONS[campaign.status]]
    needed_form = NumbersNeededForm(request.GET if "completes" in request.GET else None)
    completes_wanted = needed_form.cleaned_data["completes"] if needed_form.is_valid() else None
    return render(
        request,
        "surveys/campaigns/campaign_detail.html",
        {
            "campaign": campaign,
            "simulated_notice": simulated_notice(campaign),
            # Asked (of the carrier too, now and then) only while the campaign has yet to start.
            **_gate_context(
                request,
                launch_services.campaign_launch_blockers(
                    campaign=campaign, carrier=launch_services.carrier_problems_recent(campaign=campaign)
                )
                if campaign.status in campaign_services.EDITABLE_STATUSES
                else [],
            ),
            "costs": selectors.campaign_call_costs(campaign),
            "sms_costs": selectors.campaign_sms_costs(campaign),
            "sms_previews": sms_services.sms_link_previews(campaign=campaign) if campaign.sms_follow_up else [],
            "warnings": campaign_services.campaign_launch_warnings(campaign=campaign),
            "young_first_without_groups": young_first_without_groups(campaign),
            "transitions": [status for status in allowed if status not in campaign_services.FINAL_STATUSES],
            "final_transitions": [status for status in allowed if status in campaign_services.FINAL_STATUSES],
            "status_history": CampaignStatusChangeTable(
                campaign.status_changes.select_related("changed_by"),
                caption=_("Status history"),
                caption_attrs={"id": "status-history-caption", "class": "visually-hidden"},
            ),
            "plan": announcement_services.announcement_plan(campaign=campaign),
            "deadline": announcement_services.announcement_deadline(campaign),
            "checklist": LaunchChecklist.objects.filter(campaign=campaign).select_related("confirmed_by").first(),
            "public": selectors.public_campaign_view(campaign, language="fi"),
            "progress": progress,
            "summary": progress_summary(progress),
            "funnel": _funnel_html(progress),
            **_quota_context(campaign),
            "planner": prediction_panel(campaign, completes_wanted=completes_wanted),
            "prediction_form": refused_prediction or PredictionForm(initial={"numbers": PILOT_NUMBERS}),
            "needed_form": needed_form,
        },
        status=400 if refused_prediction is not None else 200,
    )


def _quota_context(campaign: Campaign) -> dict:
    """The quotas filling, for a campaign that has them on."""
    if not campaign.quotas_enabled:
        return {"quotas": None}
    return {"quotas": campaign_quotas(campaign), "quota_counts": quota_closed_counts(campaign)}


def _funnel_html(progress: CampaignProgress) -> str:
    """The funnel's chart and table, drawn as on the results page; the live page swaps them whole."""
    figure = funnel_figure(progress, title=_("Funnel so far"))
    return render_to_string("surveys/campaigns/_funnel.html", {"funnel": figure})


@manage_surveys
def campaign_progress_json(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    progress = selectors.campaign_progress(campaign)
    data = progress_json(progress, status_label=campaign.get_status_display())
    if campaign.quotas_enabled:
        quotas = campaign_quotas(campaign)
        data["values"] |= quota_live_values(quotas, quota_closed_counts(campaign))
        data["quota_bars"] = quota_bars(quotas)
    return JsonResponse(data | {"funnel": _funnel_html(progress)})


@manage_surveys
def campaign_edit(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    form = CampaignForm(request.POST or None, instance=campaign, providers=list(settings.TELEPHONY_PROVIDERS))
    if request.method == "POST" and form.is_valid():
        data = {name: value for name, value in form.campaign_values().items() if name != "slug"}
        try:
            campaign_services.campaign_update(campaign=Campaign.objects.get(pk=campaign.pk), by=request.user, **data)
        except SurveyError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("surveys:campaign", slug=slug)
    return render(
        request,
        "surveys/campaigns/campaign_form.html",
        {"form": form, "campaign": campaign, "quota_plan": campaign_quota_plan(campaign)},
    )


@manage_surveys
def campaign_checklist(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    checklist = LaunchChecklist.objects.filter(campaign=campaign).first()
    form = ChecklistForm(request.POST or None, instance=checklist)
    if request.method == "POST" and form.is_valid():
        try:
            campaign_services.checklist_confirm(campaign=campaign, by=request.user, **form.cleaned_data)
        except SurveyError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The launch checklist was confirmed in your name."))
            return redirect("surveys:campaign", slug=slug)
    return render(
        request,
        "surveys/campaigns/checklist.html",
        {
            "form": form,
            "campaign": campaign,
            "verified": [
                _shown(request.user, item) for item in launch_services.checklist_verified_items(campaign=campaign)
            ],
            "warnings": campaign_services.campaign_launch_warnings(campaign=campaign),
        },
    )


@manage_surveys
def campaign_launch(request, slug: str):
    """The last step before the first call: what the start will do (how many numbers, when, about
    what cost) and the button that starts it, or what still stops it and where it is fixed."""
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status not in campaign_services.EDITABLE_STATUSES:
        messages.info(request, _("The campaign has already started."))
        return redirect("surveys:campaign", slug=slug)
    if request.method == "POST" and request.POST.get("confirmed") == "yes":
        try:
            campaign = campaign_services.campaign_start(campaign=campaign, by=request.user)
        except LaunchRefused as refusal:
            messages.error(request, _("The campaign cannot start yet:"))
            for problem in refusal.problems:
                messages.error(request, problem)
        except SurveyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Calling has started."))
            return redirect("surveys:campaign", slug=slug)
        return redirect("surveys:campaign-launch", slug=slug)
    blockers = launch_services.campaign_launch_blockers(campaign=campaign)
    return render(
        request,
        "surveys/campaigns/launch.html",
        {
            "campaign": campaign,
            **_gate_context(request, blockers),
            "plan": None if blockers else launch_services.launch_plan(campaign=campaign),
            "warnings": campaign_services.campaign_launch_warnings(campaign=campaign),
        },
    )


@require_POST
@manage_surveys
def campaign_notify_communications(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    try:
        count = launch_services.launch_blockers_notify(campaign=campaign, by=request.user)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            ngettext(
                "Communications was asked by email to fix their items (%(count)d person).",
                "Communications was asked by email to fix their items (%(count)d people).",
                count,
            )
            % {"count": count},
        )
    back = "surveys:campaign-launch" if request.POST.get("back") == "launch" else "surveys:campaign"
    return redirect(back, slug=slug)


@manage_surveys
def campaign_status_confirm(request, slug: str, target: str):
    """What ending or cancelling the campaign does, and the button that does it: a final step is
    never one click on the campaign page."""
    campaign = get_object_or_404(Campaign, slug=slug)
    if target not in campaign_services.FINAL_STATUSES or target not in campaign_services.TRANSITIONS[campaign.status]:
        raise Http404
    return render(
        request,
        "surveys/campaigns/status_confirm.html",
        {"campaign": campaign, "target": CampaignStatus(target)},
    )


@require_POST
@manage_surveys
def campaign_status(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    target = request.POST.get("to", "")
    if target not in CampaignStatus.values:
        messages.error(request, _("Unknown status."))
        return redirect("surveys:campaign", slug=slug)
    if target in campaign_services.FINAL_STATUSES and request.POST.get("confirmed") != "yes":
        messages.error(request, _("Ending or cancelling a campaign cannot be undone: confirm it on this page first."))
        return redirect("surveys:campaign-status-confirm", slug=slug, target=target)
    if target == CampaignStatus.RUNNING and campaign.status != CampaignStatus.PAUSED:
        # The first start is confirmed on the launch page, which says what it will do.
        return redirect("surveys:campaign-launch", slug=slug)
    try:
        campaign = campaign_services.campaign_transition(
            campaign=campaign, to=target, by=request.user, note=request.POST.get("note", "")
        )
    except LaunchRefused as refusal:
        if target == CampaignStatus.READY:
            messages.error(request, _("The campaign cannot be marked ready yet:"))
        else:
            messages.error(request, _("The campaign cannot start yet:"))
        for problem in refusal.problems:
            messages.error(request, problem)
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The campaign is now: %(status)s.") % {"status": campaign.get_status_display()})
    return redirect("surveys:campaign", slug=slug)
