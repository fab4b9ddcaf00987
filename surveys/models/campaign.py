from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuntaportaali.plugins import plugin_class
from surveys.languages import LocalizedFieldsMixin

from .survey import SurveyVersion

MONDAY_TO_FRIDAY = [0, 1, 2, 3, 4]
DEMO_WINDOW_REAL_CALLS = _(
    "The demo calling window is only for campaigns that call through the simulator: this campaign calls real residents."
)


def default_weekdays() -> list[int]:
    return list(MONDAY_TO_FRIDAY)


# The pilot's calling hours. Given as functions: Django takes a fixed time default within ten seconds
# of the clock for a `default=now()` slip (fields.W161), and `check --deploy` then warned at 10:00 and 20:00.
def default_daily_start() -> time:
    return time(10, 0)


def default_daily_end() -> time:
    return time(20, 0)


class AnnouncementChannel(models.TextChoices):
    WEBSITE = "website", _("City website news")
    PRESS = "press", _("Press release")
    SOCIAL = "social", _("Social media post")
    NEWSPAPER = "newspaper", _("Local newspaper notice")
    SMS = "sms", _("SMS text")


def default_announcement_channels() -> list[str]:
    """A new campaign is announced on the city's website and in a press release, unless its managers
    plan otherwise."""
    return [AnnouncementChannel.WEBSITE.value, AnnouncementChannel.PRESS.value]


def announcement_channels_validate(value) -> None:
    if not isinstance(value, list) or not all(isinstance(channel, str) for channel in value):
        raise ValidationError(_("The planned announcement channels must be a list of channels."))
    unknown = [channel for channel in value if channel not in AnnouncementChannel.values]
    if unknown:
        raise ValidationError(_("Unknown announcement channel: %(channels)s."), params={"channels": ", ".join(unknown)})
    if len(set(value)) != len(value):
        raise ValidationError(_("An announcement channel is planned twice."))


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    READY = "ready", _("Ready")
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


