"""The HR administration pages' tables (hrreports/tables.py), as their pages render them."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from hrreports.models import (
    AbsenceType,
    Delivery,
    DeliveryRun,
    FetchRun,
    Rule,
    SalaryType,
    Source,
    Subscription,
    SupervisorAssignment,
    TeamsChannel,
)
from hrreports.models.delivery import DeliveryStatus
from hrreports.services.fetch import populus_fetch
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.conftest import SAMPLE_PERIOD

HR = Role.HR_ADMIN


@pytest.fixture
def fetched_source(sample_source):
    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    return sample_source


def table_of(page: str) -> str:
    return page.split("<table", 1)[1].split("</table>", 1)[0]


def test_the_unit_tree_indents_each_unit_by_its_level_and_names_its_supervisors(client_as, unit_tree):
    deputy = make_user("sijainen", Role.SUPERVISOR)
    deputy.first_name, deputy.last_name = "Sanna", "Sijainen"
    deputy.save()
    SupervisorAssignment.objects.create(
        unit=unit_tree["101010"], user=deputy, role="deputy", valid_from=date(2020, 1, 1)
    )

    table = table_of(client_as(HR).get(reverse("hrreports:units")).text)

    unit = unit_tree["101010"]
    assert "<caption>Yksikköpuu sekä nykyiset esihenkilöt ja varahenkilöt</caption>" in table
    assert (
        f'<th scope="row" class="unit-tree__name unit-tree__name--2">'
        f'<a href="{reverse("hrreports:unit-detail", args=[unit.pk])}">101010 Yksikkö 101010</a></th>'
        "<td >3</td><td >Sanna Sijainen (varahenkilö)</td><td >kyllä</td>"
    ) in table
    assert "20 Yksikkö 20</a></th><td >1</td><td >\u2013</td>" in table


def test_the_sources_link_their_latest_run_or_say_they_were_never_fetched(client_as, fetched_source, settings):
    unfetched = Source.objects.create(name="uusi", kind="simulator", config={})
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    table = table_of(client.get(reverse("hrreports:sources")).text)

    run = fetched_source.runs.get()
    assert "<caption>Configured sources</caption>" in table
    assert f'<td ><a href="{reverse("hrreports:run-detail", args=[run.pk])}">Mar 2026: Done</a></td>' in table
    assert (
        f'<th scope="row" ><a href="{reverse("hrreports:source-edit", args=[unfetched.pk])}">uusi</a></th>'
        "<td >Simulator (demo data)</td><td >yes</td><td >never fetched</td>"
    ) in table


def test_a_rule_without_a_threshold_shows_a_dash(client_as, default_rules, settings):
    rule = Rule.objects.create(name="Kolme jaksoa", months=6, spells_at_least=3, guidance_fi="Keskustele.")
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    table = table_of(client.get(reverse("hrreports:rules")).text)

    assert "<caption>Rules</caption>" in table and '<th scope="col" class="numeric">' in table
    assert (
        f'<th scope="row" ><a href="{reverse("hrreports:rule-edit", args=[rule.pk])}">Kolme jaksoa</a></th>'
        "<td >Spells or days in a period of months</td>"
        '<td class="numeric">6</td><td class="numeric">3</td><td class="numeric">\u2013</td><td >yes</td>'
    ) in table


def test_the_code_lists_link_each_code_to_its_own_form(client_as, db, settings):
    absence = AbsenceType.objects.create(code="800", name_fi="Opintovapaa", name_sv="Studieledighet", category="other")
    salary = SalaryType.objects.create(code="9000", name_fi="Lisä", active=False)
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("hrreports:codes")).text

    absences, salaries = page.split("<table")[1:3]
    assert "<caption>Absence types</caption>" in absences and "<caption>Salary types</caption>" in salaries
    assert (
        f'<th scope="row" ><a href="{reverse("hrreports:absence-type-edit", args=[absence.pk])}">800</a></th>'
        "<td >Opintovapaa</td><td >Studieledighet</td><td >Other absence</td><td >yes</td><td >yes</td>"
    ) in absences
    assert (
        f'<th scope="row" ><a href="{reverse("hrreports:salary-type-edit", args=[salary.pk])}">9000</a></th>'
        "<td >Lisä</td><td ></td><td >no</td>"  # a missing name is a blank, as the form leaves it
    ) in salaries


def test_each_teams_channel_has_a_remove_button_that_names_it(client_as, unit_tree, settings):
    unit_channel = TeamsChannel.objects.create(unit=unit_tree["1010"], webhook_url="https://kunta.webhook.office.com/a")
    hr_channel = TeamsChannel.objects.create(webhook_url="https://kunta.webhook.office.com/b", active=False)
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    table = table_of(client.get(reverse("hrreports:teams-channels")).text)

    assert "<caption>Teams channels</caption>" in table
    assert (
        f'<th scope="row" ><a href="{reverse("hrreports:teams-channel-edit", args=[hr_channel.pk])}">'
        "HR (a summary of every monthly run)</a></th><td >kunta.webhook.office.com</td><td >no</td>"
    ) in table
    assert f'action="{reverse("hrreports:teams-channel-delete", args=[unit_channel.pk])}"' in table
    assert 'name="csrfmiddlewaretoken"' in table
    assert f'Remove<span class="visually-hidden"> {unit_tree["1010"]}</span>' in table
    assert 'Remove<span class="visually-hidden"> HR</span>' in table


def test_a_delivery_run_sent_again_to_one_unit_says_so_in_its_row(client_as, db, settings):
    run = DeliveryRun.objects.create(
        period=SAMPLE_PERIOD,
        unit_code="1010",
        forced=True,
        reports=2,
        emails=1,
        failed=1,
        notices_sent=3,
        minutes_per_report=15,
        error="smtp down",
    )
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    table = table_of(client.get(reverse("hrreports:delivery-runs")).text)

    assert "<caption>Delivery runs, newest first</caption>" in table
    assert f'<a href="{reverse("hrreports:delivery-run", args=[run.pk])}">' in table
    assert '</a> <span class="run-status run-status--failed">Failed</span></th>' in table
    assert (
        "<td >Mar 2026 (1010)</td><td >Command line, sent again</td>"
        '<td class="numeric">2</td><td class="numeric">1</td><td class="numeric">1</td><td class="numeric">3 / 0</td>'
        "<td >2 reports × 15 min = 0.5 h\n</td>"
    ) in table


def test_the_front_page_links_the_latest_fetch_runs_with_their_status(client_as, fetched_source, settings):
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    table = table_of(client.get(reverse("hrreports:admin")).text)

    run = fetched_source.runs.get()
    assert "<caption>Latest fetch runs</caption>" in table
    assert (
        f'<th scope="row" ><a href="{reverse("hrreports:run-detail", args=[run.pk])}">tiedostot</a></th>'
        '<td >Mar 2026</td><td ><span class="run-status run-status--done">Done</span></td>'
    ) in table


def test_a_delivery_runs_time_is_helsinki_time_on_the_list_as_on_its_page(client_as, db):
    # 22.30 UTC on 31 March is 01.30 on 1 April in Helsinki (summer time, UTC+3).
    run = DeliveryRun.objects.create(period=SAMPLE_PERIOD, reports=1, emails=1, minutes_per_report=15)
    DeliveryRun.objects.filter(pk=run.pk).update(started_at=datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    client = client_as(HR)

    listed = table_of(client.get(reverse("hrreports:delivery-runs")).text)
    page = client.get(reverse("hrreports:delivery-run", args=[run.pk])).text

    assert f'<a href="{reverse("hrreports:delivery-run", args=[run.pk])}">1.4.2026 1.30</a>' in listed
    assert "1.4.2026 1.30" in page


def test_a_delivery_run_lists_the_months_failed_emails(client_as, unit_tree, settings):
    supervisor = make_user("esihenkilo-posti", Role.SUPERVISOR)
    subscription = Subscription.objects.create(user=supervisor, unit=unit_tree["1010"])
    Delivery.objects.create(
        subscription=subscription, period=SAMPLE_PERIOD, status=DeliveryStatus.FAILED, attempts=2, reason="no inbox"
    )
    run = DeliveryRun.objects.create(period=SAMPLE_PERIOD, failed=1, minutes_per_report=15)
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("hrreports:delivery-run", args=[run.pk])).text

    failed = page.split("<table")[2]
    assert "<caption>Failed deliveries</caption>" in failed
    assert (
        f'<th scope="row" ><span lang="fi">{unit_tree["1010"]}</span></th>'
        '<td >Esihenkilo-Posti</td><td class="numeric">2</td><td >–</td><td >no inbox</td>'
    ) in failed


def test_an_employee_without_absences_or_salaries_is_told_so(client, role_users, unit_tree):
    from hrreports.models import Employee, Employment

    employee = Employee(name="Uusi Ulla")
    employee.person_number = "010190-123A"
    employee.save()
    Employment.objects.create(employment_id="3000001", employee=employee, unit=unit_tree["1010"], title="")
    client.force_login(role_users[HR])

    page = client.get(reverse("hrreports:employee-detail", args=[employee.pk])).text

    employments, absences, salaries = page.split("<table")[1:4]
    assert "Työaika %" in employments and "%%" not in employments
    assert f'<th scope="row" >3000001</th><td >{unit_tree["1010"]}</td><td ></td>' in employments
    assert '<td colspan="7">Ei poissaoloja.</td>' in absences
    assert '<td colspan="4">Ei palkanmaksuja.</td>' in salaries


def test_a_unit_without_supervisors_says_nobody_is_assigned(client_as, unit_tree):
    page = client_as(HR).get(reverse("hrreports:unit-detail", args=[unit_tree["2010"].pk])).text

    table = table_of(page)
    assert "<caption>Esihenkilöt ja varahenkilöt</caption>" in table
    assert '<td colspan="5">Yksikölle ei ole nimetty ketään.</td>' in table


def test_a_fetch_run_counts_the_rows_stored_per_report(client_as, db, settings):
    source = Source.objects.create(name="simulaattori", kind="simulator", config={})
    run = FetchRun.objects.create(source=source, period=SAMPLE_PERIOD, counts={"units": 12, "absences": 12000})
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("hrreports:run-detail", args=[run.pk])).text

    counts = page.split("<table")[2]
    assert "<caption>Rows stored per report</caption>" in counts
    assert '<th scope="row" >Work units</th><td >12</td>' in counts
    assert '<th scope="row" >Absences</th><td >12,000</td>' in counts


def test_a_subscription_row_shows_its_newest_delivery_and_a_remove_button(client, unit_tree, settings):
    supervisor = make_user("esihenkilo-tilaus", Role.SUPERVISOR)
    SupervisorAssignment.objects.create(unit=unit_tree["1010"], user=supervisor, valid_from=date(2020, 1, 1))
    subscription = Subscription.objects.create(user=supervisor, unit=unit_tree["1010"], reports=["salaries"])
    Delivery.objects.create(subscription=subscription, period=date(2026, 2, 1), status=DeliveryStatus.SENT)
    Delivery.objects.create(
        subscription=subscription, period=SAMPLE_PERIOD, status=DeliveryStatus.FAILED, reason="no inbox"
    )
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    table = table_of(client.get(reverse("hrreports:subscriptions")).text)

    unit = unit_tree["1010"]
    edit = reverse("hrreports:subscription-edit", args=[subscription.pk])
    assert "<caption>Your subscriptions</caption>" in table
    assert (
        f'<th scope="row" ><a href="{edit}"><span lang="fi">{unit}</span></a></th>'
        "<td >Esihenkilo-Tilaus</td><td >Paid salaries</td><td >Link to the portal only</td><td >yes</td>"
        "<td >Mar 2026: Failed \u2013 no inbox</td>"
    ) in table
    assert f'action="{reverse("hrreports:subscription-delete", args=[subscription.pk])}"' in table
    assert f'Remove<span class="visually-hidden"> {unit}</span>' in table


def test_the_supervisor_home_links_each_unit_to_its_reports_of_the_month(client, unit_tree, settings):
    supervisor = make_user("esihenkilo-koti", Role.SUPERVISOR)
    SupervisorAssignment.objects.create(unit=unit_tree["2010"], user=supervisor, valid_from=date(2020, 1, 1))
    client.force_login(supervisor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("hrreports:reports"))

    month = response.context["glance"].period
    unit = unit_tree["2010"]
    table = response.text.split('id="reports-heading"')[1]
    assert f"<caption>Your units – reports of {month:%b %Y}</caption>" in table
    assert f'<th scope="row" ><span lang="fi">2010 {unit.name}</span></th>' in table
    salaries = reverse("hrreports:unit-report", args=[unit.pk, "salaries"])
    assert (
        f'<li><a href="{salaries}?period={month:%Y-%m}">'
        'Paid salaries<span class="visually-hidden"> – 2010</span></a></li>'
    ) in table


def test_a_tested_file_whose_every_row_is_rejected_says_no_row_would_be_stored(
    client_as, fetched_source, file_root, settings
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    lines = (file_root / "samples" / "poissaolot_202603.csv").read_text(encoding="utf-8").splitlines()
    upload = SimpleUploadedFile(
        "poissaolot.csv", "\n".join([lines[0], *lines[1:3]]).replace(".3.2026", ".4.2026").encode()
    )
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("hrreports:source-preview", args=[fetched_source.pk]),
        {"report_type": "absences", "file": upload, "period": "2026-03"},
    )

    rows, rejected = response.text.split("<table")[1:3]
    columns = len(response.context["preview"].columns)
    assert '<caption id="preview-caption">How the first rows that would be stored map</caption>' in rows
    assert '<span class="hint">column: Poissaolokoodi</span>' in rows
    assert f'<td colspan="{columns}">No row would be stored.</td>' in rows
    assert '<caption id="rejected-caption">Rows that would be rejected</caption>' in rejected
    assert "<td >poissaolot.csv</td><td >2</td>" in rejected


def test_a_file_sources_column_maps_link_to_their_forms(client_as, sample_source, settings):
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("hrreports:source-edit", args=[sample_source.pk])).text

    absences = page.split("<table")[3]
    edit = reverse("hrreports:source-columns", args=[sample_source.pk, "absences"])
    assert f'<caption>Absences – <a href="{edit}">Edit the column map of Absences</a></caption>' in absences
    assert '<th scope="row" >absence_code</th><td >Poissaolokoodi</td>' in absences
