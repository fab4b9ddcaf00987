"""The staff home lists the sections of the user's roles (who may open which address: tests/security/)."""

import pytest
from django.urls import reverse

from kuntaportaali.roles import Role

A, SM, C, CO, HR, SU = (
    Role.ADMIN,
    Role.SURVEY_MANAGER,
    Role.COMMUNICATIONS,
    Role.COUNCILLOR,
    Role.HR_ADMIN,
    Role.SUPERVISOR,
)


def test_user_without_role_sees_home_but_no_section(client, user_without_role):
    client.force_login(user_without_role)

    response = client.get(reverse("staff-home"))

    assert response.status_code == 200
    assert response.context["staff_sections"] == []
    assert client.get(reverse("surveys:index")).status_code == 403


@pytest.mark.parametrize(
    ("role", "section_keys"),
    [
        (
            A,
            [
                "surveys",
                "announcements",
                "results",
                "published-results",
                "consent",
                "hr-admin",
                "unit-reports",
                "system",
                "users",
            ],
        ),
        (SM, ["surveys", "results"]),
        (C, ["announcements", "published-results"]),
        (CO, ["results"]),
        (HR, ["hr-admin", "unit-reports"]),
        (SU, ["unit-reports"]),
    ],
)
def test_staff_home_lists_the_sections_of_the_role(client_as, role, section_keys):
    response = client_as(role).get(reverse("staff-home"))

    assert [section.key for section in response.context["staff_sections"]] == section_keys
    for section in response.context["staff_sections"]:
        assert f'href="{section.url}"' in response.text
