"""One small portal with an object behind every address, built once per test module.

Two supervisors of different work units (A: 1010 and its sub-unit, B: 2010) each have their unit's
employee, alert and subscription, so every unit-scoped address can be asked for with the other
unit's ids. `url_kwargs` gives each URL pattern real ids of these objects.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import date

import django_rq
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from rq.job import Job

from hrreports.models import (
    AbsenceType,
    Alert,
    DeliveryRun,
    FetchRun,
    Rule,
    SalaryType,
    Source,
    Subscription,
    SupervisorAssignment,
    TeamsChannel,
    WorkUnit,
)
from hrreports.models.fetching import RunStatus
from hrreports.models.organisation import SupervisorRole
from hrreports.services.codes import code_lists_ensure
from hrreports.services.delivery import subscription_save
from hrreports.services.early_support import rule_defaults_ensure
from hrreports.services.organisation import supervisor_assign
from hrreports.sources.files import FileSource
from kuntaportaali.roles import Role
from surveys.models import (
    Announcement,
    CallAttempt,
    Campaign,
    CampaignStatus,
    ContactImport,
    ReportFile,
    ReportFileStatus,
    Response,
    ResponseMode,
    SmsMessage,
    SmsStatus,
    Survey,
)
from surveys.services import announcements as announcement_services
from surveys.services.contacts import contacts_import
from surveys.services.report_files import report_file_request
from surveys.services.survey_links import survey_link_create
from tests.conftest import authenticator_give, make_user
from tests.hrreports.conftest import make_unit
from tests.hrreports.report_data import MARCH, _employment
from tests.surveys.factories import build_campaign, build_survey
from tests.surveys.results_factory import small_campaign


@dataclass
class UnitSide:
    """A supervisor's unit and the objects in it."""

    supervisor: User
    unit: WorkUnit
    alert: Alert
    subscription: Subscription


@dataclass
class World:
    users: dict[Role, User]
    no_role: User
    survey: Survey
    campaign: Campaign
    results_campaign: Campaign
    contact_import: ContactImport
    announcement: Announcement
    report_file: ReportFile
    attempt: CallAttempt
    # The token of a contact's web survey link, the contact having chosen to answer; and the SMS that carried it.
    survey_link: str
    sms_message: SmsMessage
    own: UnitSide
    foreign: UnitSide
    employee_id: int
    assignment: SupervisorAssignment
    source: Source
    run: FetchRun
    delivery_run: DeliveryRun
    teams_channel: TeamsChannel
    rule: Rule
    absence_type: AbsenceType
    salary_type: SalaryType
    job_id: str


def world_build() -> World:
    users = {role: make_user(f"user-{role.value}", role) for role in Role}
    manager = users[Role.SURVEY_MANAGER]
    survey = build_survey(manager, slug="strategia")
    campaign = build_campaign(survey, manager, slug="syksy")
    numbers = b"puhelin\n0401234567\nei-numero\n"
    contacts = contacts_import(campaign=campaign, file=numbers, filename="x.csv", by=manager)
    results_campaign = small_campaign(manager, slug="pieni")
    report_file = report_file_request(campaign=results_campaign, file_format="xlsx", language="fi", by=manager)
    ReportFile.objects.filter(pk=report_file.pk).update(status=ReportFileStatus.DONE, content=b"PK-report")
    return World(
        users=users,
        no_role=make_user("user-no-role"),
        survey=survey,
        campaign=campaign,
        results_campaign=results_campaign,
        contact_import=contacts,
        announcement=announcement_services.announcements_ensure(campaign=campaign)[0],
        report_file=report_file,
        attempt=CallAttempt.objects.filter(contact__campaign=results_campaign).order_by("pk").first(),
        **_web_contact(survey, manager),
        job_id=_dashboard_job(),
        **_hr_world(users),
    )


