"""My reports: the unit pages, their tables, charts and downloads, and scoping (tampering -> 404, logged)."""

import io
from datetime import date, datetime

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hrreports.models import ReportAccess
from hrreports.models.access import AccessKind
from hrreports.models.organisation import SupervisorRole
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.pdf_text import pdf_text
from tests.hrreports.report_data import build_report_data


@pytest.fixture
def data(unit_tree):
    return build_report_data(unit_tree)


@pytest.fixture
def supervisor(data):
    user = make_user("esihenkilo-raportit", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


def in_english(client):
    """New page texts are asserted by their msgids, whatever the state of the Finnish catalogue."""
    client.cookies["kuntaportaali_language"] = "en"
    return client


def report_url(unit, kind, **params):
    query = "&".join(f"{key}={value}" for key, value in ({"period": "2026-03"} | params).items())
    return reverse("hrreports:unit-report", args=[unit.pk, kind]) + "?" + query


def test_my_reports_lists_units_in_scope_only(client, supervisor, data, unit_tree):
    client.force_login(supervisor)
    page = client.get(reverse("hrreports:reports")).content.decode()

    assert "Yksikkö 1010" in page and "Yksikkö 101010" in page
    assert "Yksikkö 2010" not in page
    assert reverse("hrreports:unit-report", args=[data["unit"].pk, "absences"]) in page


def test_absence_report_page_shows_rows_summary_and_charts(client, supervisor, data):
    client.force_login(supervisor)
    response = client.get(report_url(data["unit"], "absences", subunits="off"))
    page = response.content.decode()

    assert response.status_code == 200
    assert "Aalto Anna" in page and "Berg Bertil" in page
    assert "Cedergren Cecilia" not in page
    assert "17,9" in page  # Berg works 50 %: report_data.py's 5 sick days by working time of 28
    assert page.count('<svg class="chart"') == 2
    assert "style=" not in page and "<script" not in page
    assert ReportAccess.objects.filter(user=supervisor, kind=AccessKind.VIEW, what="absences").count() == 1


def test_sub_units_and_filters(client, supervisor, data):
    client.force_login(supervisor)
    with_sub = client.get(report_url(data["unit"], "absences", subunits="on")).content.decode()
    filtered = client.get(report_url(data["unit"], "absences", employee="berg")).content.decode()
    by_type = client.get(report_url(data["unit"], "absences", type="200")).content.decode()

    assert "Cedergren Cecilia" in with_sub
    assert "Berg Bertil" in filtered and "Aalto Anna" not in filtered.split('id="rows-heading"')[1]
    rows = by_type.split('id="rows-heading"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr") == 1 and "Vuosiloma" in rows


def test_sorting_by_a_column(client, supervisor, data):
    client.force_login(supervisor)
    page = client.get(report_url(data["unit"], "absences", sort="-working_days")).content.decode()
    rows = page.split('id="rows-heading"')[1]

    assert rows.index("Vuosiloma") < rows.index("Sairauspoissaolo, lääkärintodistus")
    assert 'aria-sort="descending"' in rows


def test_month_without_data_says_so(client, supervisor, data):
    client.force_login(supervisor)
    in_english(client)
    page = client.get(reverse("hrreports:unit-report", args=[data["unit"].pk, "salaries"])).content.decode()

    assert "No data has been fetched for this month." in page


@pytest.mark.parametrize(
    ("language", "name"),
    [("fi", "poissaolot-1010-2026-03.csv"), ("sv", "franvaro-1010-2026-03.csv"), ("en", "absences-1010-2026-03.csv")],
)
def test_a_download_is_named_in_the_readers_language(client, supervisor, data, settings, language, name):
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get(report_url(data["unit"], "absences", export="csv"))

    assert response["Content-Disposition"] == f'attachment; filename="{name}"'


def test_xlsx_download_has_typed_cells_frozen_header_and_autofilter(client, supervisor, data):
    client.force_login(supervisor)
    in_english(client)
    response = client.get(report_url(data["unit"], "salaries", export="xlsx"))
    sheet = load_workbook(io.BytesIO(response.content)).active

    assert response["Content-Disposition"] == 'attachment; filename="salaries-1010-2026-03.xlsx"'
    headers = ["Employee", "Unit", "Salary type code", "Salary type", "Amount (EUR)"]
    assert [cell.value for cell in sheet[1]] == headers
    assert sheet["A2"].value == "Aalto Anna"
    assert float(sheet["E2"].value) == 3000.0
    assert sheet["E2"].number_format == "#,##0.00"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:E5"  # four rows: the unit's three and its sub-unit's one
    assert ReportAccess.objects.filter(kind=AccessKind.DOWNLOAD, what="salaries.xlsx").count() == 1


def test_csv_download_of_the_employments_report(client, supervisor, data):
    client.force_login(supervisor)
    in_english(client)
    body = client.get(report_url(data["unit"], "employments", export="csv")).content.decode("utf-8-sig")

    assert body.splitlines()[1] == "Started,Berg Bertil,E2,1010,Avustaja,Fixed-term,2026-03-16,"


@pytest.mark.parametrize(("language", "number_format"), [("fi", "d.m.yyyy"), ("sv", "d.m.yyyy"), ("en", "dd/mm/yyyy")])
def test_xlsx_download_shows_dates_as_date_cells_in_the_readers_style(
    client, supervisor, data, settings, language, number_format
):
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    sheet = load_workbook(io.BytesIO(client.get(report_url(data["unit"], "employments", export="xlsx")).content)).active

    started = sheet["G2"]
    assert (started.value, started.number_format) == (datetime(2026, 3, 16), number_format)


@pytest.mark.parametrize("kind", ["absences", "salaries", "employments"])
def test_another_units_report_is_404_and_logged(client, supervisor, unit_tree, kind):
    client.force_login(supervisor)
    response = client.get(report_url(unit_tree["2010"], kind))

    assert response.status_code == 404
    denied = ReportAccess.objects.get(kind=AccessKind.DENIED)
    assert (denied.user, denied.unit_ref, denied.what) == (supervisor, str(unit_tree["2010"].pk), kind)


def test_parent_unit_of_the_scope_is_404(client, supervisor, unit_tree):
    client.force_login(supervisor)

    assert client.get(report_url(unit_tree["10"], "absences")).status_code == 404


def test_unknown_period_or_kind_is_404(client, supervisor, data):
    client.force_login(supervisor)

    assert client.get(report_url(data["unit"], "absences", period="2019-01")).status_code == 404
    assert client.get(report_url(data["unit"], "secrets")).status_code == 404


def test_hr_admin_sees_every_unit(client_as, data, unit_tree):
    client = client_as(Role.HR_ADMIN)

    assert client.get(report_url(unit_tree["2010"], "salaries")).status_code == 200


@pytest.mark.parametrize("role", [Role.SURVEY_MANAGER, Role.COUNCILLOR, Role.COMMUNICATIONS])
def test_other_roles_are_refused(client_as, data, role):
    assert client_as(role).get(report_url(data["unit"], "absences")).status_code == 403


def test_pdf_download_is_logged_and_follows_the_filters(client, supervisor, data):
    client.force_login(supervisor)
    in_english(client)
    response = client.get(report_url(data["unit"], "salaries", export="pdf", employee="aalto"))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="salaries-1010-2026-03.pdf"'
    text = pdf_text(response.content)
    assert "Paid salaries: 1010 Yksikkö 1010, Mar 2026" in text
    assert "Aalto Anna 1010 1001 Tehtäväkohtainen palkka 3,000.00" in text
    assert "Berg Bertil" not in text.split("per employee and salary type")[1]
    assert "6,850.50" in text  # the total is the unit's with its sub-unit, whatever the table's filter
    download = ReportAccess.objects.get(kind=AccessKind.DOWNLOAD)
    assert (download.user, download.what, download.unit, download.period) == (
        supervisor,
        "salaries.pdf",
        data["unit"],
        date(2026, 3, 1),
    )


def test_absence_pdf_download_has_the_supervisors_cases_one_per_person(client, supervisor, data, default_rules):
    from tests.hrreports.report_data import MARCH, _alert

    _alert(data["aalto"], 10, MARCH, reached_on=date(2026, 3, 12))
    _alert(data["aalto"], 20, MARCH, reached_on=date(2026, 3, 20))
    client.force_login(supervisor)
    in_english(client)

    text = pdf_text(client.get(report_url(data["unit"], "absences", export="pdf")).content)

    cases = text[text.index("Open early-support cases") : text.index("Absences per employee and type")]
    assert cases.count("Aalto Anna") == 1
    assert (
        "Aalto Anna (1010) 12/03/2026 Notify occupational health (10 spells or 30 days / 12 months) (20/03/2026); "
        "Early-support discussion (5 spells or 20 days / 12 months) (12/03/2026) Notify occupational health"
    ) in cases


@pytest.mark.parametrize("kind", ["absences", "salaries", "employments"])
def test_pdf_of_another_unit_is_404_and_logged(client, supervisor, unit_tree, data, kind):
    client.force_login(supervisor)
    response = client.get(report_url(unit_tree["2010"], kind, export="pdf"))

    assert response.status_code == 404
    assert not ReportAccess.objects.filter(kind=AccessKind.DOWNLOAD).exists()
    denied = ReportAccess.objects.get(kind=AccessKind.DENIED)
    assert (denied.user, denied.unit_ref, denied.what) == (supervisor, str(unit_tree["2010"].pk), kind)


def test_the_page_shows_the_columns_of_the_subscription_first(client, supervisor, data):
    from hrreports.services.delivery import subscription_save

    subscription_save(
        user=supervisor, unit=data["unit"], reports=["salaries"], columns={"salaries": ["employee_name", "amount"]}
    )
    client.force_login(supervisor)
    in_english(client)

    page = client.get(report_url(data["unit"], "salaries")).content.decode()
    table = page.split('id="rows-heading"')[1]
    headers = [cell.split("</th>")[0] for cell in table.split("<thead>")[1].split("</thead>")[0].split("<th")[1:]]
    assert len(headers) == 2 and "Employee" in headers[0] and "Amount (EUR)" in headers[1]
    assert "export=xlsx" in table and "columns=employee_name" in table

    every = client.get(report_url(data["unit"], "salaries") + "&columns=type_code&columns=amount").content.decode()
    assert "Salary type</a>" not in every and ">Code</a>" in every
    sheet = load_workbook(io.BytesIO(client.get(report_url(data["unit"], "salaries", export="xlsx")).content)).active
    assert [cell.value for cell in sheet[1]] == ["Employee", "Amount (EUR)"]


def test_the_page_includes_the_absence_categories_of_the_subscription(client, supervisor, data):
    from hrreports.services.delivery import subscription_save

    subscription_save(user=supervisor, unit=data["unit"], reports=["absences"], categories=["annual_leave"])
    client.force_login(supervisor)

    page = client.get(report_url(data["unit"], "absences")).content.decode()
    rows = page.split('id="rows-heading"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr") == 1 and "Vuosiloma" in rows

    all_categories = client.get(report_url(data["unit"], "absences", categories="sick_leave")).content.decode()
    rows = all_categories.split('id="rows-heading"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert rows.count("<tr") == 4 and "Vuosiloma" not in rows and "Cedergren Cecilia" in rows


def test_hr_admin_sees_each_runs_time_saved(client_as, settings, data):
    from hrreports.services.delivery import unit_reports_send

    settings.HR_MANUAL_MINUTES_PER_REPORT = 20
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user = make_user("esihenkilo-aika", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    from hrreports.services.delivery import subscription_save

    subscription_save(user=user, unit=data["unit"], reports=["absences", "salaries", "employments"])
    run = unit_reports_send(period=date(2026, 3, 1)).run
    client = in_english(client_as(Role.HR_ADMIN))

    listing = client.get(reverse("hrreports:delivery-runs")).content.decode()
    detail = client.get(reverse("hrreports:delivery-run", args=[run.pk])).content.decode()
    home = client.get(reverse("hrreports:admin")).content.decode()

    assert "3 reports × 20 min = 1.0 h" in listing
    assert "Staff time saved by all runs so far: 1.0 h (60 min)." in listing
    assert "Staff time saved: 3 reports × 20 min = 1.0 h" in " ".join(detail.split())
    assert "Latest run (Mar 2026): 3 reports delivered, 1.0 h of staff time saved." in home


def test_the_absence_page_shows_half_days_in_the_readers_number_format(client, supervisor, data):
    from hrreports.models import Absence

    Absence.objects.filter(employment=data["aalto"], absence_type__code="200").update(working_days="4.50")
    client.force_login(supervisor)

    page = client.get(report_url(data["unit"], "absences", subunits="off", type="200")).content.decode()

    rows = page.split('id="rows-heading"')[1].split("<tbody>")[1].split("</tbody>")[0]
    assert '<td class="numeric">5</td>' in rows and '<td class="numeric">4,5</td>' in rows


def test_finnish_code_names_and_titles_are_marked_finnish_where_the_page_is_not(client, supervisor, data):
    """The code lists have Finnish and Swedish names: an English page shows the Finnish one, marked so (WCAG
    3.1.2); a Swedish page shows the Swedish one, unmarked. Populus gives job titles in Finnish."""
    client.force_login(supervisor)

    english = in_english(client).get(report_url(data["unit"], "absences")).content.decode()
    salaries = client.get(report_url(data["unit"], "salaries")).content.decode()
    employments = client.get(report_url(data["unit"], "employments")).content.decode()
    client.cookies["kuntaportaali_language"] = "sv"
    swedish = client.get(report_url(data["unit"], "absences")).content.decode()

    assert '<td ><span lang="fi">Sairauspoissaolo, lääkärintodistus</span></td>' in english
    assert '<th scope="row" >1001 <span lang="fi">Tehtäväkohtainen palkka</span></th>' in salaries
    assert '<td ><span lang="fi">Avustaja</span></td>' in employments
    assert "<td >Sjukfrånvaro, läkarintyg</td>" in swedish


def test_the_type_filter_marks_the_finnish_code_names_where_the_page_is_not(client, supervisor, data):
    """The filter offers the same code names as the table shows: on an English page the Finnish ones are
    marked Finnish (WCAG 3.1.2); on a Swedish page the Swedish ones are not marked."""
    client.force_login(supervisor)

    english = in_english(client).get(report_url(data["unit"], "absences")).content.decode()
    client.cookies["kuntaportaali_language"] = "sv"
    swedish = client.get(report_url(data["unit"], "absences")).content.decode()

    assert '<option value="101" lang="fi">101 Sairauspoissaolo, lääkärintodistus</option>' in english
    assert '<option value="101">101 Sjukfrånvaro, läkarintyg</option>' in swedish
