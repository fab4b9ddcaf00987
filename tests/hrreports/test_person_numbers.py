"""Employees' identity codes (henkilötunnus): encrypted at rest, matched by a keyed hash, shown masked,
in full only when HR asks (and that is logged)."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.urls import reverse

from hrreports.models import Employee, ReportAccess
from hrreports.models.access import AccessKind
from hrreports.person_numbers import person_number_mask
from hrreports.services.fetch import populus_fetch
from kuntaportaali.roles import Role
from tests.hrreports.conftest import SAMPLE_PERIOD

AINO = "010175-901V"  # Mäkinen Aino of docs/samples/populus


@pytest.fixture
def fetched(sample_source):
    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    return sample_source


def stored_employee_rows() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM hrreports_employee")
        return cursor.fetchall()


def test_identity_codes_are_stored_encrypted_and_nowhere_in_the_clear(fetched):
    rows = stored_employee_rows()
    with connection.cursor() as cursor:
        columns = [
            column.name for column in connection.introspection.get_table_description(cursor, "hrreports_employee")
        ]

    assert len(rows) == Employee.objects.count() > 1
    assert "person_number" not in columns
    stored = [bytes(value) if isinstance(value, memoryview) else str(value).encode() for row in rows for value in row]
    assert not any(AINO.encode() in value for value in stored)
    assert Employee.objects.get(name="Mäkinen Aino").person_number == AINO


def test_fetching_again_matches_the_same_employees_by_the_keyed_hash(fetched):
    before = dict(Employee.objects.values_list("person_number_hash", "pk"))

    populus_fetch(source=fetched, period=SAMPLE_PERIOD)

    assert dict(Employee.objects.values_list("person_number_hash", "pk")) == before


def test_after_a_new_encryption_key_is_put_in_front_codes_still_read_and_match(fetched, settings):
    count = Employee.objects.count()
    settings.PHONE_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), *settings.PHONE_ENCRYPTION_KEYS]

    populus_fetch(source=fetched, period=SAMPLE_PERIOD)

    assert Employee.objects.count() == count
    assert Employee.objects.get(name="Mäkinen Aino").person_number == AINO


@pytest.mark.parametrize(
    ("code", "masked"),
    [
        ("010175-901V", "010175-****"),
        ("131052A308T", "131052A****"),
        ("010199Y901X", "010199Y****"),
        ("P1", "****"),  # not a Finnish identity code: nothing of it is shown
        ("", ""),
    ],
)
def test_the_masked_form_keeps_only_the_birth_date_and_century_sign(code, masked):
    assert person_number_mask(code) == masked


def test_hr_finds_an_employee_by_the_exact_identity_code_and_sees_it_masked(client_as, fetched):
    client = client_as(Role.HR_ADMIN)

    found = client.post(reverse("hrreports:employees"), {"q": AINO.lower()}).content.decode()
    partial = client.post(reverse("hrreports:employees"), {"q": AINO[:6]}).content.decode()

    assert "Mäkinen Aino" in found
    assert "010175-****" in found and AINO not in found
    assert "Mäkinen Aino" not in partial


def test_an_identity_code_is_searched_from_the_request_body_never_from_the_address(client_as, fetched, settings):
    """A search sent in the address (GET ?q=) leaves the identity code in the browser's history and in the
    access log of every proxy before the portal (ASVS 8.3.1): the form posts, and an address holding one
    searches nothing and says why."""
    client = client_as(Role.HR_ADMIN)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(reverse("hrreports:employees")).content.decode()
    from_address = client.get(reverse("hrreports:employees"), {"q": AINO})

    assert '<form method="post" role="search"' in page
    assert "Mäkinen Aino" not in from_address.content.decode()
    assert from_address.context["form"].errors["q"] == [
        "An identity code is not searched from the page's address, where it would stay in the browser's "
        "history and in the servers' logs: type it in the field and press Search."
    ]
    assert "Mäkinen Aino" in client.get(reverse("hrreports:employees"), {"q": "mäkinen"}).content.decode()


def test_the_employee_page_shows_the_code_masked_until_hr_asks_to_see_it_and_logs_that(client_as, fetched):
    client = client_as(Role.HR_ADMIN)
    employee = Employee.objects.get(name="Mäkinen Aino")
    url = reverse("hrreports:employee-detail", args=[employee.pk])

    masked = client.get(url)
    shown = client.post(url)

    assert "010175-****" in masked.content.decode() and AINO not in masked.content.decode()
    assert AINO in shown.content.decode()
    access = ReportAccess.objects.get(what=f"person_number {employee.pk}")
    assert access.kind == AccessKind.VIEW
    for response in (masked, shown):
        assert "no-store" in response["Cache-Control"]


def test_the_full_code_is_asked_for_with_a_form_that_carries_the_csrf_token(client_as, fetched):
    client = client_as(Role.HR_ADMIN)
    employee = Employee.objects.get(name="Mäkinen Aino")

    page = client.get(reverse("hrreports:employee-detail", args=[employee.pk])).content.decode()

    form = page[page.index('<form method="post" id="show-person-number"') :]
    form = form[: form.index("</form>")]
    assert 'name="csrfmiddlewaretoken"' in form and '<button type="submit"' in form


def test_a_link_or_prefetch_of_the_employee_page_neither_shows_nor_logs_the_full_code(client_as, fetched):
    client = client_as(Role.HR_ADMIN)
    employee = Employee.objects.get(name="Mäkinen Aino")

    page = client.get(reverse("hrreports:employee-detail", args=[employee.pk]), {"show": "person_number"})

    assert AINO not in page.content.decode()
    assert not ReportAccess.objects.filter(what=f"person_number {employee.pk}").exists()


def test_the_admin_finds_an_employee_by_identity_code_and_lists_it_masked(client_as, fetched):
    client = client_as(Role.ADMIN)
    changelist = reverse("admin:hrreports_employee_changelist")

    found = client.get(changelist, {"q": AINO}).content.decode()
    by_name = client.get(changelist, {"q": "Mäkinen"}).content.decode()

    assert "Mäkinen Aino" in found and '<td class="field-person_number_masked">010175-****</td>' in found
    assert "Mäkinen Aino" in by_name and "010175-****" in by_name
    assert AINO not in by_name