def _web_contact(survey: Survey, manager: User) -> dict:
    """The link of a contact of a running campaign who has begun answering on the web, and its SMS."""
    campaign = build_campaign(survey, manager, slug="linkki")
    contacts_import(campaign=campaign, file=b"puhelin\n0401234568\n", filename="x.csv", by=manager)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.RUNNING)
    contact = campaign.contacts.get()
    Response.objects.create(
        pseudonym=contact.pseudonym, campaign=campaign, survey_version=campaign.survey_version, mode=ResponseMode.WEB
    )
    message = SmsMessage.objects.create(
        contact=contact,
        phone=contact.numbers.get(),
        provider="simulator",
        provider_message_id="SMSIM1",
        status=SmsStatus.QUEUED,
        sender="Kuntakysely",
    )
    return {"survey_link": survey_link_create(contact=contact), "sms_message": message}


def _dashboard_job() -> str:
    """A job for the RQ dashboard's job pages, kept in Redis but on no queue's list: the tests that empty
    the `dialer` queue (`rq_queues`, in this process or another sharing its Redis) would delete a job
    waiting there, and the dashboard's pages of it would fail with "No such job"."""
    job = Job.create(
        "os.getpid", connection=django_rq.get_connection("dialer"), origin="dialer", id=f"access-matrix-{uuid.uuid4()}"
    )
    job.save()
    return job.id


def world_forget(world: World) -> None:
    """Remove what the database's rollback does not: the job in Redis."""
    Job.fetch(world.job_id, connection=django_rq.get_connection("dialer")).delete()


def _hr_world(users: dict[Role, User]) -> dict:
    code_lists_ensure()
    rule_defaults_ensure()
    rule = Rule.objects.order_by("order").first()
    top_a = make_unit("1010")
    unit_b = make_unit("2010")
    make_unit("101010", top_a)

    def side(supervisor: User, unit: WorkUnit, number: int) -> tuple[UnitSide, int, SupervisorAssignment]:
        assignment = supervisor_assign(unit=unit, user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=MARCH)
        employment = _employment(number, f"Työntekijä {number}", unit, start=date(2020, 1, 1))
        alert = Alert.objects.create(
            employee=employment.employee, unit=unit, rule=rule, period=MARCH, spells=5, days=21
        )
        subscription = subscription_save(user=supervisor, unit=unit, reports=["absences"])
        return UnitSide(supervisor, unit, alert, subscription), employment.employee_id, assignment

    own, employee_id, assignment = side(users[Role.SUPERVISOR], top_a, 1)
    foreign, _employee, _assignment = side(make_user("esihenkilo-b", Role.SUPERVISOR), unit_b, 2)
    file_config = FileSource.config_defaults() | {"folder": "x"}
    source = Source.objects.create(name="tiedostot", kind="files", config=file_config)
    return {
        "own": own,
        "foreign": foreign,
        "employee_id": employee_id,
        "assignment": assignment,
        "source": source,
        "run": FetchRun.objects.create(source=source, period=MARCH, status=RunStatus.DONE),
        "delivery_run": DeliveryRun.objects.create(period=MARCH, minutes_per_report=20),
        "teams_channel": TeamsChannel.objects.create(unit=top_a, webhook_url="https://teams.example.invalid/hook"),
        "rule": rule,
        "absence_type": AbsenceType.objects.order_by("code").first(),
        "salary_type": SalaryType.objects.order_by("code").first(),
    }


