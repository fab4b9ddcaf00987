"""A unit's month is reported only once the source that supplies the unit has fetched it: with two
sources, one failing, the failing source's units wait (their pages say the data is missing, their
emails are held, not failed) and go out when that source's fetch succeeds."""

from datetime import date

import pytest
from django.core import mail
from django.utils import timezone

from hrreports.models import Delivery, DeliveryRun, Source, WorkUnit
from hrreports.models.delivery import DeliveryStatus
from hrreports.models.fetching import RunStatus
from hrreports.models.organisation import SupervisorRole
from hrreports.reports import absence_report, absence_trend, employment_report, period_missing_reason, salary_report
from hrreports.services.delivery import _delivery_stopped, subscription_save, unit_reports_send
from hrreports.services.early_support import alerts_evaluate
from hrreports.services.fetch import populus_fetch
from hrreports.services.organisation import supervisor_assign
from hrreports.sources.files import FileSource
from kuntaportaali.job_lock import job_lock
from kuntaportaali.roles import Role
from tests.conftest import client_login, make_user
from tests.hrreports.conftest import ABSENCES_HEADER, SALARIES_HEADER, SMALL_SIMULATION, make_unit
from tests.kuntaportaali.test_heartbeat_jobs import run_worker_burst

JUNE, JULY = date(2026, 6, 1), date(2026, 7, 1)
EMPLOYMENTS_HEADER = (
    "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Nimike;Palvelussuhteen laji;Alkupvm;Loppupvm;Työaika-%"
)
AINO = "010175-901V;Mäkinen Aino;9300001;9300"


def awk_month_files(folder, period: date) -> None:
    """Unit 9300's month in the awk source's folder: Aino's employment, a two-day sick leave and her pay."""
    month = f"{period:%Y%m}"
    (folder / f"palvelussuhteet_{month}.csv").write_text(
        f"{EMPLOYMENTS_HEADER}\n{AINO};Lastentarhanopettaja;Vakinainen työsuhde;1.1.2020;;100\n"
    )
    (folder / f"poissaolot_{month}.csv").write_text(
        f"{ABSENCES_HEADER}\n{AINO};102;Sairauspoissaolo;6.{period.month}.2026;7.{period.month}.2026;2;2;K\n"
    )
    (folder / f"palkat_{month}.csv").write_text(
        f"{SALARIES_HEADER}\n{AINO};{period.month}/2026;13.{period.month}.2026;1001;Palkka;3 100,00\n"
    )


@pytest.fixture
def awk_folder(file_root):
    folder = file_root / "awk"
    folder.mkdir()
    (folder / "yksikot.csv").write_text("Yksikkö;Yksikön nimi;Ylempi yksikkö;Voimassa\n9300;Päiväkoti Aurinko;;K\n")
    awk_month_files(folder, JUNE)
    return folder


