"""Pages that set up the results: the population targets (administrators) and a campaign's fixed
costs and result settings (survey managers)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kuntaportaali.decorators import staff_permission_required
from surveys import selectors
from surveys.errors import SurveyError
from surveys.models import PopulationTarget, TargetDimension
from surveys.results_forms import FixedCostForm, ResultSettingsForm, TargetFormSet, TargetQuestionForm
from surveys.services import result_settings as services
from surveys.services.result_settings import TargetsInvalid
from surveys.tables import FixedCostTable


def _target_section(dimension: TargetDimension, data=None) -> dict:
    prefix = dimension.value
    question_form = TargetQuestionForm(data, dimension=dimension.value, prefix=f"{prefix}-check")
    if data is None:
        saved = [
            {"category": target.category, "share": target.share, "postal_codes": ", ".join(target.postal_codes)}
            for target in PopulationTarget.objects.filter(dimension=dimension.value)
        ]
        question = question_form.fields["question"].queryset.first()
        if question is not None:
            question_form.initial["question"] = question.pk
        if not saved and question is not None:
            saved = [{"category": option.label_fi, "share": None} for option in question.options.all()]
        formset = TargetFormSet(initial=saved, prefix=prefix)
    else:
        formset = TargetFormSet(data, prefix=prefix)
    return {"dimension": dimension, "formset": formset, "question_form": question_form, "problems": []}


@staff_permission_required("surveys.change_populationtarget")
def results_targets(request):
    submitted = request.POST.get("dimension") if request.method == "POST" else None
    if submitted is not None and submitted not in TargetDimension.values:
        return redirect("surveys:results_targets")
    sections = [
        _target_section(dimension, request.POST if dimension.value == submitted else None)
        for dimension in TargetDimension
    ]
    for section in sections:
        if section["dimension"].value != submitted:
            continue
        formset, question_form = section["formset"], section["question_form"]
        if formset.is_valid() and question_form.is_valid():
            try:
                services.population_targets_replace(
                    dimension=submitted,
                    rows=formset.rows(),
                    by=request.user,
                    question=question_form.cleaned_data["question"],
                )
            except TargetsInvalid as error:
                section["problems"] = error.problems
            else:
                messages.success(
                    request,
                    _("The population shares of %(dimension)s were saved.")
                    % {"dimension": str(section["dimension"].label).lower()},
                )
                return redirect("surveys:results_targets")
    return render(request, "surveys/results_settings/targets.html", {"sections": sections})


@staff_permission_required("surveys.change_campaignresultsettings")
def campaign_result_settings(request, slug: str):
    campaign = get_object_or_404(selectors.campaigns_for_staff(), slug=slug)
    settings = services.result_settings_for(campaign)
    dimensions = services.weighting_dimensions_for(campaign)
    settings_form = ResultSettingsForm(
        initial={
            "eligibility_e": settings.eligibility_e,
            "weighting_dimensions": [value for value in settings.weighting_dimensions if value in dimensions.usable],
            "trim_cap": settings.trim_cap,
        },
        dimensions=dimensions,
    )
    cost_form = FixedCostForm()
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "settings":
        settings_form = ResultSettingsForm(request.POST, dimensions=dimensions)
        if settings_form.is_valid():
            services.result_settings_update(campaign=campaign, by=request.user, **settings_form.cleaned_data)
            messages.success(request, _("The result settings were saved."))
            return redirect("surveys:campaign_result_settings", slug=slug)
    elif action == "add_cost":
        if not request.user.has_perm("surveys.add_campaignfixedcost"):
            raise PermissionDenied
        cost_form = FixedCostForm(request.POST)
        if cost_form.is_valid():
            try:
                services.fixed_cost_add(campaign=campaign, by=request.user, **cost_form.cleaned_data)
            except ValidationError as error:
                cost_form.add_error(None, error)
            else:
                messages.success(request, _("The cost was added."))
                return redirect("surveys:campaign_result_settings", slug=slug)
    elif action == "delete_cost":
        if not request.user.has_perm("surveys.delete_campaignfixedcost"):
            raise PermissionDenied
        try:
            services.fixed_cost_delete(campaign=campaign, pk=int(request.POST.get("cost", 0) or 0))
        except (SurveyError, ValueError) as error:
            messages.error(request, str(error) if isinstance(error, SurveyError) else _("No such cost."))
        else:
            messages.success(request, _("The cost was removed."))
        return redirect("surveys:campaign_result_settings", slug=slug)
    return render(
        request,
        "surveys/results_settings/campaign_settings.html",
        {
            "campaign": campaign,
            "settings_form": settings_form,
            "cost_form": cost_form,
            "costs": FixedCostTable(
                campaign.fixed_costs.select_related("created_by"), caption=_("Costs besides the calls")
            ),
        },
    )
