"""Results pages: a campaign's results for councillors and survey managers, its report files, and the
summary that communications publishes on the residents' page."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.downloads import attachment
from surveys.errors import SurveyError
from surveys.languages import LANGUAGE_NAMES
from surveys.models import ReportFile, ReportFileStatus, ReportFormat, ResultSummary
from surveys.models.publication import report_filename
from surveys.reports import files, publication
from surveys.reports.forms import ReportRequestForm, SummaryForm
from surveys.reports.presentation import group_label_languages, results_view
from surveys.reports.selectors import (
    campaigns_for_publication,
    campaigns_with_complete_counts,
    campaigns_with_results,
    report_files_latest,
)
from surveys.services import result_summaries
from surveys.services.disclosure import minimum_group_size
from surveys.services.report_files import report_file_request, report_files_stopped_fail
from surveys.services.results import campaign_results, filter_choices
from surveys.tables import PublishableCampaignTable, ReportFileTable

view_results = staff_permission_required("surveys.view_results")
manage_surveys = staff_permission_required("surveys.manage_surveys")
publish_results = staff_permission_required("surveys.publish_results")

WEIGHTED, UNWEIGHTED = "weighted", "unweighted"


def _group_filters(request, campaign) -> tuple[list[dict], dict[str, str]]:
    """The group selects (one per demographic question) and the filter chosen in the query string."""
    chosen: dict[str, str] = {}
    selects = []
    for dimension, name, categories in filter_choices(campaign, language=get_language()):
        value = request.GET.get(f"group_{dimension}", "")
        if value in dict(categories):
            chosen[dimension] = value
        selects.append(
            {"name": f"group_{dimension}", "dimension": dimension, "label": name, "options": categories, "value": value}
        )
    return selects, chosen


def _without_hidden_groups(selects: list[dict], results) -> list[dict]:
    """The selects with the groups whose figures are hidden offered disabled: choosing one would show
    only the note that its answers are hidden. An offered group comes with the language of its label ("" for the
    page's); a disabled one says in the page's language why, so its text as a whole is the page's."""
    hidden = {(group.dimension, group.category) for group in results.weighting.groups if group.hidden}
    label_languages = group_label_languages(results)

    def language(dimension: str, key: str, label: str) -> str:
        return "" if (dimension, key) in hidden else label_languages.get(dimension, {}).get(label, "")

    return [
        select
        | {
            "options": [
                (
                    key,
                    label,
                    (select["dimension"], key) in hidden,
                    language(select["dimension"], key, label),
                )
                for key, label in select["options"]
            ]
        }
        for select in selects
    ]


@view_results
def campaign_results_page(request, slug: str):
    campaign = get_object_or_404(campaigns_with_results(), slug=slug)
    estimate = UNWEIGHTED if request.GET.get("estimate") == UNWEIGHTED else WEIGHTED
    group_selects, respondent_filter = _group_filters(request, campaign)
    results = campaign_results(campaign, language=get_language(), respondent_filter=respondent_filter)
    base = reverse("surveys:campaign-results", args=[slug])
    report_languages = _report_languages(campaign)
    group_query = {f"group_{dimension}": category for dimension, category in respondent_filter.items()}
    report_files = report_files_latest(campaign)
    return render(
        request,
        "surveys/results/campaign.html",
        {
            "campaign": campaign,
            "view": results_view(results, weighted=estimate == WEIGHTED),
            "estimate": estimate,
            # Results weighted by nothing have one estimate: there is nothing to switch between.
            "estimate_links": [
                (WEIGHTED, _("Weighted"), f"{base}?{urlencode({'estimate': WEIGHTED} | group_query)}"),
                (UNWEIGHTED, _("Unweighted"), f"{base}?{urlencode({'estimate': UNWEIGHTED} | group_query)}"),
            ]
            if results.weighting.dimensions
            else [],
            "group_selects": _without_hidden_groups(group_selects, results),
            "show_statistics": request.user.has_perm("surveys.manage_surveys"),
            "whole_sample_url": f"{base}?{urlencode({'estimate': estimate})}",
            "report_files": ReportFileTable(report_files, caption=_("Generated reports")),
            "reports_building": any(not report_file.is_finished for report_file in report_files),
            "report_form": ReportRequestForm(initial={"language": get_language()}, languages=report_languages),
            "direct_download": files.report_direct_download_allowed(campaign),
            "languages": [(code, LANGUAGE_NAMES[code]) for code in report_languages],
        },
    )


def _report_languages(campaign) -> list[str]:
    return [code for code in files.REPORT_LANGUAGES if code in campaign.survey_version.languages]


def _attachment(data: bytes, *, file_format: str, filename: str) -> HttpResponse:
    return attachment(data, content_type=files.CONTENT_TYPES[file_format], filename=filename)


@view_results
def report_download(request, slug: str, file_format: str):
    """Build a small campaign's report in the request; larger ones are generated by a worker."""
    campaign = get_object_or_404(campaigns_with_results(), slug=slug)
    language = request.GET.get("language", get_language())
    if file_format not in files.CONTENT_TYPES or language not in _report_languages(campaign):
        raise Http404
    if not files.report_direct_download_allowed(campaign):
        messages.info(request, _("This campaign is large: generate the report below and download it when it is ready."))
        return redirect(reverse("surveys:campaign-results", args=[slug]) + "#reports")
    data = files.report_build(campaign=campaign, file_format=file_format, language=language)
    filename = report_filename(campaign, file_format=file_format, language=language)
    return _attachment(data, file_format=file_format, filename=filename)


@manage_surveys
def responses_download(request, slug: str):
    """The row-level anonymous responses: survey managers only, never councillors (issue 14)."""
    campaign = get_object_or_404(campaigns_with_results(), slug=slug)
    language = request.GET.get("language", get_language())
    if language not in _report_languages(campaign):
        raise Http404
    data = files.responses_build(campaign=campaign, language=language)
    return _attachment(
        data, file_format=ReportFormat.XLSX, filename=files.responses_filename(campaign, language=language)
    )


@require_POST
@view_results
def report_file_create(request, slug: str):
    campaign = get_object_or_404(campaigns_with_results(), slug=slug)
    form = ReportRequestForm(request.POST, languages=_report_languages(campaign))
    if form.is_valid():
        report_file = report_file_request(campaign=campaign, by=request.user, **form.cleaned_data)
        report_file.refresh_from_db(fields=["status"])
        if report_file.status == ReportFileStatus.FAILED:
            messages.error(request, _("The report could not be handed to a worker just now; try again in a moment."))
        else:
            messages.success(request, _("The report is being generated. Its progress is shown below."))
    else:
        messages.error(request, _("Choose the format and the language of the report."))
    return redirect(reverse("surveys:campaign-results", args=[slug]) + "#reports")


def _report_file(slug: str, pk: int) -> ReportFile:
    return get_object_or_404(ReportFile.objects.select_related("campaign").defer("content"), pk=pk, campaign__slug=slug)


@never_cache
@view_results
def report_file_status(request, slug: str, pk: int):
    report_files_stopped_fail(report_files=ReportFile.objects.filter(pk=pk, campaign__slug=slug))
    report_file = _report_file(slug, pk)
    return JsonResponse(
        {
            "status": report_file.status,
            "status_label": report_file.get_status_display(),
            "progress": report_file.progress,
            "finished": report_file.is_finished,
        }
    )


@view_results
def report_file_download(request, slug: str, pk: int):
    report_file = get_object_or_404(ReportFile.objects.select_related("campaign"), pk=pk, campaign__slug=slug)
    if report_file.status != ReportFileStatus.DONE:
        raise Http404
    return _attachment(bytes(report_file.content), file_format=report_file.file_format, filename=report_file.filename)


@publish_results
def summaries(request):
    caption = _("Completed campaigns on the residents' page")
    table = PublishableCampaignTable(campaigns_with_complete_counts(campaigns_for_publication()), caption=caption)
    return render(request, "surveys/results/summaries.html", {"table": table})


@publish_results
def summary_edit(request, slug: str):
    campaign = get_object_or_404(campaigns_for_publication(), slug=slug)
    summary = ResultSummary.objects.filter(campaign=campaign).first()
    initial = {"question_positions": summary.question_positions} if summary else {}
    if summary:
        initial |= {"intro_fi": summary.intro_fi, "intro_sv": summary.intro_sv, "intro_en": summary.intro_en}
    form = SummaryForm(request.POST or None, initial=initial, questions=publication.summary_questions(campaign))
    if request.method == "POST" and form.is_valid():
        try:
            result_summaries.summary_publish(campaign=campaign, by=request.user, **form.cleaned_data)
        except SurveyError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The summary is published on the residents' page."))
            return redirect("surveys:summary", slug=slug)
    return render(
        request,
        "surveys/results/summary_form.html",
        {
            "campaign": campaign,
            "form": form,
            "summary": summary,
            "published": publication.public_summary(campaign, language=get_language()),
            "missing_intros": [
                LANGUAGE_NAMES[language]
                for language in publication.summary_missing_intros(
                    campaign, intros=form.data if form.is_bound else initial
                )
            ],
            "minimum": minimum_group_size(),
        },
    )


@require_POST
@publish_results
def summary_unpublish(request, slug: str):
    campaign = get_object_or_404(campaigns_for_publication(), slug=slug)
    result_summaries.summary_unpublish(campaign=campaign)
    messages.success(request, _("The summary was taken off the residents' page."))
    return redirect("surveys:summary", slug=slug)