@pytest.fixture
def two_sources(db, awk_folder, settings):
    """The simulator and the files source awk (unit 9300): June fetched from awk, then July fetched
    from both, awk failing (its July files are missing)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    simulator = Source.objects.create(name="simulaattori", kind="simulator", config=dict(SMALL_SIMULATION))
    awk = Source.objects.create(name="awk", kind="files", config=FileSource.config_defaults() | {"folder": "awk"})
    assert populus_fetch(source=awk, period=JUNE).status == RunStatus.DONE
    assert populus_fetch(source=simulator, period=JULY).status == RunStatus.DONE
    assert populus_fetch(source=awk, period=JULY).status == RunStatus.FAILED
    return {"simulator": simulator, "awk": awk, "unit": WorkUnit.objects.get(code="9300")}


@pytest.fixture
def subscribed(two_sources):
    """The supervisor of 9300, subscribed to its reports (in English)."""
    user = make_user("aurinko", Role.SUPERVISOR)
    supervisor_assign(unit=two_sources["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=JUNE)
    subscription_save(user=user, unit=two_sources["unit"], reports=["absences", "employments"], language="en")
    return user


def test_a_units_month_counts_as_fetched_only_when_its_own_source_fetched_it(two_sources):
    unit, simulator_unit = two_sources["unit"], WorkUnit.objects.get(code="1010")

    assert not absence_report(unit, JULY).fetched
    assert not salary_report(unit, JULY).fetched
    assert not employment_report(unit, JULY).fetched
    assert absence_report(unit, JUNE).fetched
    assert absence_report(simulator_unit, JULY).fetched
    assert salary_report(unit, date(2026, 8, 1)).previous_fetched is False


def test_a_report_over_sub_units_waits_for_every_source_that_supplies_one_of_them(two_sources):
    simulator_unit = WorkUnit.objects.get(code="1010")
    unit = two_sources["unit"]
    unit.parent = simulator_unit
    unit.save()
    from hrreports.services.organisation import unit_paths_rebuild

    unit_paths_rebuild()
    simulator_unit.refresh_from_db()

    assert absence_report(simulator_unit, JULY).fetched
    assert not absence_report(simulator_unit, JULY, include_subunits=True).fetched


def test_the_email_of_a_unit_whose_source_failed_waits_instead_of_reporting_zeros(subscribed, english):
    alerts_evaluate(period=JULY)
    summary = unit_reports_send(period=JULY)

    assert mail.outbox == []
    assert (summary.emails, summary.failed, summary.waiting) == (0, 0, 1)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING
    assert "awk" in delivery.reason and "Jul 2026" in delivery.reason
    assert DeliveryRun.objects.get().waiting == 1


def test_a_waiting_email_goes_out_when_the_sources_fetch_succeeds(
    subscribed, two_sources, awk_folder, rq_queues, django_capture_on_commit_callbacks
):
    unit_reports_send(period=JULY)
    awk_month_files(awk_folder, JULY)

    with django_capture_on_commit_callbacks(execute=True):
        assert populus_fetch(source=two_sources["awk"], period=JULY).status == RunStatus.DONE
    run_worker_burst(rq_queues)

    [message] = mail.outbox
    assert "Absence spells: 1, working days: 2" in message.body
    assert Delivery.objects.get().status == DeliveryStatus.SENT
    assert DeliveryRun.objects.order_by("pk").last().trigger == "fetch"

    with django_capture_on_commit_callbacks(execute=True):
        populus_fetch(source=two_sources["awk"], period=JULY)
    assert rq_queues["email"].count == 0  # nothing waits any more


def test_the_supervisors_page_names_the_source_whose_month_is_missing_rather_than_showing_zeros(
    subscribed, client, two_sources
):
    response = client_login(client, subscribed).get(
        f"/staff/hr/reports/units/{two_sources['unit'].pk}/absences/", {"period": "2026-07"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    assert response.context["report"].fetched is False
    page = response.content.decode()
    assert "Waiting for the data of Jul 2026 from the source awk: its fetch has not succeeded." in page
    assert "The figures below are empty, not zero." in page


def test_the_monthly_job_sends_the_units_whose_source_fetched_and_holds_the_others(subscribed, monkeypatch):
    from hrreports import jobs

    other = make_user("hallinto-esihenkilo", Role.SUPERVISOR)
    simulator_unit = WorkUnit.objects.get(code="1010")
    supervisor_assign(unit=simulator_unit, user=other, role=SupervisorRole.SUPERVISOR, valid_from=JUNE)
    subscription_save(user=other, unit=simulator_unit, reports=["absences"], language="en")
    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 8, 6))

    assert jobs.unit_reports_monthly() == "period=2026-07 reports=1 emails=1 failed=0"
    assert [message.to for message in mail.outbox] == [[other.email]]
    assert Delivery.objects.get(subscription__user=subscribed).status == DeliveryStatus.PENDING


EERO = "120388-902Y;Järvinen Eero;9300002;9300"


def test_a_unit_supplied_by_two_sources_takes_the_rows_of_both_and_waits_for_each(db, file_root, settings, english):
    """A unit made by hand with employments from two sources: neither source's rows are refused over the
    unit, and its month is fetched only when both sources have fetched it."""
    settings.POPULUS_REJECT_THRESHOLD = 0
    unit = make_unit("9300")
    sources = {}
    for name, employee in (("awk", AINO), ("bwk", EERO)):
        folder = file_root / name
        folder.mkdir()
        for period in (JUNE, JULY):
            month = f"{period:%Y%m}"
            (folder / f"palvelussuhteet_{month}.csv").write_text(
                f"{EMPLOYMENTS_HEADER}\n{employee};Kokki;Vakinainen työsuhde;1.1.2020;;100\n"
            )
            (folder / f"palkat_{month}.csv").write_text(
                f"{SALARIES_HEADER}\n{employee};{period.month}/2026;13.{period.month}.2026;1001;Palkka;3 000,00\n"
            )
        files = {"employments": "palvelussuhteet_{yyyymm}*", "salaries": "palkat_{yyyymm}*"}
        sources[name] = Source.objects.create(
            name=name, kind="files", config=FileSource.config_defaults() | {"folder": name, "files": files}
        )
    for name in ("awk", "bwk"):
        assert populus_fetch(source=sources[name], period=JUNE).status == RunStatus.DONE
    assert populus_fetch(source=sources["bwk"], period=JULY).status == RunStatus.DONE

    assert salary_report(unit, JUNE).fetched
    assert not salary_report(unit, JULY).fetched
    assert "the source awk" in period_missing_reason(JULY, units=WorkUnit.objects.filter(pk=unit.pk))
    assert WorkUnit.objects.get(pk=unit.pk).source is None


def test_switching_a_failing_source_off_leaves_its_units_month_missing(subscribed, two_sources, english):
    awk, unit = two_sources["awk"], two_sources["unit"]
    awk.active = False
    awk.save()

    summary = unit_reports_send(period=JULY)

    assert not absence_report(unit, JULY).fetched
    reason = period_missing_reason(JULY, units=WorkUnit.objects.filter(pk=unit.pk))
    assert "awk" in reason and "switched off" in reason
    assert (summary.emails, summary.waiting, mail.outbox) == (0, 1, [])
    assert Delivery.objects.get().reason == reason


def test_units_handed_over_to_a_new_source_keep_their_history(subscribed, two_sources, file_root, english):
    unit_reports_send(period=JUNE)
    two_sources["awk"].active = False
    two_sources["awk"].save()
    folder = file_root / "uusi"
    folder.mkdir()
    (folder / "yksikot.csv").write_text("Yksikkö;Yksikön nimi;Ylempi yksikkö;Voimassa\n9300;Päiväkoti Aurinko;;K\n")
    awk_month_files(folder, JULY)
    new = Source.objects.create(name="uusi", kind="files", config=FileSource.config_defaults() | {"folder": "uusi"})
    assert populus_fetch(source=new, period=JULY).status == RunStatus.DONE
    unit = WorkUnit.objects.get(code="9300")

    june = absence_report(unit, JUNE)
    again = unit_reports_send(period=JUNE, force=True)

    assert unit.source == new
    assert june.fetched
    assert absence_report(unit, JULY).fetched
    assert [month.fetched for month in absence_trend(unit, JULY)[-2:]] == [True, True]
    assert (again.emails, again.waiting) == (1, 0)
    assert Delivery.objects.get(period=JUNE).status == DeliveryStatus.SENT


def test_a_month_the_old_source_failed_still_waits_for_it_after_a_hand_over(
    subscribed, two_sources, file_root, english
):
    """awk failed July and was switched off; a new source supplies from August. July came from awk: it
    was emailed with zeros, as no source of the unit's employments was known for it."""
    two_sources["awk"].active = False
    two_sources["awk"].save()
    folder = file_root / "uusi"
    folder.mkdir()
    august = date(2026, 8, 1)
    awk_month_files(folder, august)
    new = Source.objects.create(name="uusi", kind="files", config=FileSource.config_defaults() | {"folder": "uusi"})
    assert populus_fetch(source=new, period=august).status == RunStatus.DONE
    unit = two_sources["unit"]

    summary = unit_reports_send(period=JULY)

    assert not absence_report(unit, JULY).fetched
    assert absence_report(unit, JUNE).fetched and absence_report(unit, august).fetched
    assert "awk" in period_missing_reason(JULY, units=WorkUnit.objects.filter(pk=unit.pk))
    assert (summary.emails, summary.waiting, mail.outbox) == (0, 1, [])


