"""The three unit reports as PDF and XLSX documents on the hand-built dataset of report_data.py: the
figures, the charts, the alerts with their guidance, and the columns a subscriber chose."""

import io
import re
from datetime import date

import pytest
from django.utils import translation
from openpyxl import load_workbook

from hrreports.models import Rule
from hrreports.models.organisation import SupervisorRole
from hrreports.report_tables import REPORT_TABLES
from hrreports.reports import report_units
from hrreports.reports.columns import REPORT_COLUMNS, columns_validate
from hrreports.reports.documents import report_build, report_pdf, report_xlsx
from hrreports.services.organisation import supervisor_assign
from hrreports.supervisor_home import early_support_cases
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.pdf_text import pdf_text
from tests.hrreports.report_data import APRIL_DAY, MARCH, _alert, build_report_data, mark_fetched


@pytest.fixture
def data(unit_tree):
    return build_report_data(unit_tree)


def render(kind, unit, *, language="en", include_subunits=False, period=MARCH, **options) -> str:
    with translation.override(language):
        report = report_build(kind, unit, period, include_subunits=include_subunits)
        return pdf_text(report_pdf(kind, report, **options))


def test_absence_pdf_has_the_unit_month_summary_rows_and_charts(data):
    text = render("absences", data["unit"])

    assert "Absences: 1010 Yksikkö 1010, Mar 2026" in text
    # The months side by side: this month, the previous month (not fetched) and March 2025 (idem).
    assert "This month (Mar 2026) Previous month (Feb 2026) – not fetched Same month last year (Mar 2025)" in text
    # Months never fetched show "–" (February's rows were stored without a fetch run: not counted).
    assert "Spells 4 – – Calendar days 12 – – Working days 11 – –" in text
    assert "Sick-leave working days by working time 5.0 – –" in text
    assert "Planned working days 28.0 – – Sick-leave rate % 17.9 – –" in text
    assert "Aalto Anna 1010 200 Vuosiloma 1 5 5" in text
    assert "Berg Bertil 1010 102 Sairauspoissaolo, oma ilmoitus 1 2 2" in text
    assert "Cedergren Cecilia" not in text
    # Both charts are drawn: their months and years are text in the PDF.
    assert "Absence working days by month" in text and "Sick-leave rate by month (%)" in text
    assert text.count("4 5 6 7 8 9 10 11 12 1 2 3 2025 2026") == 2
    # Only March 2026 was fetched: the other months are "–", not zeros (February's rows came unfetched).
    assert "Absences and sick-leave rate by month (–: not fetched)" in text
    assert "Absence working days – – – – – – – – – – – 11" in text
    assert "Sick-leave rate % – – – – – – – – – – – 17.9" in text
    assert "No open early-support cases." in text


def test_absence_pdf_with_sub_units_in_finnish(data):
    text = render("absences", data["unit"], language="fi", include_subunits=True)

    assert "Poissaolot: 1010 Yksikkö 1010, 3/2026" in text
    assert "Cedergren Cecilia 101010 101" in text
    assert "Suunnitellut työpäivät 35,0 – –" in text
    assert "Sairauspoissaoloprosentti 20,0 – –" in text


