"""The staff home lists the sections of the user's roles (who may open which address: tests/security/)."""

import pytest
from django.urls import reverse

from kuntaportaali.roles import Role

# The specification: which staff sections each role finds on the staff home and in the navigation, in
# navigation order (tests/browser/test_navigation.py checks the same in a browser).
EXPECTED_SECTION_KEYS: dict[Role, tuple[str, ...]] = {
    Role.ADMIN: (
        "surveys",
        "announcements",
        "results",
        "published-results",
        "consent",
        "hr-admin",
        "unit-reports",
        "system",
        "users",
    ),
    Role.SURVEY_MANAGER: ("surveys", "results"),
    Role.COMMUNICATIONS: ("announcements", "published-results"),
    Role.COUNCILLOR: ("results",),
    Role.HR_ADMIN: ("hr-admin", "unit-reports"),
    Role.SUPERVISOR: ("unit-reports",),
}


def test_user_without_role_sees_home_but_no_section(client, user_without_role):
    client.force_login(user_without_role)

    response = client.get(reverse("staff-home"))

    assert response.status_code == 200
    assert response.context["staff_sections"] == []
    assert client.get(reverse("surveys:index")).status_code == 403


@pytest.mark.parametrize(
    ("role", "section_keys"), EXPECTED_SECTION_KEYS.items(), ids=[role.value for role in EXPECTED_SECTION_KEYS]
)
def test_staff_home_lists_the_sections_of_the_role(client_as, role, section_keys):
    response = client_as(role).get(reverse("staff-home"))

    assert tuple(section.key for section in response.context["staff_sections"]) == section_keys
    for section in response.context["staff_sections"]:
        assert f'href="{section.url}"' in response.text