def test_a_new_sources_units_wait_for_it_in_the_months_before_its_first_fetch(db, file_root, settings, english):
    """The simulator fetched June; awk, added later, fetched July only. Unit 9300's June read as fetched,
    with zeros: awk's June was never fetched."""
    folder = file_root / "awk"
    folder.mkdir()
    (folder / "yksikot.csv").write_text("Yksikkö;Yksikön nimi;Ylempi yksikkö;Voimassa\n9300;Päiväkoti Aurinko;;K\n")
    awk_month_files(folder, JULY)
    simulator = Source.objects.create(name="simulaattori", kind="simulator", config=dict(SMALL_SIMULATION))
    awk = Source.objects.create(name="awk", kind="files", config=FileSource.config_defaults() | {"folder": "awk"})
    assert populus_fetch(source=simulator, period=JUNE).status == RunStatus.DONE
    assert populus_fetch(source=awk, period=JULY).status == RunStatus.DONE
    unit = WorkUnit.objects.get(code="9300")

    assert absence_report(unit, JULY).fetched
    assert not absence_report(unit, JUNE).fetched
    assert "awk" in period_missing_reason(JUNE, units=WorkUnit.objects.filter(pk=unit.pk))
    assert absence_report(WorkUnit.objects.get(code="1010"), JUNE).fetched


