"""The staff sections: what the staff home and the navigation offer, each behind one permission."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    key: str
    title: Promise
    description: Promise
    url_name: str
    permission: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


SECTIONS = (
    Section(
        "surveys",
        _("Surveys"),
        _("Questions, campaigns, contact lists and launching the calls."),
        "surveys:index",
        "surveys.manage_surveys",
    ),
    Section(
        "announcements",
        _("Announcements"),
        _("Pre-announcement texts and the residents' questions page."),
        "surveys:announcements",
        "surveys.publish_announcements",
    ),
    Section(
        "results",
        _("Survey results"),
        _("Response rates, weighted results and the finished reports."),
        "surveys:results",
        "surveys.view_results",
    ),
    Section(
        "published-results",
        _("Published results"),
        _("Short summaries of finished surveys on the residents' questions page."),
        "surveys:summaries",
        "surveys.publish_results",
    ),
    Section(
        "consent",
        _("Consent evidence"),
        _("The append-only log of what residents were told and what they chose, with exports."),
        "surveys:consent-log",
        "surveys.view_consentevent",
    ),
    Section(
        "hr-admin",
        _("HR administration"),
        _("Populus sources, work units, supervisors, subscriptions and early-support rules."),
        "hrreports:admin",
        "hrreports.manage_hr",
    ),
    Section(
        "unit-reports",
        _("Unit reports"),
        _("Monthly absence, salary and employment reports of your units, and early-support alerts."),
        "hrreports:reports",
        "hrreports.view_unit_reports",
    ),
    Section(
        "system",
        _("System status"),
        _("Database, Redis and worker heartbeats, and the job queues."),
        "system-status",
        "kuntaportaali.view_system_status",
    ),
    Section(
        "users",
        _("Users and roles"),
        _("User accounts, their roles and login lockouts, in the administration site."),
        "admin:index",
        "auth.change_user",
    ),
)


def sections_for(user) -> list[Section]:
    if not user.is_authenticated:
        return []
    return [section for section in SECTIONS if user.has_perm(section.permission)]
