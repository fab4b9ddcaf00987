"""How the report pages present their figures to a Finnish supervisor: euros as in the PDF, dates the
browser's date picker accepts, charts with captions and gaps, sub-units by default, downloads that
Finnish Excel reads as numbers, and the access log in words."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from hrreports.models import FetchRun
from hrreports.models.access import AccessKind
from hrreports.models.organisation import SupervisorRole
from hrreports.report_forms import AcknowledgeForm
from hrreports.services.access import report_access_record
from hrreports.services.delivery import subscription_save
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from kuntaportaali.spreadsheets import Column, csv_bytes
from tests.conftest import make_user
from tests.hrreports.report_data import _salary, build_report_data, mark_fetched

NBSP = "\xa0"


@pytest.fixture
def data(unit_tree):
    return build_report_data(unit_tree)


@pytest.fixture
def supervisor(data):
    user = make_user("esihenkilo-esitys", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


def report_url(unit, kind, **params):
    query = "&".join(f"{key}={value}" for key, value in ({"period": "2026-03"} | params).items())
    return reverse("hrreports:unit-report", args=[unit.pk, kind]) + "?" + query


def rows_of(page: str) -> str:
    return page.split('id="rows-heading"')[1].split("<tbody>")[1].split("</tbody>")[0]


def test_salary_totals_and_rows_are_euros_with_two_decimals_and_grouped_thousands(client, supervisor, data):
    mark_fetched(date(2026, 2, 1))
    _salary(data["aalto"], date(2026, 2, 1), "2001", "2000.00")  # evening work falls by 1 849,50
    client.force_login(supervisor)

    page = client.get(report_url(data["unit"], "salaries")).content.decode()
    totals = page.split('id="summary-heading"')[1].split("</table>")[0]

    # 1001: 3000 + 1200 + 2500 this month (with the sub-unit), 2900 in February.
    assert (
        f'<td class="numeric">6{NBSP}700,00</td><td class="numeric">2{NBSP}900,00</td>'
        f'<td class="numeric">3{NBSP}800,00</td>'
    ) in totals
    assert (
        f'<td class="numeric">150,50</td><td class="numeric">2{NBSP}000,00</td><td class="numeric">-1{NBSP}849,50</td>'
        in (totals)
    )
    # The unit's total is the table's footer, its row named, the change also in per cent (+39.8 %).
    footer = totals.split("<tfoot>")[1].split("</tfoot>")[0]
    assert '<th scope="row" >Yksikkö yhteensä</th>' in footer
    assert (
        f'<td class="numeric">6{NBSP}850,50</td><td class="numeric">4{NBSP}900,00</td>'
        f'<td class="numeric">1{NBSP}950,50 (39,8 %)</td>'
    ) in footer
    assert f'<td class="numeric">3{NBSP}000,00</td>' in rows_of(page)  # Aalto's 1001 row


def test_date_fields_render_their_value_as_iso_for_the_date_picker(client_as, unit_tree):
    page = client_as(Role.HR_ADMIN).get(reverse("hrreports:unit-detail", args=[unit_tree["2010"].pk])).text

    assert f'name="valid_from" value="{timezone.localdate().isoformat()}"' in page
    assert 'value="2026-04-02"' in str(AcknowledgeForm(initial={"action_date": date(2026, 4, 2)})["action_date"])


def test_charts_have_visible_captions_and_leave_months_not_fetched_empty(client, supervisor, data):
    client.force_login(supervisor)

    page = client.get(report_url(data["unit"], "absences")).content.decode()
    section = page.split('id="charts-heading"')[1]
    figures = section.split("<figure")[1:3]

    assert len(figures) == 2 and all(figure.index("<figcaption>") < figure.index("<svg") for figure in figures)
    assert "<strong>Poissaolojen työpäivät kuukausittain</strong>" in figures[0]
    assert "<strong>Sairauspoissaoloprosentti kuukausittain (%)</strong>" in figures[1]
    # Only March 2026 was fetched: one bar, one point, and the other 11 months named as gaps.
    assert figures[0].count("<rect") == 1 and figures[1].count("<circle") == 1
    assert "4/2025, 5/2025, 6/2025, 7/2025, 8/2025, 9/2025, 10/2025, 11/2025, 12/2025, 1/2026, 2/2026." in figures[0]
    assert "4/2025 – ei haettu" in section


def test_a_unit_with_sub_units_includes_them_unless_asked_for_the_unit_only(client, supervisor, data):
    client.force_login(supervisor)

    default = client.get(report_url(data["unit"], "absences")).content.decode()
    alone = client.get(report_url(data["unit"], "absences", subunits="off")).content.decode()
    explicit = client.get(report_url(data["unit"], "absences", subunits="on")).content.decode()

    assert "Cedergren Cecilia" in rows_of(default) and "Cedergren Cecilia" in rows_of(explicit)
    assert "Cedergren Cecilia" not in rows_of(alone)
    assert '<option value="on" selected>' in default and '<option value="off" selected>' in alone
    assert "subunits=off" in alone.split('class="hr-subnav"')[1].split("</nav>")[0]  # the other reports keep it


def test_the_subscriptions_choice_of_sub_units_comes_first(client, supervisor, data):
    subscription_save(user=supervisor, unit=data["unit"], reports=["absences"], include_subunits=False)
    client.force_login(supervisor)

    page = client.get(report_url(data["unit"], "absences")).content.decode()

    assert "Cedergren Cecilia" not in rows_of(page) and '<option value="off" selected>' in page


def test_a_unit_without_sub_units_offers_no_sub_unit_choice(client_as, data):
    page = client_as(Role.HR_ADMIN).get(report_url(data["sub"], "absences")).content.decode()

    assert "Cedergren Cecilia" in rows_of(page) and 'name="subunits"' not in page


def test_csv_download_has_decimal_commas_in_finnish_and_points_in_english(client, supervisor, data):
    client.force_login(supervisor)

    finnish = client.get(report_url(data["unit"], "salaries", export="csv")).content.decode("utf-8-sig")
    client.cookies["kuntaportaali_language"] = "en"
    english = client.get(report_url(data["unit"], "salaries", export="csv")).content.decode("utf-8-sig")

    assert "Aalto Anna;1010;2001;Iltatyölisä;150,50\r\n" in finnish
    assert "Aalto Anna,1010,2001,Iltatyölisä,150.50\r\n" in english


@pytest.mark.parametrize(
    ("language", "expected"), [("fi", "1;4106,96\r\n"), ("sv", "1;4106,96\r\n"), ("en", "1,4106.96\r\n")]
)
def test_csv_numbers_follow_the_languages_excel(language, expected):
    content = csv_bytes(columns=[Column("n"), Column("euros")], rows=[[1, Decimal("4106.96")]], language=language)

    assert content.decode("utf-8-sig").endswith(expected)


def test_access_log_names_what_was_opened_and_pages_like_the_other_tables(client_as, data):
    hr_admin = client_as(Role.HR_ADMIN)
    user = make_user("esihenkilo-loki", Role.SUPERVISOR)
    report_access_record(user=user, kind=AccessKind.DOWNLOAD, what="salaries.csv", unit=data["unit"])
    report_access_record(user=user, kind=AccessKind.VIEW, what="alerts")
    for _index in range(50):
        report_access_record(user=user, kind=AccessKind.VIEW, what="absences", unit=data["unit"])

    first = hr_admin.get(reverse("hrreports:access-log")).text
    second = hr_admin.get(reverse("hrreports:access-log") + "?page=2").text

    assert "<td >Poissaolot</td>" in first and ">absences<" not in first
    assert "<td >Maksetut palkat (CSV)</td>" in second and "<td >Varhaisen tuen hälytykset</td>" in second
    assert "<td >Ladattu</td>" in second and ">download<" not in second
    assert '<nav class="pagination" aria-label="Taulukon sivut">' in first and "Sivu 1 / 2" in first
    assert 'class="next"' not in first  # not django-tables2's own pager


def test_run_pages_give_the_finish_time_no_plural_heading(client_as, data):
    run = FetchRun.objects.get(period=date(2026, 3, 1))

    page = client_as(Role.HR_ADMIN).get(reverse("hrreports:run-detail", args=[run.pk])).text

    assert "Päättyneet" not in page


def test_salary_totals_of_a_previous_month_not_fetched_are_dashes_not_a_change_from_it(client, supervisor, data):
    # February's payments are stored, but the month was never fetched (report_data).
    client.force_login(supervisor)

    page = client.get(report_url(data["unit"], "salaries")).content.decode()
    totals = page.split('id="summary-heading"')[1].split("</section>")[0]

    assert f"2{NBSP}900,00" not in totals
    footer = totals.split("<tfoot>")[1].split("</tfoot>")[0]
    assert f'<td class="numeric">6{NBSP}850,50</td><td class="numeric">–</td><td class="numeric">–</td>' in footer
    assert "Edellistä kuukautta (2/2026) ei ole haettu, joten muutosta ei näytetä." in totals


def test_the_home_gives_no_salaries_of_a_previous_month_not_fetched(client, supervisor, data):
    client.force_login(supervisor)

    page = client.get(reverse("hrreports:reports")).content.decode()

    assert "Edellisenä kuukautena maksetut palkat" not in page
    assert "Edellistä kuukautta (2/2026) ei ole haettu." in page


def test_an_employment_without_an_end_shows_the_same_dash_as_every_empty_figure(client, supervisor, data):
    client.force_login(supervisor)

    rows = rows_of(client.get(report_url(data["unit"], "employments")).content.decode())

    berg = rows.split("Berg Bertil")[1].split("</tr>")[0]
    assert "16.3.2026</td><td >–</td>" in berg.replace("\n", "")
    assert "—" not in rows