@pytest.fixture
def supervisor(data):
    user = make_user("esihenkilo-pdf", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


@pytest.fixture
def cases(data, default_rules, supervisor):
    """Aalto reached three rules in March: one case. Berg's alert was discussed on APRIL_DAY."""
    aalto = data["aalto"]
    _alert(aalto, 10, MARCH, reached_on=date(2026, 3, 12))
    _alert(aalto, 30, MARCH, reached_on=date(2026, 3, 25))
    _alert(aalto, 20, MARCH, reached_on=date(2026, 3, 20))
    _alert(data["berg"], 10, MARCH, acknowledged=True)
    return early_support_cases(supervisor, today=APRIL_DAY, units=report_units(data["unit"], include_subunits=False))


def early_support_section(text: str) -> str:
    return text[text.index("Early-support cases") : text.index("Absences per employee and type")]


def test_absence_pdf_lists_each_person_once_with_their_rules_since_and_next_step(data, cases):
    with translation.override("en"):
        next_step = " ".join(Rule.objects.get(order=30).guidance.split())
    text = render("absences", data["unit"], cases=cases)

    section = early_support_section(text)
    assert section.count("Aalto Anna") == 1
    assert (
        "Aalto Anna (1010) 12/03/2026 Day 30: notify occupational health (25/03/2026); Notify occupational health "
        "(10 spells or 30 days / 12 months) (20/03/2026); Early-support discussion (5 spells or 20 days / 12 "
        f"months) (12/03/2026) {next_step}"
    ) in section


def test_absence_pdf_lists_earlier_cases_with_the_day_they_were_discussed(data, cases):
    section = early_support_section(render("absences", data["unit"], cases=cases))

    earlier = section[section.index("Earlier and closed cases") :]
    assert "Berg Bertil (1010) Early-support discussion (5 spells or 20 days / 12 months), Mar 2026: discussed on " in (
        earlier
    )
    assert "10/04/2026" in earlier
    assert "Keskusteltu." not in section  # the note stays in the portal, out of emailed attachments
    assert "Aalto Anna" not in earlier


def test_absence_pdf_in_swedish_names_the_rules_in_swedish(data, cases):
    text = render("absences", data["unit"], language="sv", cases=cases)

    assert "Aalto Anna (1010) 12.3.2026 Dag 30: anmälan till företagshälsovården (25.3.2026);" in text


def test_absence_pdf_without_cases_says_so(data, supervisor, default_rules):
    cases = early_support_cases(supervisor, today=APRIL_DAY, units=report_units(data["unit"], include_subunits=False))

    text = render("absences", data["unit"], cases=cases)

    assert "No open early-support cases." in text
    assert "Earlier and closed cases" not in text


def test_salary_pdf_has_type_totals_change_and_rows_in_finnish(data):
    mark_fetched(date(2026, 2, 1))
    text = render("salaries", data["unit"], language="fi")

    assert "Maksetut palkat: 1010 Yksikkö 1010, 3/2026" in text
    assert "1001 Tehtäväkohtainen palkka 4 200,00 2 900,00 1 300,00" in text
    assert "4 350,50 2 900,00 1 450,50 (50,0 %)" in text
    assert "Aalto Anna 1010 2001 Iltatyölisä 150,50" in text
    assert "Berg Bertil 1010 1001 Tehtäväkohtainen palkka 1 200,00" in text


def test_salary_pdf_gives_no_change_from_a_previous_month_not_fetched(data):
    # February's payments are stored, but the month was never fetched (report_data).

    text = render("salaries", data["unit"], language="fi")

    assert "1001 Tehtäväkohtainen palkka 4 200,00 – –" in text
    assert "Yksikkö yhteensä 4 350,50 – –" in text
    assert "Edellistä kuukautta (2/2026) ei ole haettu, joten muutosta ei näytetä." in text
    assert "2 900,00" not in text


def test_employments_pdf_lists_who_started_and_who_left(data):
    alone = render("employments", data["unit"])
    with_sub = render("employments", data["unit"], include_subunits=True)

    assert "Employments started: 1, ended: 0" in alone
    # No end date: a dash, as on the screen, not a blank that reads as a figure left out.
    assert alone.endswith(
        "Started Berg Bertil E2 1010 Avustaja Fixed-term 16/03/2026 \u2013 Kuntaportaali \u2013 "
        "1010 Yksikkö 1010, Mar 2026 1 / 1"
    )
    assert "Employments started: 1, ended: 1" in with_sub
    assert "Ended Cedergren Cecilia E3 101010 Opettaja Permanent 01/01/2020 10/03/2026" in with_sub


def test_a_month_without_data_says_so_in_the_pdf(data):
    text = render("salaries", data["unit"], period=date(2026, 5, 1))

    assert "No data has been fetched for this month." in text
    assert "No rows for this month." in text


def test_pdf_shows_only_the_chosen_columns(data):
    text = render("salaries", data["unit"], columns=["employee_name", "amount"])

    assert "Employee Amount (EUR) Aalto Anna 3,000.00 Aalto Anna 150.50 Berg Bertil 1,200.00" in text
    assert "Salary type code" not in text


def test_pdf_names_the_absence_categories_it_includes(data):
    with translation.override("en"):
        report = report_build("absences", data["unit"], MARCH, include_subunits=False, categories={"annual_leave"})
        text = pdf_text(report_pdf("absences", report, categories=["annual_leave"]))

    assert "Absence categories Annual leave" in text
    assert "Aalto Anna 1010 200 Vuosiloma 1 5 5" in text
    assert "Sairauspoissaolo" not in text.split("Absences per employee and type")[1]


def test_xlsx_has_the_chosen_columns_in_the_reports_order(data):
    with translation.override("en"):
        report = report_build("absences", data["unit"], MARCH, include_subunits=False)
        content = report_xlsx("absences", report, columns=["working_days", "employee_name", "type_code"])
    sheet = load_workbook(io.BytesIO(content)).active

    assert [cell.value for cell in sheet[1]] == ["Employee", "Absence type code", "Working days"]
    assert [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        ["Aalto Anna", "101", 1],
        ["Aalto Anna", "102", 3],
        ["Aalto Anna", "200", 5],
        ["Berg Bertil", "102", 2],
    ]
    assert sheet.auto_filter.ref == "A1:C5"


def test_column_choices_are_validated_and_every_column_is_stored_as_the_default():
    assert columns_validate({"salaries": ["amount", "employee_name"]}) == {"salaries": ["employee_name", "amount"]}
    assert columns_validate({"absences": [key.key for key in REPORT_COLUMNS["absences"]], "salaries": []}) == {}
    with pytest.raises(ValueError, match="salary"):
        columns_validate({"absences": ["salary"]})
    with pytest.raises(ValueError, match="payslips"):
        columns_validate({"payslips": ["amount"]})


@pytest.mark.parametrize("kind", list(REPORT_COLUMNS))
def test_each_reports_table_has_exactly_the_reports_columns(kind):
    assert list(REPORT_TABLES[kind].base_columns) == [column.key for column in REPORT_COLUMNS[kind]]


def test_half_days_show_as_halves_in_the_pdf_xlsx_and_csv(data):
    from hrreports.models import Absence
    from hrreports.reports.export import report_sheet

    # Cedergren's two sick days were half days: 1 calendar day and 1 working day in all.
    Absence.objects.filter(employment=data["ceder"]).update(calendar_days="1.00", working_days="1.00")
    Absence.objects.filter(employment=data["aalto"], absence_type__code="200").update(working_days="4.50")

    text = render("absences", data["unit"], language="fi", include_subunits=True)
    with translation.override("fi"):
        report = report_build("absences", data["unit"], MARCH, include_subunits=True)
        sheet = load_workbook(io.BytesIO(report_xlsx("absences", report))).active
        csv_text = report_sheet("absences", report, report.rows).csv().decode("utf-8-sig")

    assert re.search(r"Aalto Anna 1010 200 Vuosiloma 1 5 4,5(?![0-9])", text)
    assert re.search(r"Cedergren Cecilia 101010 101 Sairauspoissaolo, lääkärintodistus 1 1 1(?![0-9,])", text)
    vacation = next(row for row in sheet.iter_rows(min_row=2, values_only=False) if row[2].value == "200")
    assert (float(vacation[6].value), vacation[6].number_format) == (4.5, "General")
    assert "Aalto Anna;1010;200;Vuosiloma;1;5;4,5" in csv_text
