"""The supervisor's home page (hrreports:reports): the month's figures and the open cases of the user's own
units only, one "discussed" action for all of a person's alerts, and the monthly email's link to it."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from hrreports.models import Alert, Rule
from hrreports.models.organisation import SupervisorRole
from hrreports.services.delivery import subscription_save, unit_reports_send
from hrreports.services.early_support import alerts_evaluate
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.report_data import MARCH, _absence, _employment, build_report_data

HOME = reverse("hrreports:reports")


def _supervisor(username, unit):
    user = make_user(username, Role.SUPERVISOR)
    supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


@pytest.fixture
def data(unit_tree, default_rules):
    data = build_report_data(unit_tree)
    # 30 sick days in March: Aalto (1010) reaches three rules; Vieras (2010) is another supervisor's.
    data["foreign"] = _employment(9, "Vieras Ville", unit_tree["2010"], start=date(2020, 1, 1))
    for employment in (data["aalto"], data["foreign"]):
        _absence(employment, "101", date(2026, 3, 31) - timedelta(days=29), date(2026, 3, 31))
    alerts_evaluate(period=MARCH)
    return data


@pytest.fixture
def supervisor(data, unit_tree):
    return _supervisor("esihenkilo-koti", unit_tree["1010"])


def test_home_shows_the_month_and_one_case_per_person_of_the_supervisors_units(client, supervisor, data):
    client.force_login(supervisor)
    response = client.get(HOME)
    page = response.content.decode()

    glance = response.context["glance"]
    assert (glance.period, glance.unit_count, glance.started, glance.ended) == (MARCH, 3, 1, 1)
    assert glance.salaries == Decimal("6850.50")
    for hook in ("glance-sick-rate", "glance-started", "glance-ended", "glance-salaries", "chart-home-sick-rate"):
        assert f'id="{hook}' in page
    assert [case.employee.name for case, _form in response.context["open_cases"]] == ["Aalto Anna"]
    assert page.count('class="case"') == 1
    assert f'id="case-{data["aalto"].employee_id}"' in page
    assert "Vieras Ville" not in page


def test_a_second_supervisor_sees_only_their_own_unit(client, supervisor, data, unit_tree):
    client.force_login(_supervisor("esihenkilo-toinen", unit_tree["2010"]))
    response = client.get(HOME)
    page = response.content.decode()

    assert response.context["glance"].unit_count == 1
    assert response.context["glance"].salaries == Decimal("0.00")
    assert [case.employee.name for case, _form in response.context["open_cases"]] == ["Vieras Ville"]
    assert "Aalto Anna" not in page and "Yksikkö 1010" not in page


def test_a_user_without_units_gets_the_empty_state(client, db):
    client.force_login(make_user("esihenkilo-ilman", Role.SUPERVISOR))
    response = client.get(HOME)

    assert response.status_code == 200
    assert response.context["glance"] is None
    assert 'class="empty-state"' in response.content.decode()


def test_discussed_acknowledges_all_of_the_persons_open_alerts(client, supervisor, data):
    client.force_login(supervisor)
    [(case, _form)] = client.get(HOME).context["open_cases"]
    lead = case.next_step
    foreign = Alert.objects.filter(employee=data["foreign"].employee).first()
    prefix = f"alert-{lead.pk}"

    response = client.post(
        reverse("hrreports:alert-acknowledge", args=[lead.pk]),
        {
            f"{prefix}-action_date": "2026-04-02",
            f"{prefix}-note": "Keskusteltu, työterveysneuvottelu sovittu.",
            f"{prefix}-also": [str(alert.pk) for alert in case.others] + [str(foreign.pk)],
        },
    )

    assert response.status_code == 302 and response["Location"] == HOME
    aalto = Alert.objects.filter(employee=data["aalto"].employee)
    assert aalto.count() == 3
    assert set(aalto.values_list("action_date", "action_note")) == {
        (date(2026, 4, 2), "Keskusteltu, työterveysneuvottelu sovittu.")
    }
    assert Alert.objects.get(pk=foreign.pk).is_open  # another unit's alert is not acknowledged along
    after = client.get(HOME)
    assert after.context["open_cases"] == []
    assert [case.employee.name for case in after.context["earlier_cases"]] == ["Aalto Anna"]


def test_a_discussed_form_with_a_mistake_comes_back_with_what_was_typed_and_says_what_is_wrong(
    client, supervisor, data
):
    client.force_login(supervisor)
    [(case, _form)] = client.get(HOME).context["open_cases"]
    prefix = f"alert-{case.next_step.pk}"
    note = "Keskusteltu, työterveysneuvottelu sovittu."

    response = client.post(
        reverse("hrreports:alert-acknowledge", args=[case.next_step.pk]),
        {f"{prefix}-action_date": "31.4.2026", f"{prefix}-note": note, f"{prefix}-next": HOME},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert f"{note}</textarea>" in page
    assert 'value="31.4.2026"' in page and 'aria-invalid="true"' in page
    assert re.search(rf'<div class="error-summary"[^>]* autofocus[^>]*>.*href="#id_{prefix}-action_date"', page, re.S)
    assert '<details class="case__discussed" open>' in page
    [(_case, form)] = response.context["open_cases"]
    assert list(form.errors) == ["action_date"]
    assert Alert.objects.get(pk=case.next_step.pk).is_open


def test_a_rule_without_an_english_text_shows_its_finnish_one_marked_finnish(client, supervisor, data):
    Rule.objects.update(name_en="", guidance_en="")
    client.force_login(supervisor)
    client.cookies["kuntaportaali_language"] = "en"

    response = client.get(HOME)

    page = response.content.decode()
    [(case, _form)] = response.context["open_cases"]
    rule = case.next_step.rule

    assert f'<strong>What to do next:</strong> <span lang="fi">{rule.guidance_fi}</span></p>' in page
    assert f'<span lang="fi">{rule.name}</span> (' in page


def test_report_pages_no_longer_list_the_alerts(client, supervisor, data):
    client.force_login(supervisor)
    for kind in ("absences", "salaries", "employments"):
        page = client.get(
            reverse("hrreports:unit-report", args=[data["unit"].pk, kind]) + "?period=2026-03"
        ).content.decode()
        assert 'class="case"' not in page and "alert-" not in page
        assert 'id="open-cases-line"' in page


def test_the_monthly_email_links_to_the_home(supervisor, data, settings):
    settings.PUBLIC_BASE_URL = "https://portaali.example.fi"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    subscription_save(user=supervisor, unit=data["unit"], reports=["absences"], language="en")

    unit_reports_send(period=MARCH)

    [message] = mail.outbox
    home = "https://portaali.example.fi/staff/hr/reports/"
    assert f"\n{home}\n" in message.body
    assert message.body.index(home) < message.body.index("/staff/hr/reports/units/")  # the home comes first
    assert f'href="{home}"' in message.alternatives[0][0]


def test_a_discussion_dated_in_the_future_is_refused_at_its_date_on_the_home(client, supervisor, data):
    client.force_login(supervisor)
    [(case, _form)] = client.get(HOME).context["open_cases"]
    prefix = f"alert-{case.next_step.pk}"
    tomorrow = date.today() + timedelta(days=1)

    response = client.post(
        reverse("hrreports:alert-acknowledge", args=[case.next_step.pk]),
        {f"{prefix}-action_date": tomorrow.isoformat(), f"{prefix}-note": "Sovittu.", f"{prefix}-next": HOME},
    )

    # The service's refusal was a message at the top of the home after a redirect, the date not marked.
    assert response.status_code == 400
    [(_case, form)] = response.context["open_cases"]
    assert list(form.errors) == ["action_date"]
    page = response.content.decode()
    assert re.search(rf'<div class="error-summary"[^>]* autofocus[^>]*>.*href="#id_{prefix}-action_date"', page, re.S)
    assert "Sovittu.</textarea>" in page
    assert Alert.objects.get(pk=case.next_step.pk).is_open
