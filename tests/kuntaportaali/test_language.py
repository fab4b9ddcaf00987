"""Finnish first; Swedish and English on request; translated error pages."""

import pytest
from django.conf import settings


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "heading"), [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte")])
def test_unknown_url_gets_a_translated_404(client, language, heading):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    response = client.get("/ei-ole-olemassa/")

    assert response.status_code == 404
    assert f"<h1>{heading}</h1>" in response.text
    assert f'<html lang="{language}">' in response.text


@pytest.mark.django_db
def test_finnish_is_the_default_whatever_the_browser_asks(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9,sv;q=0.8")

    assert '<html lang="fi">' in response.text
    assert response["Content-Language"] == "fi"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_language_switcher_choice_sticks(client, language):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302

    page = client.get("/")

    assert f'<html lang="{language}">' in page.text
    assert f'value="{language}" lang="{language}" aria-current="true"' in page.text
