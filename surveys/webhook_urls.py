"""The carriers' webhooks, under /telephony/ (outside the language prefix: the carrier calls them):
the telephony provider's, then the SMS provider's."""

from django.urls import path

from .views import ivr, sms

app_name = "telephony"
urlpatterns = [
    path("ivr/<int:attempt_id>/start/", ivr.ivr_start, name="ivr-start"),
    path("ivr/<int:attempt_id>/intro/", ivr.ivr_intro, name="ivr-intro"),
    path("ivr/<int:attempt_id>/q/<int:position>/", ivr.ivr_answer, name="ivr-answer"),
    path("status/<int:attempt_id>/", ivr.call_status, name="call-status"),
    path("sms/status/<int:message_id>/", sms.message_status, name="sms-status"),
    path("sms/inbound/", sms.message_inbound, name="sms-inbound"),
]
