"""Alerts in the portal: shown with their guidance to the unit's supervisor, acknowledged with the
action taken; rules edited and the access log read by HR administration."""

from datetime import date, timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from hrreports.models import Alert, FetchRun, ReportAccess, Rule, Source
from hrreports.models.access import AccessKind
from hrreports.models.organisation import SupervisorRole
from hrreports.services.codes import code_lists_ensure
from hrreports.services.early_support import alerts_evaluate
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.report_data import MARCH, _absence, _employment


@pytest.fixture
def alerts(unit_tree, default_rules):
    code_lists_ensure()
    mine = _employment(1, "Aalto Anna", unit_tree["101010"], start=date(2020, 1, 1))
    other = _employment(2, "Berg Bertil", unit_tree["2010"], start=date(2020, 1, 1))
    for employment in (mine, other):
        _absence(employment, "101", date(2026, 3, 31) - timedelta(days=29), date(2026, 3, 31))
    alerts_evaluate(period=MARCH)
    # March is the newest month of data: its alerts stay open cases, whatever day the test runs on.
    FetchRun.objects.create(source=Source.objects.create(name="testi", kind="simulator"), period=MARCH, status="done")
    return {"mine": Alert.objects.get(employee=mine.employee, rule__order=30), "other": other}


@pytest.fixture
def supervisor(unit_tree):
    user = make_user("esihenkilo-halytykset", Role.SUPERVISOR)
    supervisor_assign(unit=unit_tree["1010"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


def test_supervisor_sees_alerts_of_sub_units_with_guidance_on_the_home(client, supervisor, alerts):
    client.force_login(supervisor)
    guidance = Rule.objects.get(order=30).guidance_fi

    page = client.get(reverse("hrreports:reports")).content.decode()

    assert "Aalto Anna" in page and guidance in page
    assert "Berg Bertil" not in page
    assert ReportAccess.objects.filter(user=supervisor, what="alerts").count() == 1


def test_staff_home_and_report_pages_only_count_the_open_cases(client, supervisor, alerts, unit_tree):
    client.force_login(supervisor)
    guidance = Rule.objects.get(order=30).guidance_fi
    report = reverse("hrreports:unit-report", args=[unit_tree["1010"].pk, "salaries"]) + "?period=2026-03"

    for url in (reverse("staff-home"), report):
        page = client.get(url).content.decode()
        assert 'id="open-cases-line"' in page and f'href="{reverse("hrreports:reports")}#cases-heading"' in page
        assert "Aalto Anna" not in page.split('id="open-cases-line"')[1].split("</p>")[0]
        assert guidance not in page and f"alert-{alerts['mine'].pk}-note" not in page
    # A report of a unit without a case has no line.
    other = make_user("esihenkilo-1020", Role.SUPERVISOR)
    supervisor_assign(unit=unit_tree["1020"], user=other, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    client.force_login(other)
    page = client.get(reverse("hrreports:unit-report", args=[unit_tree["1020"].pk, "salaries"])).content.decode()
    assert 'id="open-cases-line"' not in page


def test_alerts_show_the_rule_name_and_reached_day_in_the_supervisors_language(client, supervisor, alerts):
    client.force_login(supervisor)
    finnish = client.get(reverse("hrreports:reports")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    swedish = client.get(reverse("hrreports:reports")).content.decode()

    assert "Päivä 30: ilmoitus työterveyshuoltoon" in finnish and "31.3.2026" in finnish
    assert "Dag 30: anmälan till företagshälsovården" in swedish and "31.3.2026" in swedish
    assert "Päivä 30" not in swedish


def test_hr_admin_home_has_no_alert_list(client_as, alerts):
    page = client_as(Role.HR_ADMIN).get(reverse("staff-home")).content.decode()

    assert "Aalto Anna" not in page


def test_acknowledging_an_alert(client, supervisor, alerts):
    client.force_login(supervisor)
    alert = alerts["mine"]
    prefix = f"alert-{alert.pk}"
    response = client.post(
        reverse("hrreports:alert-acknowledge", args=[alert.pk]),
        {f"{prefix}-action_date": "2026-04-01", f"{prefix}-note": "Ilmoitettu työterveyteen.", f"{prefix}-next": "/"},
    )

    assert response.status_code == 302 and response["Location"] == "/"
    alert.refresh_from_db()
    assert (alert.is_open, alert.action_note, alert.acknowledged_by) == (False, "Ilmoitettu työterveyteen.", supervisor)
    assert f"{prefix}-note" not in client.get(reverse("hrreports:reports")).content.decode()


@pytest.mark.parametrize(
    ("target", "secure", "location"),
    [
        ("https://evil.example/", True, "/staff/hr/reports/"),
        ("//evil.example/", True, "/staff/hr/reports/"),
        # Over HTTPS a plain-http address of the portal's own host would downgrade the reader's connection.
        ("http://testserver/staff/hr/", True, "/staff/hr/reports/"),
        ("https://testserver/staff/hr/", True, "https://testserver/staff/hr/"),
        ("/staff/hr/", True, "/staff/hr/"),
    ],
)
def test_acknowledging_goes_back_only_to_a_page_of_the_portal_over_the_same_scheme(
    client, supervisor, alerts, target, secure, location
):
    client.force_login(supervisor)
    alert = alerts["mine"]
    prefix = f"alert-{alert.pk}"
    response = client.post(
        reverse("hrreports:alert-acknowledge", args=[alert.pk]),
        {f"{prefix}-action_date": "2026-04-01", f"{prefix}-note": "Soitettu.", f"{prefix}-next": target},
        secure=secure,
    )

    assert response.status_code == 302
    assert response["Location"] == location


def test_acknowledging_another_units_alert_is_404_and_logged(client, supervisor, alerts):
    client.force_login(supervisor)
    foreign = Alert.objects.filter(employee=alerts["other"].employee).first()
    prefix = f"alert-{foreign.pk}"
    response = client.post(
        reverse("hrreports:alert-acknowledge", args=[foreign.pk]),
        {f"{prefix}-action_date": "2026-04-01", f"{prefix}-note": "x"},
    )

    assert response.status_code == 404
    assert Alert.objects.get(pk=foreign.pk).is_open
    assert ReportAccess.objects.filter(user=supervisor, kind=AccessKind.DENIED, what="alert").exists()


def test_hr_admin_edits_a_rule(client_as, default_rules):
    client = client_as(Role.HR_ADMIN)
    rule = Rule.objects.get(order=10)
    response = client.post(
        reverse("hrreports:rule-edit", args=[rule.pk]),
        {
            "name": rule.name,
            "name_sv": "Samtal om tidigt stöd",
            "name_en": "Early-support discussion",
            "kind": "window",
            "months": 4,
            "spells_at_least": 3,
            "days_at_least": "",
            "categories": ["sick_leave", "child_care"],
            "guidance_fi": "Keskustele.",
            "guidance_sv": "Diskutera.",
            "guidance_en": "Discuss.",
            "active": "on",
            "order": 10,
        },
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name_sv, rule.name_en, rule.months, rule.spells_at_least, rule.days_at_least, rule.categories) == (
        "Samtal om tidigt stöd",
        "Early-support discussion",
        4,
        3,
        None,
        ["sick_leave", "child_care"],
    )


def test_a_rule_needs_a_threshold(client_as, db):
    response = client_as(Role.HR_ADMIN).post(
        reverse("hrreports:rule-create"),
        {"name": "x", "kind": "window", "months": 12, "categories": ["sick_leave"], "guidance_fi": "x", "order": 1},
    )

    assert response.status_code == 200
    assert Rule.objects.filter(name="x").count() == 0


def test_access_log_lists_views_and_refusals(client, client_as, supervisor, alerts, unit_tree):
    client.force_login(supervisor)
    client.get(reverse("hrreports:unit-report", args=[unit_tree["2010"].pk, "salaries"]))
    client.logout()

    page = client_as(Role.HR_ADMIN).get(reverse("hrreports:access-log")).content.decode()

    assert "esihenkilo-halytykset" in page and "Maksetut palkat" in page
