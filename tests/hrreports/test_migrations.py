"""Data migrations of the HR reports, run forward on rows as the versions before them stored them."""

import importlib
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hrreports.models import Absence, RejectedRow
from tests.migrations import migrated_from

pytestmark = pytest.mark.migrations


@pytest.mark.django_db(transaction=True)
def test_stored_english_reasons_become_codes_once():
    old, forward = migrated_from("hrreports", "0009_rule_names_alert_reached_on")
    source = old.get_model("hrreports", "Source").objects.create(name="vanha", kind="files")
    run = old.get_model("hrreports", "FetchRun").objects.create(source=source, period="2026-03-01")
    stored = [
        ("unit_code", "777777", "unknown work unit code"),
        ("start", "2026-03-02", "duplicate row: the same absence is already on row 2"),
        ("start, paid", "31.2.2026", "start: not a real calendar date; paid: not yes or no (K/E, 1/0)"),
        ("kind", "Sijainen", "not an employment kind (vakinainen or määräaikainen)"),
        ("", "", "something no version of the portal said"),
    ]
    for row, (field, value, reason) in enumerate(stored, start=2):
        old.get_model("hrreports", "RejectedRow").objects.create(
            run=run, report_type="absences", file="poissaolot.csv", row=row, field=field, value=value, reason=reason
        )

    forward()

    converted = list(RejectedRow.objects.order_by("row", "pk").values_list("row", "field", "code", "params"))
    assert converted == [
        (2, "unit_code", "unit_unknown", {}),
        (3, "start", "absence_duplicate", {"row": 2}),
        (4, "start", "value_not_a_real_date", {}),
        (4, "paid", "value_not_yes_or_no", {}),
        (5, "kind", "value_employment_kind_unknown", {"value": "Sijainen", "accepted": "vakinainen, määräaikainen"}),
        (6, "", "reason_as_stored", {"text": "something no version of the portal said"}),
    ]


@pytest.mark.django_db(transaction=True)
def test_stored_delivery_run_errors_become_codes_and_read_as_before_in_every_language():
    worker_stopped = "The worker stopped before the run finished; start it again."
    other = "SMTPServerDisconnected: Connection unexpectedly closed"
    old, forward = migrated_from("hrreports", "0018_assignment_ended_at")
    runs = old.get_model("hrreports", "DeliveryRun").objects
    stopped = runs.create(period=date(2026, 2, 1), minutes_per_report=20, error=worker_stopped).pk
    failed = runs.create(period=date(2026, 2, 1), minutes_per_report=20, error=other).pk
    finished = runs.create(period=date(2026, 2, 1), minutes_per_report=20).pk

    forward()

    from django.utils import translation
    from django.utils.translation import gettext

    from hrreports.models import DeliveryRun

    stored = DeliveryRun.objects.in_bulk([stopped, failed, finished])
    runs = (stored[stopped], stored[failed], stored[finished])
    assert [(run.error, run.error_code, run.error_params) for run in runs] == [
        (worker_stopped, "run_worker_stopped", {}),
        (other, "reason_as_stored", {"text": other}),
        ("", "", {}),
    ]
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            # As the page showed them before: the sweep's sentence translated, any other error as written.
            assert stored[stopped].error_message == gettext(worker_stopped)
            assert stored[failed].error_message == other
            assert stored[finished].error_message == ""


@pytest.mark.django_db(transaction=True)
def test_stored_absences_get_their_month_and_a_piece_for_each_later_month_fetched():
    old, forward = migrated_from("hrreports", "0013_employment_relationship")
    source = old.get_model("hrreports", "Source").objects.create(name="vanha", kind="files")
    for month in (2, 3):
        old.get_model("hrreports", "FetchRun").objects.create(source=source, period=date(2026, month, 1), status="done")
    unit = old.get_model("hrreports", "WorkUnit").objects.create(code="10", name="Yksikkö", path="/10/")
    employee = old.get_model("hrreports", "Employee").objects.create(person_number="P1", name="Aalto Anna")
    employment = old.get_model("hrreports", "Employment").objects.create(
        employment_id="E1", employee=employee, unit=unit
    )
    absence_types = old.get_model("hrreports", "AbsenceType").objects
    sick = absence_types.get_or_create(code="101", defaults={"name_fi": "Sairaus", "category": "sick_leave"})[0]
    leave = absence_types.get_or_create(code="200", defaults={"name_fi": "Vuosiloma", "category": "annual_leave"})[0]

    def absence(kind, start, end, days):
        old.get_model("hrreports", "Absence").objects.create(
            employment=employment,
            unit=unit,
            absence_type=kind,
            start=start,
            end=end,
            calendar_days=days,
            working_days=days,
            paid=True,
            source=source,
        )

    absence(sick, date(2026, 2, 25), date(2026, 3, 10), 14)  # February's row, over into March
    absence(sick, date(2026, 3, 1), date(2026, 3, 10), 10)  # March's file reported it clipped: counted twice
    absence(leave, date(2026, 2, 23), date(2026, 3, 3), 9)  # into March, which March's file did not repeat
    absence(leave, date(2026, 3, 30), date(2026, 4, 2), 4)  # into April, not fetched

    forward()

    stored = Absence.objects.order_by("absence_type__code", "start", "period").values_list(
        "absence_type__code", "period", "start", "calendar_days"
    )
    assert list(stored) == [
        ("101", date(2026, 2, 1), date(2026, 2, 25), Decimal("14.00")),
        ("101", date(2026, 3, 1), date(2026, 3, 1), Decimal("10.00")),
        ("200", date(2026, 2, 1), date(2026, 2, 23), Decimal("9.00")),
        ("200", date(2026, 3, 1), date(2026, 2, 23), Decimal("9.00")),
        ("200", date(2026, 3, 1), date(2026, 3, 30), Decimal("4.00")),
    ]


