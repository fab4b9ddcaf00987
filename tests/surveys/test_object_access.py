"""Who may open the pages of one survey or campaign (the role matrix covers pages without objects)."""

import pytest
from django.urls import reverse

from kuntaportaali.roles import Role
from tests.surveys.factories import build_campaign, build_survey

A, SM, C, CO, HR, SU = (
    Role.ADMIN,
    Role.SURVEY_MANAGER,
    Role.COMMUNICATIONS,
    Role.COUNCILLOR,
    Role.HR_ADMIN,
    Role.SUPERVISOR,
)
PAGES = {
    ("surveys:survey", "survey"): {A, SM},
    ("surveys:survey-edit", "survey"): {A, SM},
    ("surveys:survey-preview", "survey"): {A, SM},
    ("surveys:question-create", "survey"): {A, SM},
    ("surveys:campaign", "campaign"): {A, SM},
    ("surveys:campaign-edit", "campaign"): {A, SM},
    ("surveys:campaign-checklist", "campaign"): {A, SM},
    ("surveys:campaign-announcements", "campaign"): {A, C},
}
CASES = [(page, role) for page in PAGES for role in Role]


@pytest.mark.parametrize(("page", "role"), CASES, ids=[f"{page[0]}-{role.value}" for page, role in CASES])
def test_object_pages_by_role(client_as, role_users, page, role):
    survey = build_survey(role_users[SM])
    campaign = build_campaign(survey, role_users[SM])
    url_name, kind = page
    url = reverse(url_name, kwargs={"slug": survey.slug if kind == "survey" else campaign.slug})

    response = client_as(role).get(url)

    assert response.status_code == (200 if role in PAGES[page] else 403)
