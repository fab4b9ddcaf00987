"""Reading the values of a Populus export: each is stored as the file means it, or its row is rejected
with a reason - amounts and percentages never become other numbers, plain forms are read."""

from datetime import date, datetime
from decimal import Decimal

import pytest

from hrreports.models import Employment
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import populus_fetch
from hrreports.sources.base import SourceBatch, row_validate
from hrreports.sources.schema import parse_amount, parse_change, parse_date, parse_kind, parse_percent
from kuntaportaali.tabular.problems import ValueProblem
from kuntaportaali.tabular.values import Percent
from tests.hrreports.conftest import SAMPLE_PERIOD


def refused(parse, value) -> tuple[str, dict]:
    with pytest.raises(ValueProblem) as caught:
        parse(value)
    return caught.value.problem.code, dict(caught.value.problem.params)


@pytest.mark.parametrize(
    ("value", "amount"),
    [
        ("3 912,40", "3912.40"),
        ("3,912.40", "3912.40"),
        ("3.912,40", "3912.40"),
        ("2 345,5 €", "2345.50"),
        ("312,99-", "-312.99"),
        ("(312,99)", "-312.99"),
        ("-12,5", "-12.50"),
        ("99.95", "99.95"),
        ("1\u00a0000", "1000.00"),
        (3912.4, "3912.40"),
        (3912.3999999999996, "3912.40"),  # a spreadsheet's sum of cents
        (1880, "1880.00"),
    ],
)
def test_amounts_in_every_plain_form_are_read_exactly(value, amount):
    assert parse_amount(value) == Decimal(amount)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1.234", "value_number_ambiguous_separator"),
        ("12,345", "value_number_ambiguous_separator"),
        ("3,9124", "value_too_many_decimals"),
        (3912.405, "value_too_many_decimals"),
        ("kolme", "value_not_a_number"),
        ("12 34,5", "value_number_bad_grouping"),
        ("10000000000", "value_amount_out_of_range"),
    ],
)
def test_amounts_that_could_mean_two_things_or_would_be_rounded_are_refused(value, code):
    assert refused(parse_amount, value)[0] == code


def test_the_ambiguous_amount_reason_names_both_readings():
    assert refused(parse_amount, "1.234") == (
        "value_number_ambiguous_separator",
        {"value": "1.234", "thousands": "1 234", "decimal": "1,234", "example": "1234,00"},
    )


@pytest.mark.parametrize(
    ("value", "percent"),
    [
        (Percent(Decimal("80")), "80.00"),  # an Excel cell formatted as percent, showing 80 %
        (Percent(Decimal("0.5")), "0.50"),  # ... showing 0,5 %: the format says it is per cent
        ("80", "80.00"),
        ("80 %", "80.00"),
        ("62,5", "62.50"),
        ("0,8 %", "0.80"),
        (100, "100.00"),
    ],
)
def test_working_time_is_stored_in_per_cent(value, percent):
    assert parse_percent(value) == Decimal(percent)


@pytest.mark.parametrize(("value", "shown", "percent"), [("0,8", "0,8", "80"), (1, "1", "100"), (0.75, "0.75", "75")])
def test_a_working_time_of_at_most_one_is_refused_as_ambiguous(value, shown, percent):
    assert refused(parse_percent, value) == (
        "value_working_time_ambiguous",
        {"value": shown, "percent": percent},
    )


@pytest.mark.parametrize("value", ["0", "120", "-5"])
def test_a_working_time_outside_0_to_100_is_refused(value):
    assert refused(parse_percent, value)[0] == "value_working_time_out_of_range"


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("2.4.2026 0:00", date(2026, 4, 2)),
        ("2.4.26", date(2026, 4, 2)),
        ("02.04.2026", date(2026, 4, 2)),
        ("20260402", date(2026, 4, 2)),
        ("2026-04-02", date(2026, 4, 2)),
        (datetime(2026, 4, 2, 0, 0), date(2026, 4, 2)),
    ],
)
def test_dates_with_a_time_and_two_digit_years_are_read(value, day):
    assert parse_date(value) == day


@pytest.mark.parametrize(
    ("value", "kind", "relationship"),
    [
        ("Vakinainen virkasuhde", "permanent", "public_office"),
        ("Määräaikainen työsuhde", "fixed_term", "employment_contract"),
        ("Sijainen", "fixed_term", ""),
        ("Toistaiseksi voimassa oleva työsuhde", "permanent", "employment_contract"),
        ("vakinainen", "permanent", ""),
        ("MÄÄRÄAIKAINEN VIRKASUHDE", "fixed_term", "public_office"),
        ("Virkasuhde", "", "public_office"),
        ("Ordinarie tjänsteförhållande", "permanent", "public_office"),
        ("Visstidsanställd, arbetsavtalsförhållande", "fixed_term", "employment_contract"),
        ("Vikarie", "fixed_term", ""),
        ("Tills vidare", "permanent", ""),
        ("Permanent public office", "permanent", "public_office"),
        ("Fixed-term employment contract", "fixed_term", "employment_contract"),
        ("Substitute", "fixed_term", ""),
        ("fixed_term", "fixed_term", ""),
        ("P", "permanent", ""),
        ("M", "fixed_term", ""),
        ("Vakituinen työsuhde", "permanent", "employment_contract"),
        ("Tilapäinen", "fixed_term", ""),
        ("Fast anställning", "permanent", ""),
        ("Tidsbunden", "fixed_term", ""),
    ],
)
def test_employment_kinds_are_read_by_their_words(value, kind, relationship):
    reading = parse_kind(value)

    assert (reading.kind, reading.relationship) == (kind, relationship)


