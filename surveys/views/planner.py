"""The campaign page's planner: ask for a prediction before the launch, and follow it being made."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kuntaportaali.decorators import staff_permission_required
from surveys.errors import SurveyError
from surveys.forms import PredictionForm
from surveys.models import Campaign
from surveys.reports.prediction import prediction_progress
from surveys.services import planner
from surveys.views.campaigns import campaign_page

manage_surveys = staff_permission_required("surveys.manage_surveys")


@require_POST
@manage_surveys
def campaign_predict(request, slug: str):
    campaign = get_object_or_404(Campaign, slug=slug)
    form = PredictionForm(request.POST)
    if not form.is_valid():
        return campaign_page(request, slug, refused_prediction=form)
    try:
        planner.prediction_request(campaign=campaign, by=request.user, numbers=form.cleaned_data["numbers"])
    except SurveyError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The prediction is being calculated. It takes a few minutes."))
    return redirect(reverse("surveys:campaign", kwargs={"slug": slug}) + "#prediction")


@manage_surveys
def campaign_prediction_status(request, slug: str):
    """The campaign's latest prediction's status and how far it is, for the page to follow it and
    reload once it is finished."""
    campaign = get_object_or_404(Campaign, slug=slug)
    prediction = planner.prediction_latest(campaign)
    if prediction is None:
        return JsonResponse({"status": None, "status_label": "", "progress": "", "finished": False})
    return JsonResponse(
        {
            "status": prediction.status,
            "status_label": prediction.get_status_display(),
            "progress": prediction_progress(prediction),
            "finished": prediction.is_finished,
        }
    )
