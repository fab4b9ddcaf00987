"""The residents' pages, under a language prefix: /fi/kyselyt/, /sv/enkater/, /en/surveys/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from .views import privacy, public, web_survey

app_name = "surveys-public"
urlpatterns = [
    path(_("surveys/"), public.campaign_list, name="index"),
    path(_("surveys/opt-out/"), privacy.opt_out, name="opt-out"),
    path(_("surveys/opt-out/done/"), privacy.opt_out_done, name="opt-out-done"),
    path(_("surveys/<slug:slug>/"), public.campaign_detail, name="campaign"),
    # A contact's personal link to the survey on the web (sent by SMS).
    path(_("answer/<str:link>/"), web_survey.survey_start, name="web-survey"),
    path(_("answer/<str:link>/<int:position>/"), web_survey.survey_question, name="web-question"),
    path(_("answer/<str:link>/opt-out/"), web_survey.survey_opt_out, name="web-opt-out"),
]