def test_a_waiting_email_whose_sending_process_was_stopped_keeps_waiting(subscribed):
    started = timezone.now()
    unit_reports_send(period=JULY)
    delivery = Delivery.objects.get()

    assert _delivery_stopped(delivery, force=False, since=started) == "waiting"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PENDING
    assert "awk" in delivery.reason


def test_the_waiting_emails_job_comes_back_later_while_the_monthly_run_holds_the_month(
    subscribed, two_sources, awk_folder, rq_queues
):
    from hrreports import jobs

    unit_reports_send(period=JULY)
    awk_month_files(awk_folder, JULY)
    assert populus_fetch(source=two_sources["awk"], period=JULY).status == RunStatus.DONE

    with job_lock("kuntaportaali:hrreports:unit-reports-monthly", seconds=60, queue="email") as held:
        assert held
        assert jobs.unit_reports_waiting_send(JULY) == "deferred: a delivery run of the reports is going on"
    assert mail.outbox == []
    assert rq_queues["email"].scheduled_job_registry.count == 1

    assert jobs.unit_reports_waiting_send(JULY) == "period=2026-07 reports=2 emails=1 failed=0"


def test_the_waiting_emails_job_sends_only_the_emails_held_back_for_data(subscribed, two_sources):
    other = make_user("hallinto-esihenkilo", Role.SUPERVISOR)
    simulator_unit = WorkUnit.objects.get(code="1010")
    supervisor_assign(unit=simulator_unit, user=other, role=SupervisorRole.SUPERVISOR, valid_from=JUNE)
    subscription = subscription_save(user=other, unit=simulator_unit, reports=["absences"], language="en")
    Delivery.objects.create(subscription=subscription, period=JULY)  # a run stopped before sending it

    summary = unit_reports_send(period=JULY, waiting_only=True)

    assert (summary.emails, summary.waiting, mail.outbox) == (0, 0, [])


def test_the_daily_retry_sends_the_waiting_emails_whose_data_has_arrived(
    subscribed, two_sources, awk_folder, monkeypatch
):
    from hrreports import jobs

    monkeypatch.setattr(jobs.timezone, "localdate", lambda: date(2026, 8, 7))
    unit_reports_send(period=JULY)
    assert jobs.unit_reports_failed_retry() == "nothing to retry"
    awk_month_files(awk_folder, JULY)
    assert populus_fetch(source=two_sources["awk"], period=JULY).status == RunStatus.DONE  # its job was lost

    assert jobs.unit_reports_failed_retry() == "period=2026-07 reports=2 emails=1 failed=0"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)


def test_a_dry_run_counts_the_waiting_emails_apart(subscribed):
    summary = unit_reports_send(period=JULY, dry_run=True)

    assert (summary.emails, summary.reports, summary.waiting) == (0, 0, 1)