@pytest.mark.parametrize(
    ("value", "kind", "relationship"),
    [
        # A negation says the other kind (and the other relationship): these were stored as the opposite.
        ("Ei-vakinainen", "fixed_term", ""),
        ("ei vakinainen virkasuhde", "fixed_term", "public_office"),
        ("Non-permanent", "fixed_term", ""),
        ("nonpermanent", "fixed_term", ""),
        ("Not temporary", "permanent", ""),
        ("Icke-ordinarie", "fixed_term", ""),
        ("Määräaikainen, ei virkasuhde", "fixed_term", "employment_contract"),
        # Also when a word stands between: these were stored as permanent.
        ("Ei ole vakinainen", "fixed_term", ""),
        ("not a permanent one", "fixed_term", ""),
        # Not being a substitute says nothing of the kind: this was refused as contradictory.
        ("Määräaikainen (ei sijainen)", "fixed_term", ""),
        # A substitute in a public office: refused as unknown before.
        ("Viransijainen", "fixed_term", "public_office"),
        # Whom a substitute stands in for is not the substitute's own kind: refused as contradictory before.
        ("Vakinaisen sijainen", "fixed_term", ""),
        ("Vikarie för ordinarie", "fixed_term", ""),
        ("Substitute for permanent staff", "fixed_term", ""),
        # A permanent employee who substitutes (a municipality's pool of substitutes).
        ("Vakinainen sijainen", "permanent", ""),
        ("Vakituinen sijainen", "permanent", ""),
        ("Permanent substitute", "permanent", ""),
    ],
)
def test_negations_and_substitutes_are_read_as_they_mean(value, kind, relationship):
    reading = parse_kind(value)

    assert (reading.kind, reading.relationship) == (kind, relationship)


def test_an_unknown_employment_kind_is_refused_with_the_words_that_are_read():
    code, params = refused(parse_kind, "Harjoittelija")

    assert code == "value_employment_kind_unknown"
    assert params["value"] == "Harjoittelija"
    assert "vakinainen" in params["accepted"] and "virkasuhde" in params["accepted"]


def test_a_negation_that_no_kind_follows_is_refused_rather_than_ignored():
    # "Permanent: no" - storing it as permanent would be the opposite of what it says.
    code, params = refused(parse_kind, "Vakinainen: ei")

    assert (code, params["value"]) == ("value_employment_kind_unknown", "Vakinainen: ei")


def test_a_kind_that_is_both_permanent_and_fixed_term_is_refused():
    assert refused(parse_kind, "Vakinainen / määräaikainen") == (
        "value_employment_kind_contradictory",
        {"value": "Vakinainen / määräaikainen"},
    )


def test_a_control_character_in_a_name_rejects_the_row_with_the_reason():
    raw = {"code": "10", "name": "Sivistys\x00palvelut"}

    values, rejections = row_validate("units", raw, file="yksikot.csv", row=4)

    assert values is None
    assert [(r.field, r.value, r.problem.code) for r in rejections] == [
        ("name", "Sivistys\u2400palvelut", "value_control_character")
    ]


def test_a_batch_keeps_a_valid_row_and_the_rejections_of_an_invalid_one():
    batch = SourceBatch(report_type="units")

    batch.row_add({"code": "10", "name": "Sivistyspalvelut"}, file="yksikot.csv", row=2)
    batch.row_add({"code": "", "name": "Tekninen toimi"}, file="yksikot.csv", row=3)

    assert [(row["code"], row["_row"]) for row in batch.rows] == [("10", 2)]
    assert [(r.row, r.field, r.problem.code) for r in batch.rejected] == [(3, "code", "row_value_missing")]


def test_employment_kinds_and_relationships_from_the_file_are_stored(sample_source, file_root):
    from openpyxl import load_workbook

    path = file_root / "samples" / "palvelussuhteet_202603.xlsx"
    book = load_workbook(path)
    sheet = book.active
    column = next(cell.column for cell in sheet[1] if cell.value == "Palvelussuhteen laji")
    kinds = ["Vakinainen virkasuhde", "Määräaikainen työsuhde", "Sijainen"]
    for row, kind in zip(range(2, 5), kinds, strict=True):
        sheet.cell(row=row, column=column, value=kind)
    book.save(path)

    run = populus_fetch(source=sample_source, period=SAMPLE_PERIOD)

    assert run.status == RunStatus.DONE, run.error
    stored = list(Employment.objects.order_by("employment_id").values_list("kind", "relationship")[:3])
    assert stored == [("permanent", "public_office"), ("fixed_term", "employment_contract"), ("fixed_term", "")]


@pytest.mark.parametrize(
    ("value", "change"),
    [("U", "added"), ("p", "deleted"), ("Poisto", "deleted"), ("uusi", "added"), ("Lisäys", "added")],
)
def test_a_transfer_records_kind_is_read(value, change):
    assert parse_change(value) == change


@pytest.mark.parametrize("value", ["X", "muutos", "1"])
def test_a_record_kind_that_says_neither_is_refused(value):
    with pytest.raises(ValueProblem) as error:
        parse_change(value)
    assert error.value.problem.code == "value_change_unknown"
