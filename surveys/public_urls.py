"""The residents' pages, under a language prefix: /fi/kyselyt/, /sv/enkater/, /en/surveys/."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from .views import privacy, public

app_name = "surveys-public"
urlpatterns = [
    path(_("surveys/"), public.campaign_list, name="index"),
    path(_("surveys/opt-out/"), privacy.opt_out, name="opt-out"),
    path(_("surveys/opt-out/done/"), privacy.opt_out_done, name="opt-out-done"),
    path(_("surveys/<slug:slug>/"), public.campaign_detail, name="campaign"),
]
