"""Subscription pages: a supervisor manages their own, only for units in scope; HR administration all."""

from datetime import date

import pytest
from django.urls import reverse

from hrreports.models import Subscription
from hrreports.models.organisation import SupervisorRole
from hrreports.services.delivery import subscription_save
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user


@pytest.fixture
def supervisor(unit_tree):
    user = make_user("esihenkilo-tilaus", Role.SUPERVISOR)
    supervisor_assign(unit=unit_tree["1010"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    return user


def form_data(unit, **extra):
    return {
        "unit": unit.pk,
        "reports": ["absences", "employments"],
        "format": "link",
        "language": "sv",
        "categories": ["sick_leave"],
        "include_subunits": "on",
        "active": "on",
    } | extra


def test_supervisor_subscribes_to_a_unit_in_scope(client, supervisor, unit_tree):
    client.force_login(supervisor)
    response = client.post(reverse("hrreports:subscription-create"), form_data(unit_tree["101010"]))

    assert response.status_code == 302
    subscription = Subscription.objects.get()
    assert (subscription.user, subscription.unit.code, subscription.reports, subscription.language) == (
        supervisor,
        "101010",
        ["absences", "employments"],
        "sv",
    )
    assert "101010" in client.get(reverse("hrreports:subscriptions")).content.decode()


def test_a_unit_outside_the_scope_is_refused(client, supervisor, unit_tree):
    client.force_login(supervisor)
    response = client.post(reverse("hrreports:subscription-create"), form_data(unit_tree["2010"]))

    assert response.status_code == 200
    assert Subscription.objects.count() == 0


def test_supervisor_cannot_open_someone_elses_subscription(client, supervisor, unit_tree):
    other = make_user("toinen", Role.SUPERVISOR)
    supervisor_assign(unit=unit_tree["2010"], user=other, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    theirs = subscription_save(user=other, unit=unit_tree["2010"], reports=["absences"])
    client.force_login(supervisor)

    assert client.get(reverse("hrreports:subscription-edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("hrreports:subscription-delete", args=[theirs.pk])).status_code == 404
    assert "2010" not in client.get(reverse("hrreports:subscriptions")).content.decode()


def test_hr_admin_subscribes_a_supervisor(client_as, supervisor, unit_tree):
    client = client_as(Role.HR_ADMIN)
    response = client.post(
        reverse("hrreports:subscription-create"), form_data(unit_tree["1010"], user=supervisor.pk, format="xlsx")
    )

    assert response.status_code == 302
    assert Subscription.objects.get().user == supervisor


def test_hr_admin_cannot_subscribe_a_supervisor_outside_their_scope(client_as, supervisor, unit_tree):
    response = client_as(Role.HR_ADMIN).post(
        reverse("hrreports:subscription-create"), form_data(unit_tree["2010"], user=supervisor.pk)
    )

    assert response.status_code == 200
    assert Subscription.objects.count() == 0


def test_removing_a_subscription(client, supervisor, unit_tree):
    mine = subscription_save(user=supervisor, unit=unit_tree["1010"], reports=["absences"])
    client.force_login(supervisor)

    client.post(reverse("hrreports:subscription-delete", args=[mine.pk]))

    assert Subscription.objects.count() == 0


def test_supervisor_chooses_pdf_and_the_columns_of_each_report(client, supervisor, unit_tree):
    client.force_login(supervisor)
    data = form_data(
        unit_tree["1010"],
        format="pdf",
        columns_salaries=["amount", "employee_name"],
        columns_absences=[
            "employee_name",
            "unit_code",
            "type_code",
            "type_name",
            "spells",
            "calendar_days",
            "working_days",
        ],
    )

    assert client.post(reverse("hrreports:subscription-create"), data).status_code == 302

    subscription = Subscription.objects.get()
    assert subscription.format == "pdf"
    assert subscription.columns == {"salaries": ["employee_name", "amount"]}  # every absence column is the default
    page = client.get(reverse("hrreports:subscription-edit", args=[subscription.pk])).content.decode()
    assert 'name="columns_salaries" value="amount" id="id_columns_salaries_4" checked' in page
    assert 'name="columns_salaries" value="type_code"' in page
    assert 'name="columns_salaries" value="type_code" id="id_columns_salaries_2" checked' not in page
    assert 'name="columns_employments" value="end" id="id_columns_employments_7" checked' in page


def test_a_made_up_column_is_refused_by_the_form(client, supervisor, unit_tree):
    client.force_login(supervisor)

    response = client.post(
        reverse("hrreports:subscription-create"), form_data(unit_tree["1010"], columns_salaries=["ssn"])
    )

    assert response.status_code == 200
    assert Subscription.objects.count() == 0


def test_hr_picks_the_supervisor_by_the_name_the_subscription_list_shows(client_as, supervisor):
    supervisor.first_name, supervisor.last_name = "Elina", "Erkkilä"
    supervisor.save()

    page = client_as(Role.HR_ADMIN).get(reverse("hrreports:subscription-create")).content.decode()

    assert f'<option value="{supervisor.pk}">Elina Erkkilä (esihenkilo-tilaus)</option>' in page
