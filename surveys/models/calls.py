"""Calls and answers. An attempt is one dial of one contact; answers belong to a pseudonymous
response and never point at the contact (whose phone number is personal data)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .campaign import Campaign
from .contacts import Contact, ContactNumber
from .survey import Question, QuestionOption, SurveyVersion


class CallStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be dialed")
    QUEUED = "queued", _("Queued")
    DIALING = "dialing", _("Dialing")
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no-answer", _("No answer")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")
    MACHINE = "machine", _("Answering machine")
    FAX = "fax", _("Fax or data line")


class AnsweredBy(models.TextChoices):
    """Who or what picked up, as the carrier's answering machine detection judged it."""

    HUMAN = "human", _("Person")
    MACHINE = "machine", _("Answering machine")
    FAX = "fax", _("Fax or data line")
    UNKNOWN = "unknown", _("Could not tell")


# Statuses after which the carrier sends nothing that changes the outcome.
FINAL_CALL_STATUSES = frozenset(
    {
        CallStatus.COMPLETED,
        CallStatus.BUSY,
        CallStatus.NO_ANSWER,
        CallStatus.FAILED,
        CallStatus.CANCELED,
        CallStatus.MACHINE,
        CallStatus.FAX,
    }
)
# Outcomes after which the number is tried again (up to the campaign's attempts per number).
RETRY_CALL_STATUSES = frozenset({CallStatus.BUSY, CallStatus.NO_ANSWER, CallStatus.FAILED, CallStatus.MACHINE})
ACTIVE_CALL_STATUSES = frozenset({CallStatus.QUEUED, CallStatus.DIALING, CallStatus.RINGING, CallStatus.IN_PROGRESS})


class CallAttempt(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField(_("attempt"))
    # The number dialled: a contact's numbers are tried in turn.
    phone = models.ForeignKey(ContactNumber, on_delete=models.SET_NULL, null=True, related_name="attempts")
    status = models.CharField(_("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.PENDING)
    provider = models.CharField(_("telephony provider"), max_length=30)
    provider_call_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # Read only through the (status, scheduled_for) index below: every query of due attempts asks
    # for one status. An index of its own misled PostgreSQL into reading most attempts in due order
    # to find the few pending ones.
    scheduled_for = models.DateTimeField(_("due"))
    placed_at = models.DateTimeField(null=True, blank=True)
    # The latest the carrier ends the call, by the ring time and time limit it was placed with: an attempt
    # still active well after it lost its final status. Kept, not recomputed: settings change meanwhile.
    ends_by = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(null=True, blank=True)
    billed_minutes = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=8, decimal_places=4, default=0)
    # Empty until the carrier's answering machine detection has a verdict.
    answered_by = models.CharField(max_length=10, choices=AnsweredBy.choices, blank=True)
    # A short message was left on the answering machine (AAPOR 2.221), as the campaign chose.
    message_left = models.BooleanField(default=False)
    # The carrier's error code of a failed call or a refused request (Twilio's ErrorCode).
    error_code = models.PositiveIntegerField(null=True, blank=True)
    # What the carrier billed for the call once it told, in its currency (`price_unit`); `cost` is
    # the estimate from the campaign's price per minute.
    price = models.DecimalField(max_digits=10, decimal_places=5, null=True, blank=True)
    price_unit = models.CharField(max_length=3, blank=True)
    # The highest status callback sequence number applied: an older callback arriving late is ignored.
    status_sequence = models.PositiveIntegerField(null=True, blank=True)
    language = models.CharField(max_length=2, default="fi")
    current_step = models.CharField(max_length=20, blank=True)
    reprompts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    # The runs of the attempt's call job that failed (raised, or its worker was killed); not those Redis lost.
    failed_jobs = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["contact", "number"]
        constraints = [models.UniqueConstraint(fields=["contact", "number"], name="call_attempt_number_unique")]
        indexes = [models.Index(fields=["status", "scheduled_for"])]
        verbose_name = _("call attempt")
        verbose_name_plural = _("call attempts")

    def __str__(self):
        return f"{self.contact_id} #{self.number} {self.status}"

    @property
    def campaign(self) -> Campaign:
        return self.contact.campaign


class ResponseStatus(models.TextChoices):
    PARTIAL = "partial", _("Partial")
    COMPLETE = "complete", _("Complete")
    # The person's group (age group, district) had its quota of completes already: thanked and let
    # go after the screening question. AAPOR 4.80, quota filled: not eligible, never an interview.
    SCREENED_OUT = "screened", _("Screened out (quota filled)")


class InterviewCode(models.TextChoices):
    """A response's AAPOR code as its answers and status stand (`dispositions.interview_code`)."""

    COMPLETE = "I", _("Complete interview")
    PARTIAL = "P", _("Partial interview")
    BREAK_OFF = "R", _("Break-off")
    SCREENED_OUT = "NE", _("Screened out (quota filled)")


class ResponseMode(models.TextChoices):
    """How a response was given. A person answers once, in either mode: a response continued in the
    other mode takes the mode it is completed in (AAPOR assigns a mixed-mode case to the mode that
    completed it)."""

    PHONE = "phone", _("Phone")
    WEB = "web", _("Web")


class Response(models.Model):
    """One respondent's answers, known only by the contact's pseudonym."""

    pseudonym = models.UUIDField(unique=True)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="responses")
    survey_version = models.ForeignKey(SurveyVersion, on_delete=models.PROTECT, related_name="responses")
    language = models.CharField(max_length=2, default="fi")
    status = models.CharField(max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.PARTIAL)
    mode = models.CharField(_("mode"), max_length=5, choices=ResponseMode.choices, default=ResponseMode.PHONE)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The positions of the quota questions asked before the survey (the person's group the contact
    # list did not tell), decided once as the person consents: in this order, then the survey from
    # its start without them, whichever mode goes on (`surveys.services.quotas`).
    asked_first = models.JSONField(default=list, blank=True)
    # Kept as each answer is stored, changed or removed and as the response ends
    # (`dispositions.response_interview_code_refresh`): what the report will call it, read while the
    # campaign runs (quotas, pacing, the live page) in one indexed query, not a walk of every response,
    # and by the report itself once the retention has purged what the answers were.
    interview_code = models.CharField(
        _("interview code"), max_length=2, choices=InterviewCode.choices, default=InterviewCode.BREAK_OFF
    )

    class Meta:
        ordering = ["campaign", "started_at"]
        indexes = [models.Index(fields=["campaign", "interview_code"])]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"{self.pseudonym} ({self.status})"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    digits = models.CharField(max_length=20, blank=True)
    option = models.ForeignKey(QuestionOption, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    number_value = models.IntegerField(null=True, blank=True)
    transcript = models.TextField(blank=True)
    confidence = models.FloatField(null=True, blank=True)
    answered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["response", "question__position"]
        constraints = [models.UniqueConstraint(fields=["response", "question"], name="answer_once_per_question")]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"{self.response_id} q{self.question_id}"
