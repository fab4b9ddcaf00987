"""Reports come in the survey's own languages: in another one its questions would stay untranslated."""

import pytest
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import ReportFile
from tests.surveys.results_factory import small_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(role_users):
    campaign = small_campaign(role_users[Role.SURVEY_MANAGER])
    assert campaign.survey_version.languages == ["fi", "sv"]
    return campaign


def test_the_page_offers_the_surveys_languages_only(client_as, campaign):
    page = client_as(Role.COUNCILLOR).get(reverse("surveys:campaign-results", args=[campaign.slug]))

    html = page.content.decode()
    download = reverse("surveys:report-download", args=[campaign.slug, "pdf"])
    assert f'href="{download}?language=fi"' in html
    assert f'href="{download}?language=sv"' in html
    assert "?language=en" not in html
    assert page.context["report_form"].fields["language"].choices == [("fi", "suomi"), ("sv", "ruotsi")]


def test_a_report_in_another_language_is_not_built(client_as, campaign):
    client = client_as(Role.COUNCILLOR)

    download = client.get(reverse("surveys:report-download", args=[campaign.slug, "pdf"]) + "?language=en")
    generate = client.post(
        reverse("surveys:report-file-create", args=[campaign.slug]), {"file_format": "pdf", "language": "en"}
    )

    assert download.status_code == 404
    assert generate.status_code == 302
    assert not ReportFile.objects.exists()
    swedish = client.get(reverse("surveys:report-download", args=[campaign.slug, "xlsx"]) + "?language=sv")
    assert swedish.status_code == 200