@pytest.mark.django_db(transaction=True)
def test_stored_identity_codes_are_encrypted_and_the_plain_column_dropped():
    old, forward = migrated_from("hrreports", "0016_working_time_not_stated")
    employees = old.get_model("hrreports", "Employee").objects
    employees.create(person_number="010175-901V", name="Mäkinen Aino")
    employees.create(person_number="P2", name="")

    forward()

    from django.db import connection

    from hrreports.models import Employee
    from hrreports.person_numbers import person_number_hasher

    assert {(e.name, e.person_number) for e in Employee.objects.all()} == {("Mäkinen Aino", "010175-901V"), ("", "P2")}
    assert Employee.objects.get(person_number_hash=person_number_hasher()("P2")).name == ""
    with connection.cursor() as cursor:
        columns = {
            column.name for column in connection.introspection.get_table_description(cursor, "hrreports_employee")
        }
    assert "person_number" not in columns


def employee_reads(queries: CaptureQueriesContext) -> list[str]:
    return [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].startswith("SELECT") and 'FROM "hrreports_employee"' in query["sql"]
    ]


@pytest.fixture
def small_batches(monkeypatch):
    """Migration 0017 moving the identity codes two employees at a time."""
    migration = importlib.import_module("hrreports.migrations.0017_employee_person_number_encrypted")
    monkeypatch.setattr(migration, "BATCH", 2)


@pytest.mark.django_db(transaction=True)
def test_identity_codes_are_encrypted_in_batches_not_read_all_at_once(small_batches):
    old, forward = migrated_from("hrreports", "0016_working_time_not_stated")
    for n in range(5):
        old.get_model("hrreports", "Employee").objects.create(person_number=f"P{n}", name=f"Henkilö {n}")

    with CaptureQueriesContext(connection) as queries:
        forward()

    from hrreports.models import Employee

    assert sorted(employee.person_number for employee in Employee.objects.all()) == ["P0", "P1", "P2", "P3", "P4"]
    reads = employee_reads(queries)
    assert len(reads) >= 3 and all("LIMIT" in read for read in reads), reads


@pytest.mark.django_db(transaction=True)
def test_going_back_decrypts_the_identity_codes_into_the_plain_column_in_batches(small_batches):
    from hrreports.models import Employee

    for n, (number, name) in enumerate([("010175-901V", "Mäkinen Aino"), ("P2", ""), ("P3", "Berg"), ("P4", "")]):
        Employee.objects.create(person_number=number, name=name or f"{n}")

    with CaptureQueriesContext(connection) as queries:
        old, forward = migrated_from("hrreports", "0016_working_time_not_stated")

    try:
        stored = old.get_model("hrreports", "Employee").objects.values_list("name", "person_number")
        assert set(stored) == {("Mäkinen Aino", "010175-901V"), ("1", "P2"), ("Berg", "P3"), ("3", "P4")}
        reads = employee_reads(queries)
        assert len(reads) >= 2 and all("LIMIT" in read for read in reads), reads
    finally:
        forward()  # the tests after this one expect the newest schema


@pytest.mark.django_db(transaction=True)
def test_a_unit_gets_the_source_of_its_employments_when_they_came_from_one():
    old, forward = migrated_from("hrreports", "0019_delivery_run_error_code")
    source = old.get_model("hrreports", "Source").objects
    first, second = source.create(name="a", kind="files"), source.create(name="b", kind="files")
    # A source that has stored units: 0023 takes the unit's source back from one that never has.
    old.get_model("hrreports", "FetchRun").objects.create(
        source=first, period="2026-03-01", status="done", counts={"units": 1}
    )
    unit = old.get_model("hrreports", "WorkUnit").objects
    one, mixed, _empty = (unit.create(code=code, name=code, path=f"/{code}/") for code in ("1", "2", "3"))
    employee = old.get_model("hrreports", "Employee").objects.create(
        person_number_hash="h", person_number_encrypted=b"x"
    )
    employment = old.get_model("hrreports", "Employment").objects
    for employment_id, work_unit, supplier in (("E1", one, first), ("E2", mixed, first), ("E3", mixed, second)):
        employment.create(employment_id=employment_id, employee=employee, unit=work_unit, source=supplier)

    forward()

    from hrreports.models import WorkUnit

    assert dict(WorkUnit.objects.values_list("code", "source__name")) == {"1": "a", "2": None, "3": None}


