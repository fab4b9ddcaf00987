"""HR records fetched from Populus: employees, employments, absences and salary payments, with
the editable code lists of absence and salary types."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..person_numbers import person_number_decrypt, person_number_encrypter, person_number_hasher, person_number_mask
from .organisation import WorkUnit


class CodeName(models.Model):
    """A code with a Finnish and a Swedish name; English pages show the Finnish name."""

    code = models.CharField(_("code"), max_length=16, unique=True)
    name_fi = models.CharField(_("name in Finnish"), max_length=200)
    name_sv = models.CharField(_("name in Swedish"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        return self.name_sv if self.name_language == "sv" else self.name_fi

    @property
    def name_language(self) -> str:
        """The language `name` is in: Swedish on a Swedish page when the code has a Swedish name, else Finnish."""
        return "sv" if get_language() == "sv" and self.name_sv else "fi"


class AbsenceCategory(models.TextChoices):
    SICK_LEAVE = "sick_leave", _("Sick leave")
    OCCUPATIONAL_ACCIDENT = "occupational_accident", _("Occupational accident or disease")
    ANNUAL_LEAVE = "annual_leave", _("Annual leave")
    CHILD_CARE = "child_care", _("Temporary child-care leave")
    FAMILY_LEAVE = "family_leave", _("Family leave")
    UNPAID_LEAVE = "unpaid_leave", _("Unpaid leave")
    OTHER = "other", _("Other absence")


class AbsenceType(CodeName):
    category = models.CharField(_("category"), max_length=32, choices=AbsenceCategory.choices)
    paid_by_default = models.BooleanField(_("paid by default"), default=True)

    class Meta(CodeName.Meta):
        verbose_name = _("absence type")
        verbose_name_plural = _("absence types")


class SalaryType(CodeName):
    class Meta(CodeName.Meta):
        verbose_name = _("salary type")
        verbose_name_plural = _("salary types")


class Employee(models.Model):
    """A person of the HR data. The identity code is personal data: stored encrypted and matched by its
    keyed hash (hrreports.person_numbers); `person_number` reads and sets it."""

    person_number_hash = models.CharField(_("person number (keyed hash)"), max_length=64, unique=True, editable=False)
    person_number_encrypted = models.BinaryField(_("person number (encrypted)"), editable=False)
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name or str(_("(no name)"))

    @property
    def person_number(self) -> str:
        return person_number_decrypt(self.person_number_encrypted)

    @person_number.setter
    def person_number(self, number: str) -> None:
        self.person_number_hash = person_number_hasher()(number)
        self.person_number_encrypted = person_number_encrypter()(number)

    @property
    def person_number_masked(self) -> str:
        return person_number_mask(self.person_number)


class EmploymentKind(models.TextChoices):
    PERMANENT = "permanent", _("Permanent")
    FIXED_TERM = "fixed_term", _("Fixed-term")
    NOT_STATED = "", _("Not stated")


class EmploymentRelationship(models.TextChoices):
    """Finnish municipal employment is either a public office (virkasuhde) or an employment contract (työsuhde)."""

    PUBLIC_OFFICE = "public_office", _("Public office (virkasuhde)")
    EMPLOYMENT_CONTRACT = "employment_contract", _("Employment contract (työsuhde)")
    NOT_STATED = "", _("Not stated")


class Employment(models.Model):
    employment_id = models.CharField(_("employment id"), max_length=32, unique=True)
    employee = models.ForeignKey(
        Employee, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="employments"
    )
    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="employments"
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    kind = models.CharField(
        _("kind"), max_length=16, choices=EmploymentKind.choices, default=EmploymentKind.NOT_STATED, blank=True
    )
    relationship = models.CharField(
        _("relationship"),
        max_length=24,
        choices=EmploymentRelationship.choices,
        default=EmploymentRelationship.NOT_STATED,
        blank=True,
    )
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    # NULL when Populus did not give it (an empty cell, or an employment known only from an absence or a
    # payment): full time is what reports assume then, not what is stored.
    working_time_percent = models.DecimalField(
        _("working time %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    source = models.ForeignKey("Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The first month its source supplied it, when it took the employment over (NULL: from the start). An
    # earlier month came from the source before (previous_source; None when not known), and its report
    # waits for that one (reports.common).
    source_since = models.DateField(_("supplied by its source since"), null=True, blank=True, editable=False)
    previous_source = models.ForeignKey(
        "Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("employment")
        verbose_name_plural = _("employments")
        ordering = ["employment_id"]

    def __str__(self) -> str:
        return self.employment_id


class EmploymentMonth(models.Model):
    """An employment as one fetched month's employments file gave it: its unit, dates and working time
    that month. Employment holds the newest file's values; a month's reports count the staff it had then
    (a move to another unit or a new working time in a later file leaves the months before as they were)."""

    employment = models.ForeignKey(
        Employment, verbose_name=_("employment"), on_delete=models.CASCADE, related_name="months"
    )
    period = models.DateField(_("month fetched"))
    unit = models.ForeignKey(WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="+")
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    working_time_percent = models.DecimalField(
        _("working time %"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    source = models.ForeignKey("Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("employment in a month")
        verbose_name_plural = _("employments in months")
        constraints = [
            models.UniqueConstraint(fields=["employment", "period"], name="hr_employment_month_once"),
        ]
        indexes = [models.Index(fields=["unit", "period"], name="hr_employment_month_unit")]

    def __str__(self) -> str:
        return f"{self.employment_id} {self.period:%Y-%m}"


class Absence(models.Model):
    employment = models.ForeignKey(
        Employment, verbose_name=_("employment"), on_delete=models.CASCADE, related_name="absences"
    )
    unit = models.ForeignKey(WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="absences")
    absence_type = models.ForeignKey(
        AbsenceType, verbose_name=_("absence type"), on_delete=models.PROTECT, related_name="absences"
    )
    # The month whose figures the row counts in, and the month whose file reported it: the same but for the
    # earlier months' part of an absence a later month's file gives with their dates - one continuing into
    # that month, or registered in Populus after its month was fetched (hrreports.spells).
    period = models.DateField(
        _("month fetched"), help_text=_("The first day of the month whose figures this absence counts in.")
    )
    reported_in = models.DateField(_("reported in the file of"), editable=False)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    calendar_days = models.DecimalField(_("calendar days"), max_digits=7, decimal_places=2)
    working_days = models.DecimalField(_("working days"), max_digits=7, decimal_places=2)
    paid = models.BooleanField(_("paid"))
    source = models.ForeignKey("Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["start"]
        constraints = [
            # A later file's word on an absence is kept beside the earlier one's, which counts again when the
            # later file is fetched again without it.
            models.UniqueConstraint(
                fields=["employment", "absence_type", "start", "period", "reported_in"], name="hr_absence_natural_key"
            ),
            models.CheckConstraint(condition=models.Q(end__gte=models.F("start")), name="hr_absence_range"),
            models.CheckConstraint(
                condition=models.Q(calendar_days__gte=0, working_days__gte=0), name="hr_absence_days_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "period"], name="hr_absence_unit_period"),
            models.Index(fields=["period", "absence_type"], name="hr_absence_period_type"),
            models.Index(fields=["source", "reported_in"], name="hr_absence_source_reported"),
        ]

    def __str__(self) -> str:
        return f"{self.absence_type.code} {self.start}–{self.end}"


class AbsenceDeletion(models.Model):
    """A deleted record ("P") of a month's absences file: Populus sends each change of an absence as the old
    record deleted and the new one added ("U"). It is the file's word that the absence as recorded
    (employment, type, start and end) is no more, and outweighs what earlier months' files said of it,
    however often and in whichever order the files are fetched (hrreports.spells: `absences_counted`)."""

    employment = models.ForeignKey(
        Employment, verbose_name=_("employment"), on_delete=models.CASCADE, related_name="absence_deletions"
    )
    absence_type = models.ForeignKey(
        AbsenceType, verbose_name=_("absence type"), on_delete=models.PROTECT, related_name="deletions"
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    reported_in = models.DateField(_("reported in the file of"), editable=False)
    source = models.ForeignKey("Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("deleted absence record")
        verbose_name_plural = _("deleted absence records")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["employment", "absence_type", "start", "end", "reported_in"], name="hr_absence_deletion_once"
            ),
        ]
        indexes = [models.Index(fields=["source", "reported_in"], name="hr_absence_deletion_source")]

    def __str__(self) -> str:
        return f"{self.absence_type.code} {self.start}–{self.end}"


class SalaryPayment(models.Model):
    employment = models.ForeignKey(
        Employment, verbose_name=_("employment"), on_delete=models.CASCADE, related_name="salary_payments"
    )
    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.PROTECT, related_name="salary_payments"
    )
    pay_period = models.DateField(_("pay period"), help_text=_("The first day of the month paid for."))
    payment_date = models.DateField(_("payment date"))
    salary_type = models.ForeignKey(
        SalaryType, verbose_name=_("salary type"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    source = models.ForeignKey("Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("salary payment")
        verbose_name_plural = _("salary payments")
        ordering = ["pay_period", "payment_date"]
        # No natural key: corrections repeat the pay period, payment date and salary type with another amount.
        indexes = [
            models.Index(fields=["unit", "pay_period"], name="hr_salary_unit_period"),
            models.Index(fields=["source", "payment_date"], name="hr_salary_source_paid"),
        ]

    def __str__(self) -> str:
        return f"{self.salary_type.code} {self.pay_period:%Y-%m} {self.amount}"
