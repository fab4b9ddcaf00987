"""Who may open which staff page: every role x every staff URL, plus anonymous visitors."""

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
EVERY_ROLE = frozenset(Role)

# url name -> roles that may open it. Everyone else signed in is refused.
ACCESS = {
    "staff-home": EVERY_ROLE,
    "password_change": EVERY_ROLE,
    "surveys:index": {A, SM},
    "surveys:survey-create": {A, SM},
    "surveys:campaigns": {A, SM},
    "surveys:campaign-create": {A, SM},
    "surveys:announcements": {A, C},
    "surveys:results": {A, SM, CO},
    "surveys:summaries": {A, C},
    "hrreports:admin": {A, HR},
    "hrreports:reports": {A, HR, SU},
    "hrreports:sources": {A, HR},
    "hrreports:source-create": {A, HR},
    "hrreports:runs": {A, HR},
    "hrreports:units": {A, HR},
    "hrreports:unit-create": {A, HR},
    "hrreports:employees": {A, HR},
    "hrreports:codes": {A, HR},
    "hrreports:absence-type-create": {A, HR},
    "hrreports:salary-type-create": {A, HR},
    "hrreports:rules": {A, HR},
    "hrreports:rule-create": {A, HR},
    "hrreports:access-log": {A, HR},
    "hrreports:subscriptions": {A, HR, SU},
    "hrreports:subscription-create": {A, HR, SU},
    "surveys:consent-log": {A},
    "surveys:consent-export-csv": {A},
    "surveys:consent-export-xlsx": {A},
    "system-status": {A},
    "admin:index": {A},
    "admin:auth_user_changelist": {A},
    "admin:django_rq_dashboard_changelist": {A},
}

CASES = [(url_name, role) for url_name in ACCESS for role in Role]


@pytest.mark.parametrize(("url_name", "role"), CASES, ids=[f"{u}-{r.value}" for u, r in CASES])
def test_role_may_open_only_its_pages(client_as, url_name, role):
    response = client_as(role).get(reverse(url_name))

    if role in ACCESS[url_name]:
        assert response.status_code == 200
    elif url_name.startswith("admin:"):
        # Django admin answers a signed-in outsider with its own login page.
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("url_name", list(ACCESS))
def test_anonymous_visitor_is_sent_to_login(client, db, url_name):
    url = reverse(url_name)
    response = client.get(url)

    assert response.status_code == 302
    login = reverse("admin:login") if url_name.startswith("admin:") else reverse("login")
    assert response["Location"] == f"{login}?next={url}"


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