class Campaign(LocalizedFieldsMixin, models.Model):
    FINNISH_UNSUFFIXED = ("name",)

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    # The residents' pages show the name in their language; staff pages in Finnish.
    name = models.CharField(_("name (Finnish)"), max_length=200)
    name_sv = models.CharField(_("name (Swedish)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    survey_version = models.ForeignKey(
        SurveyVersion, on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("survey version")
    )
    status = models.CharField(_("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT)

    caller_number = models.CharField(_("caller number"), max_length=20, help_text=_("E.164, e.g. +358 9 123 4567."))
    caller_number_override_reason = models.TextField(_("reason for a non-Finnish caller number"), blank=True)
    caller_number_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    start_date = models.DateField(_("first calling day"))
    end_date = models.DateField(_("last calling day"))
    daily_start = models.TimeField(_("calls from"), default=default_daily_start)
    daily_end = models.TimeField(_("calls until"), default=default_daily_end)
    weekdays = models.JSONField(_("weekdays"), default=default_weekdays, help_text=_("0 = Monday ... 6 = Sunday."))
    exclude_holidays = models.BooleanField(_("no calls on Finnish public holidays"), default=True)
    is_demo_window = models.BooleanField(
        _("demo calling window"),
        default=False,
        help_text=_("A demonstration campaign that may call at any hour. Never for real residents."),
    )

    max_attempts = models.PositiveSmallIntegerField(_("attempts per number"), default=3)
    min_gap_minutes = models.PositiveIntegerField(_("minimum gap between attempts (minutes)"), default=180)
    max_concurrent_calls = models.PositiveIntegerField(_("concurrent calls at most"), default=10)
    calls_per_second = models.DecimalField(_("new calls per second"), max_digits=5, decimal_places=2, default=1)
    price_per_minute = models.DecimalField(
        _("price per started minute (EUR)"), max_digits=6, decimal_places=4, default=Decimal("0.09")
    )
    budget_cap = models.DecimalField(_("budget cap (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True)
    # Quotas by age group and district: each group's share of `target_completes` by the population
    # targets (surveys/services/quotas.py). A full group's numbers are no longer called.
    quotas_enabled = models.BooleanField(
        _("quotas by age group and district"),
        default=False,
        help_text=_(
            "Once a group has its share of the completes wanted, its numbers are no longer called, and a "
            "resident whose group is not known from the contact list is asked it first."
        ),
    )
    target_completes = models.PositiveIntegerField(
        _("completes wanted"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Needed for quotas: each group's quota is its population share of this number."),
    )
    telephony_provider = models.CharField(_("telephony provider"), max_length=30, default="simulator")
    # After a machine answers: hang up at once, or leave one short message after the beep.
    leave_machine_message = models.BooleanField(
        _("leave a short message on answering machines"),
        default=False,
        help_text=_("Names the municipality, the survey page and the caller number, then hangs up."),
    )
    # Mixed mode: a contact whose last call reached no one, or who asks for it at the introduction,
    # gets one SMS with a personal link to the same survey on the web (surveys/services/sms.py).
    sms_follow_up = models.BooleanField(
        _("SMS follow-up"),
        default=False,
        help_text=_(
            "After the last unanswered call, and at once when a resident asks for it during the call, one text "
            "message with a personal link to the survey on the web."
        ),
    )
    # The order and hours of the calls: surveys/services/pacing.py.
    young_first = models.BooleanField(
        _("young first"),
        default=False,
        help_text=_(
            "Calls first the age groups that are under-represented among the completed answers, at the hours "
            "when each group answers best."
        ),
    )
    # Why calling stopped by itself: the carrier refused the account or its permissions, not a number.
    carrier_problem = models.TextField(_("carrier problem"), blank=True)
    carrier_problem_code = models.PositiveIntegerField(null=True, blank=True)
    carrier_problem_at = models.DateTimeField(null=True, blank=True)
    # The refusal was the SMS provider's, of a survey link's text message, not the carrier's of a call.
    carrier_problem_in_messages = models.BooleanField(default=False)
    # The managers are still to be told that the carrier's refusal paused calling: the email's job lives
    # in Redis, which may lose it, and the sweep queues it again until it is sent or calling resumes.
    carrier_problem_mail_owed = models.BooleanField(default=False)
    # Communications were asked (by this user, then) to fix their part of the launch gate, and the email is
    # still to be sent: its job lives in Redis, and the sweep queues it again until it is sent.
    communications_asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    communications_asked_at = models.DateTimeField(null=True, blank=True)

    number_source = models.CharField(
        _("source of the phone numbers"), max_length=300, help_text=_("E.g. the data broker and the register used.")
    )
    number_retention_days = models.PositiveIntegerField(
        _("phone numbers kept after the last calling day (days)"), default=30
    )
    answer_retention_months = models.PositiveIntegerField(_("answers kept (months)"), default=24)
    information_notice_fi = models.TextField(_("information notice (Finnish)"))
    information_notice_sv = models.TextField(_("information notice (Swedish)"), blank=True)
    information_notice_en = models.TextField(_("information notice (English)"), blank=True)
    # The launch gate waits until each of these is published in every language of the survey; other
    # channels may be published too, but the start does not wait for them.
    announcement_channels = models.JSONField(
        _("planned announcement channels"),
        default=default_announcement_channels,
        validators=[announcement_channels_validate],
    )

    questions_published_at = models.DateTimeField(_("questions published"), null=True, blank=True)
    questions_published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "slug"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="campaign_dates_order"
            ),
            models.CheckConstraint(
                condition=models.Q(quotas_enabled=False) | models.Q(target_completes__gte=1),
                name="campaign_quotas_need_target_completes",
            ),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __init__(self, *args, **kwargs):
        # A new campaign calls through the site's TELEPHONY_PROVIDER (production must name it) unless
        # told otherwise: the field's own default, "simulator", stays only for the migrations' sake.
        # Rows loaded from the database arrive as positional values and keep what they hold.
        if not args and "telephony_provider" not in kwargs:
            kwargs["telephony_provider"] = settings.TELEPHONY_PROVIDER
        super().__init__(*args, **kwargs)

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.demo_window_on_real_calls:
            raise ValidationError({"is_demo_window": DEMO_WINDOW_REAL_CALLS})
        if self.quotas_enabled and not self.target_completes:
            raise ValidationError(
                {"target_completes": _("Quotas need the number of completes wanted: each group gets its share of it.")}
            )

    @property
    def is_public(self) -> bool:
        return self.questions_published_at is not None

    @property
    def is_simulated(self) -> bool:
        """Its calls reach no one and its answers come from the simulator's synthetic residents, as its
        pages, reports and published results say. A provider the site does not list places no calls."""
        dotted_path = settings.TELEPHONY_PROVIDERS.get(self.telephony_provider)
        return dotted_path is not None and not plugin_class(dotted_path).reaches_people

    @property
    def demo_window_on_real_calls(self) -> bool:
        """The demo calling window set on a campaign that calls real residents: refused by the form and the
        launch gate, and never used (`calls_at_any_hour`)."""
        return self.is_demo_window and not self.is_simulated

    @property
    def calls_at_any_hour(self) -> bool:
        """The demo calling window, open all day on the calling days: only for a campaign whose calls
        reach no one. A campaign calling real residents calls in its hours whatever the setting says."""
        return self.is_demo_window and self.is_simulated

    @property
    def telephony_provider_label(self) -> str:
        from surveys.telephony import provider_label  # the providers import the models

        return provider_label(self.telephony_provider)


class CampaignStatusChange(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField(max_length=10, choices=CampaignStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CampaignStatus.choices)
    # None: the portal changed it itself (a carrier refusing the account pauses the campaign).
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["campaign", "changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.campaign}: {self.from_status or '-'} -> {self.to_status}"


class LaunchChecklist(models.Model):
    """What a named person confirms before any call is made: only what the portal cannot check itself.

    The rest of the lawfulness checks (the information notice and the caller number on the residents'
    page, the opt-out path, the retention periods) are verified by the launch gate from the campaign's
    own facts, so nobody can tick them while they are untrue.
    """

    campaign = models.OneToOneField(Campaign, on_delete=models.CASCADE, related_name="checklist")
    purpose_not_marketing = models.BooleanField(_("The purpose is a survey, not marketing or sales."))
    legal_basis_public_task = models.BooleanField(_("The legal basis is a public task (GDPR Art. 6(1)(e))."))
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(auto_now=True)

    ITEMS = ("purpose_not_marketing", "legal_basis_public_task")

    class Meta:
        verbose_name = _("launch checklist")
        verbose_name_plural = _("launch checklists")

    def __str__(self):
        return f"{self.campaign} checklist"

    def unconfirmed_items(self) -> list[str]:
        return [item for item in self.ITEMS if not getattr(self, item)]