def url_kwargs(world: World, url_name: str, route: str, side: UnitSide | None = None) -> dict:
    """Real ids for the pattern's parameters; `side` chooses whose unit-scoped objects (the own unit's
    by default). Fails on a parameter nobody has given an object for."""
    side = side or world.own
    w = world
    survey_pages = ("survey", "survey-edit", "survey-preview", "question-create", "question", "question-move")
    results_pages = (
        "campaign-results",
        "report-download",
        "report-file-create",
        "report-file",
        "report-file-status",
        "responses-download",
    )
    slug_of = {f"surveys:{name}": w.survey.slug for name in (*survey_pages, "question-delete")}
    slug_of |= {f"surveys:{name}": w.results_campaign.slug for name in (*results_pages, "summary", "summary-unpublish")}
    slug_of["surveys-public:campaign"] = w.results_campaign.slug
    pk_of = {
        "surveys:contact-import": w.contact_import.pk,
        "surveys:contact-import-status": w.contact_import.pk,
        "surveys:contact-import-problems": w.contact_import.pk,
        "surveys:announcement": w.announcement.pk,
        "surveys:announcement-replace": w.announcement.pk,
        "surveys:announcement-keep": w.announcement.pk,
        "surveys:report-file": w.report_file.pk,
        "surveys:report-file-status": w.report_file.pk,
        "hrreports:unit-report": side.unit.pk,
        "hrreports:alert-acknowledge": side.alert.pk,
        "hrreports:subscription-edit": side.subscription.pk,
        "hrreports:subscription-delete": side.subscription.pk,
        "hrreports:delivery-run": w.delivery_run.pk,
        "hrreports:teams-channel-edit": w.teams_channel.pk,
        "hrreports:teams-channel-delete": w.teams_channel.pk,
        "hrreports:rule-edit": w.rule.pk,
        "hrreports:source-edit": w.source.pk,
        "hrreports:source-columns": w.source.pk,
        "hrreports:source-preview": w.source.pk,
        "hrreports:source-upload": w.source.pk,
        "hrreports:run-detail": w.run.pk,
        "hrreports:run-status": w.run.pk,
        "hrreports:unit-detail": side.unit.pk,
        "hrreports:unit-edit": side.unit.pk,
        "hrreports:assignment-end": w.assignment.pk,
        "hrreports:employee-detail": w.employee_id,
        "hrreports:absence-type-edit": w.absence_type.pk,
        "hrreports:salary-type-edit": w.salary_type.pk,
        # django-otp's admin pages with an authenticator's QR code.
        "admin:otp_totp_totpdevice_config": authenticator_give(w.users[Role.ADMIN]).pk,
        "admin:otp_totp_totpdevice_qrcode": authenticator_give(w.users[Role.ADMIN]).pk,
    }
    values = {
        "slug": slug_of.get(url_name, w.campaign.slug),
        "pk": pk_of.get(url_name),
        "position": 1,
        "target": "cancelled",
        "file_format": "xlsx",
        "kind": "absences",
        "report_type": "absences",
        "attempt_id": w.attempt.pk,
        "link": w.survey_link,
        "message_id": w.sms_message.pk,
        # Django admin and the RQ dashboard inside it.
        "object_id": _admin_object_id(route),
        "content_type_id": ContentType.objects.get_for_model(User).pk,
        "id": w.users[Role.ADMIN].pk,
        "app_label": "surveys",
        "url": "no-such-page/",
        "queue_index": 0,
        "job_id": w.job_id,
        "result_id": "no-such-result",
        "token": "nottheapitoken",
        "key": "rq:worker:no-such-worker",
        "scheduler_index": 0,
        "connection_index": 0,
        "scheduler_name": "no-such-scheduler",
        "cron_job_name": "no-such-job",
    }
    kwargs = {name: values.get(name) for name in route_parameters(route)}
    missing = [name for name, value in kwargs.items() if value is None]
    assert not missing, f"tests/security/world.py has no object for {missing} of {url_name or route}"
    return kwargs


def route_parameters(route: str) -> list[str]:
    """The parameters of a full route, in path (<int:pk>) or regular expression ((?P<pk>...)) syntax."""
    return re.findall(r"<(?:\w+:)?(\w+)>", route.replace("(?P<", "(")) + re.findall(r"\(\?P<(\w+)>", route)


ADMIN_MODEL_OBJECT = re.compile(r"^admin/(\w+)/(\w+)/<path:object_id>/")


def _admin_object_id(route: str) -> str:
    """The id of an existing object of the admin page's model (or of a user, for the view-on-site link)."""
    match = ADMIN_MODEL_OBJECT.match(route)
    if match:
        model = apps.get_model(*match.groups())
        if model._meta.managed:
            first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
            return str(first if first is not None else 0)
        return "0"
    return str(User.objects.order_by("pk").values_list("pk", flat=True).first())


def database_writes() -> int:
    """Rows inserted, updated or deleted so far in this transaction (sessions left out: signing in writes one)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) FROM pg_stat_xact_user_tables"
            " WHERE relname <> 'django_session'"
        )
        return cursor.fetchone()[0]
