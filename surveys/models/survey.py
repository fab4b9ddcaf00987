from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from surveys.languages import LocalizedFieldsMixin


class Survey(LocalizedFieldsMixin, models.Model):
    """A survey's lasting identity. What is asked lives in its versions."""

    FINNISH_UNSUFFIXED = ("organiser",)

    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    organiser = models.CharField(
        _("organiser (Finnish)"), max_length=200, help_text=_("Who asks, e.g. the municipality.")
    )
    # A bilingual municipality addresses its Swedish-speaking residents by its Swedish name (Kielilaki).
    organiser_sv = models.CharField(_("organiser (Swedish)"), max_length=200, blank=True)
    organiser_en = models.CharField(_("organiser (English)"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    def __str__(self):
        return self.slug

    @property
    def current_version(self) -> "SurveyVersion":
        """The newest version: from `prefetch_related("versions")` when a list prefetched them, else
        the one row asked for."""
        if "versions" in getattr(self, "_prefetched_objects_cache", {}):
            return max(self.versions.all(), key=lambda version: version.number, default=None)
        return self.versions.order_by("-number").first()


class SurveyVersion(LocalizedFieldsMixin, models.Model):
    """What respondents are asked. Frozen once a campaign using it starts; editing then makes a new version."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title_fi = models.CharField(_("title (Finnish)"), max_length=200)
    title_sv = models.CharField(_("title (Swedish)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    purpose_fi = models.TextField(_("purpose (Finnish)"), help_text=_("Why the survey is made; read out at the start."))
    purpose_sv = models.TextField(_("purpose (Swedish)"), blank=True)
    purpose_en = models.TextField(_("purpose (English)"), blank=True)
    offers_sv = models.BooleanField(_("offered in Swedish"), default=False)
    offers_en = models.BooleanField(_("offered in English"), default=False)
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["survey", "-number"]
        constraints = [models.UniqueConstraint(fields=["survey", "number"], name="survey_version_number_unique")]
        verbose_name = _("survey version")
        verbose_name_plural = _("survey versions")

    def __str__(self):
        return f"{self.survey.slug} v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def languages(self) -> list[str]:
        return ["fi"] + (["sv"] if self.offers_sv else []) + (["en"] if self.offers_en else [])


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale 1-5")
    CHOICE = "choice", _("Choice (keypad digits)")
    YES_NO = "yes_no", _("Yes / no")
    NUMBER = "number", _("Number")
    OPEN = "open", _("Open answer (speech)")


# What a scale's keys mean, as the call explains them (see surveys.script); shown to residents and editors alike.
SCALE_ANSWERS = _("1 (not at all) – 5 (very much)")


class Demographic(models.TextChoices):
    NONE = "", _("Not demographic")
    AGE_GROUP = "age_group", _("Age group")
    DISTRICT = "district", _("District or postal area")
    GENDER = "gender", _("Gender")


class Question(LocalizedFieldsMixin, models.Model):
    version = models.ForeignKey(SurveyVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=10, choices=QuestionKind.choices)
    demographic = models.CharField(
        _("demographic"),
        max_length=10,
        choices=Demographic.choices,
        blank=True,
        help_text=_("Demographic questions are used to weight the results to the population."),
    )
    text_fi = models.TextField(_("question (Finnish)"))
    text_sv = models.TextField(_("question (Swedish)"), blank=True)
    text_en = models.TextField(_("question (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    min_value = models.IntegerField(_("smallest accepted number"), null=True, blank=True)
    max_value = models.IntegerField(_("largest accepted number"), null=True, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "position"], name="question_position_unique")]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return f"{self.position}. {self.text_fi[:60]}"

    @property
    def has_options(self) -> bool:
        return self.kind in (QuestionKind.SCALE, QuestionKind.CHOICE, QuestionKind.YES_NO)


class QuestionOption(LocalizedFieldsMixin, models.Model):
    """A keypad answer. `skip_to` jumps over the questions in between when this answer is given."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    digit = models.PositiveSmallIntegerField(_("keypad digit"))
    label_fi = models.CharField(_("answer (Finnish)"), max_length=200)
    label_sv = models.CharField(_("answer (Swedish)"), max_length=200, blank=True)
    label_en = models.CharField(_("answer (English)"), max_length=200, blank=True)
    skip_to = models.ForeignKey(
        Question,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="skipped_to_from",
        verbose_name=_("then go to question"),
    )

    class Meta:
        ordering = ["question", "digit"]
        constraints = [models.UniqueConstraint(fields=["question", "digit"], name="option_digit_unique")]
        verbose_name = _("answer option")
        verbose_name_plural = _("answer options")

    def __str__(self):
        return f"{self.digit}: {self.label_fi}"