@pytest.mark.django_db(transaction=True)
def test_a_unit_keeps_as_its_source_only_one_that_delivered_a_units_file():
    """0020 gave units the source of their employments, which may be a payroll source with no units file:
    the tree source's units file was then refused. Only a source whose fetch stored units keeps them."""
    old, forward = migrated_from("hrreports", "0022_run_trigger_retry")
    source = old.get_model("hrreports", "Source").objects
    tree, payroll = source.create(name="puu", kind="files"), source.create(name="palkat", kind="files")
    run = old.get_model("hrreports", "FetchRun").objects
    run.create(source=tree, period="2026-03-01", status="done", counts={"units": 2})
    run.create(source=payroll, period="2026-03-01", status="done", counts={"employments": 5, "salaries": 9})
    unit = old.get_model("hrreports", "WorkUnit").objects
    for code, supplier in (("1", tree), ("2", payroll), ("3", None)):
        unit.create(code=code, name=code, path=f"/{code}/", source=supplier)

    forward()

    from hrreports.models import WorkUnit

    assert dict(WorkUnit.objects.values_list("code", "source__name")) == {"1": "puu", "2": None, "3": None}


@pytest.mark.django_db(transaction=True)
def test_plain_source_tokens_and_teams_addresses_are_encrypted_once():
    from hrreports.models import Source, TeamsChannel

    old, forward = migrated_from("hrreports", "0025_employment_months")
    sources = old.get_model("hrreports", "Source").objects
    sources.create(name="rajapinta", kind="http", config={"base_url": "https://p.example.fi/api", "token": "avain-1"})
    sources.create(name="ilman", kind="http", config={"base_url": "https://p.example.fi/api", "token": ""})
    sources.create(name="tiedostot", kind="files", config={"folder": "kunta"})
    address = "https://kunta.webhook.office.com/webhookb2/salainen-polku"
    old.get_model("hrreports", "TeamsChannel").objects.create(webhook_url=address)

    forward()

    configs = dict(Source.objects.values_list("name", "config"))
    assert "token" not in configs["rajapinta"] and "avain-1" not in str(configs["rajapinta"])
    assert configs["ilman"] == {"base_url": "https://p.example.fi/api", "token_encrypted": ""}
    assert configs["tiedostot"] == {"folder": "kunta"}
    assert TeamsChannel.objects.get().webhook_url == address
    assert "salainen-polku" not in TeamsChannel.objects.get().webhook_url_encrypted


@pytest.mark.django_db(transaction=True)
def test_stored_absences_were_reported_in_the_file_of_the_month_they_count_in():
    old, forward = migrated_from("hrreports", "0026_credentials_encrypted")
    unit = old.get_model("hrreports", "WorkUnit").objects.create(code="10", name="Yksikkö", path="/10/")
    employee = old.get_model("hrreports", "Employee").objects.create(
        person_number_hash="h1", person_number_encrypted=b"", name="Aalto Anna"
    )
    employment = old.get_model("hrreports", "Employment").objects.create(
        employment_id="E1", employee=employee, unit=unit
    )
    sick = old.get_model("hrreports", "AbsenceType").objects.get_or_create(
        code="101", defaults={"name_fi": "Sairaus", "category": "sick_leave"}
    )[0]
    for period in (date(2026, 2, 1), date(2026, 3, 1)):  # an absence over two months, in both months' files
        old.get_model("hrreports", "Absence").objects.create(
            employment=employment,
            unit=unit,
            absence_type=sick,
            period=period,
            start=date(2026, 2, 25),
            end=date(2026, 3, 10),
            calendar_days=14,
            working_days=10,
            paid=True,
        )

    forward()

    assert list(Absence.objects.order_by("period").values_list("period", "reported_in")) == [
        (date(2026, 2, 1), date(2026, 2, 1)),
        (date(2026, 3, 1), date(2026, 3, 1)),
    ]


@pytest.mark.django_db(transaction=True)
def test_the_default_rules_guidance_says_which_days_are_counted_and_an_edited_one_is_kept():
    from hrreports.models import Rule
    from hrreports.rule_defaults import DAYS_COUNTED, DEFAULT_RULES

    old, forward = migrated_from("hrreports", "0028_absence_deletion")
    rules = old.get_model("hrreports", "Rule").objects
    rules.all().delete()
    discussion, day_30 = DEFAULT_RULES[0], DEFAULT_RULES[2]
    for values in (discussion, day_30):
        rules.create(
            **{key: value for key, value in values.items() if not key.startswith("guidance")},
            **{
                f"guidance_{lang}": values[f"guidance_{lang}"].removesuffix(" " + DAYS_COUNTED[lang])
                for lang in DAYS_COUNTED
            },
        )
    rules.filter(name=day_30["name"]).update(guidance_fi="Oma ohje.")

    forward()

    assert Rule.objects.get(name=discussion["name"]).guidance_en == discussion["guidance_en"]
    assert discussion["guidance_en"].endswith("including the weekends and public holidays within a sick leave.")
    edited = Rule.objects.get(name=day_30["name"])
    assert (edited.guidance_fi, edited.guidance_sv) == ("Oma ohje.", day_30["guidance_sv"])
