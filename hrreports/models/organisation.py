"""The organisation: work units as a tree, and the supervisors (and deputies) of each unit."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The language of the texts Populus gives (unit names, job titles): the municipality's Finnish. Pages in other
# languages mark them so (kuntaportaali.language_parts); only the code lists come with Swedish names too.
POPULUS_TEXT_LANGUAGE = "fi"


class WorkUnit(models.Model):
    """A work unit (cost centre). `path` is the materialised path of codes from the root, e.g.
    "/10/1010/101020/", so a unit's descendants are one indexed prefix query."""

    NAME_LANGUAGE = POPULUS_TEXT_LANGUAGE

    code = models.CharField(_("code"), max_length=32, unique=True, help_text=_("Cost centre or unit code."))
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField(_("active"), default=True)
    path = models.CharField(_("path"), max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(_("level"), default=0, editable=False)
    # The source whose units file names and places the unit: another source's units file may not rename or
    # move it. The unit's data comes from the sources of its employments (Employment.source), which may be
    # others, or several (hrreports.reports.common).
    source = models.ForeignKey(
        "Source",
        verbose_name=_("source"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
        editable=False,
        help_text=_("The Populus source whose units file names and places the unit; empty when none has."),
    )

    class Meta:
        verbose_name = _("work unit")
        verbose_name_plural = _("work units")
        ordering = ["path"]
        indexes = [models.Index(fields=["path"], name="hr_unit_path_prefix", opclasses=["varchar_pattern_ops"])]

    def __str__(self) -> str:
        # On one line wherever the unit is named (an email's subject, a PDF's title, a Teams notice): a
        # source may give a name with line breaks (a quoted CSV cell written with Alt+Enter), stored as given.
        return " ".join(f"{self.code} {self.name}".split())


class SupervisorRole(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    DEPUTY = "deputy", _("Deputy")


class SupervisorAssignmentQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        """The assignments in force on `day`: within their dates, and not ended before the day was over. An
        assignment ended by hand grants nothing from the moment it was ended, so nothing on that day."""
        next_day = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        return (
            self.filter(valid_from__lte=day)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=day))
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gte=next_day))
        )


class SupervisorAssignment(models.Model):
    """A user is a unit's supervisor (or deputy) from `valid_from` to `valid_until` (inclusive, open-ended if
    empty). An end date set in advance counts to the end of that day; an assignment HR ends takes effect at
    once (`ended_at`, services.organisation.supervisor_assignment_end)."""

    unit = models.ForeignKey(
        WorkUnit, verbose_name=_("work unit"), on_delete=models.CASCADE, related_name="assignments"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="unit_assignments"
    )
    role = models.CharField(_("role"), max_length=16, choices=SupervisorRole.choices, default=SupervisorRole.SUPERVISOR)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)

    objects = SupervisorAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervisor assignment")
        verbose_name_plural = _("supervisor assignments")
        ordering = ["unit__path", "role", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="hr_assignment_valid_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_role_display()})"
