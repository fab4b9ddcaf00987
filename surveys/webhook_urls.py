"""The telephony webhooks, under /telephony/ (outside the language prefix: the carrier calls them)."""

from django.urls import path

from .views import ivr

app_name = "telephony"
urlpatterns = [
    path("ivr/<int:attempt_id>/start/", ivr.ivr_start, name="ivr-start"),
    path("ivr/<int:attempt_id>/intro/", ivr.ivr_intro, name="ivr-intro"),
    path("ivr/<int:attempt_id>/q/<int:position>/", ivr.ivr_answer, name="ivr-answer"),
    path("status/<int:attempt_id>/", ivr.call_status, name="call-status"),
]
