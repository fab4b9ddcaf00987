"""Text messages sent to contacts: the one SMS with a link to the web survey a contact may get."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .contacts import Contact, ContactNumber


class SmsStatus(models.TextChoices):
    # Committed before the provider is asked: a message left here may have been sent, so it never is again,
    # unless a provider that can be asked has not got it (its worker killed before the request went).
    PENDING = "pending", _("Being sent")
    # The provider could not be reached or was busy: nothing was sent, and it may be sent later.
    NOT_SENT = "not_sent", _("Not sent yet")
    # The provider's answer to the sending was an error that does not say whether it took the message (an
    # HTTP 5xx, or no answer in time): it is looked up at the provider before it may be sent again.
    UNCONFIRMED = "unconfirmed", _("Not confirmed by the provider")
    QUEUED = "queued", _("Queued at the provider")
    SENT = "sent", _("Sent to the operator")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Not delivered")
    FAILED = "failed", _("Failed")


# Statuses after which nothing the provider reports changes the outcome.
FINAL_SMS_STATUSES = frozenset({SmsStatus.DELIVERED, SmsStatus.UNDELIVERED, SmsStatus.FAILED})
# How far a message has got: a status callback arriving late (lower) changes nothing.
SMS_STATUS_ORDER = {
    SmsStatus.PENDING: 0,
    SmsStatus.NOT_SENT: 0,
    SmsStatus.UNCONFIRMED: 0,
    SmsStatus.QUEUED: 1,
    SmsStatus.SENT: 2,
    **dict.fromkeys(FINAL_SMS_STATUSES, 3),
}


class SmsMessage(models.Model):
    """The SMS that carried a contact's survey link, at most one per contact. Its text is not kept:
    it holds the link's token, which exists nowhere else."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="sms_message")
    # The number it was sent to (a mobile number of the contact).
    phone = models.ForeignKey(ContactNumber, on_delete=models.SET_NULL, null=True, related_name="sms_messages")
    provider = models.CharField(_("SMS provider"), max_length=30)
    provider_message_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=SmsStatus.choices, default=SmsStatus.PENDING)
    sender = models.CharField(_("sender"), max_length=20)
    language = models.CharField(max_length=2, default="fi")
    segments = models.PositiveSmallIntegerField(_("parts"), default=0)
    # The estimate from SMS_PRICE_PER_SEGMENT: a carrier's own price comes only on request.
    cost = models.DecimalField(max_digits=8, decimal_places=4, default=0)
    # The provider's error code of a refused request or an undelivered message (Twilio's ErrorCode).
    error_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    status_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self):
        return f"{self.contact_id} {self.status}"


class SmsLinkRequest(models.Model):
    """A contact owed the SMS with their survey link: stored with the call's step or outcome that asked
    for it, kept until a sending settles it (sent, or never to be sent). Its job lives in Redis, which
    loses it when restarted without its data or out of reach as the job is queued; a request overdue whose
    job is lost (not queued, started nor scheduled) is queued again (`sms_link_requests_recover`), a few
    times at most, and the message still goes at most once (SmsMessage)."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="sms_link_request")
    # The number that asked for it, or that the contact's last call went to.
    phone = models.ForeignKey(ContactNumber, on_delete=models.SET_NULL, null=True, related_name="+")
    # When its job is overdue: a while after it was queued, or after the moment the sending was put off to.
    due_at = models.DateTimeField(db_index=True)
    # Its jobs so far (the first, those put off to a later moment, those queued again): the last one's id
    # is fixed by it, so the recovery can ask Redis whether that job is only late or really lost.
    job_number = models.PositiveIntegerField(default=1)
    # Its jobs whose run failed (an error, a worker killed; not those Redis lost): after LINK_JOB_TRIES the
    # link is given up as failed.
    failed_jobs = models.PositiveSmallIntegerField(default=0)

    def __str__(self):
        return f"{self.contact_id} {self.due_at:%Y-%m-%d %H:%M}"
