"""Finnish first; Swedish and English from the address, the switcher or the browser; translated error pages."""

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
@pytest.mark.parametrize(
    ("accept_language", "language"),
    [
        ("", "fi"),
        ("sv", "sv"),
        ("sv-FI,sv;q=0.9,en;q=0.8", "sv"),
        ("en-US,en;q=0.9,sv;q=0.8", "sv"),  # Swedish listed: the municipality's language wins over English
        ("en-GB,fi;q=0.5,sv;q=0.7", "sv"),  # quality values, not the order in the header
        ("fi-FI,fi;q=0.9,sv;q=0.8", "fi"),
        ("en-US,en;q=0.9", "en"),  # English first and no Finnish or Swedish at all
        ("de-DE,de;q=0.9,en;q=0.8", "fi"),  # English, but not the first choice
        ("en,fi;q=0", "en"),  # q=0 means "not Finnish"
        ("sv;q=0,en", "en"),
        ("ru,et", "fi"),  # nothing the portal offers
        ("*", "fi"),
    ],
)
def test_a_first_visit_gets_the_browsers_language_among_the_offered_ones(client, accept_language, language):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert f'<html lang="{language}">' in response.text
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


@pytest.mark.django_db
def test_the_switchers_choice_wins_over_the_browsers_language(client):
    client.post("/i18n/setlang/", {"language": "fi", "next": "/"})

    response = client.get("/", HTTP_ACCEPT_LANGUAGE="sv-FI,sv;q=0.9")

    assert '<html lang="fi">' in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "language"), [("/fi/kyselyt/", "fi"), ("/en/surveys/", "en")])
def test_the_language_in_a_residents_address_wins_over_the_browser_and_the_cookie(client, path, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"

    response = client.get(path, HTTP_ACCEPT_LANGUAGE="sv-FI,sv;q=0.9")

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.text
    assert response["Content-Language"] == language


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["sv", "en"])
def test_language_switcher_choice_sticks(client, language):
    response = client.post("/i18n/setlang/", {"language": language, "next": "/"})
    assert response.status_code == 302

    page = client.get("/")

    assert f'<html lang="{language}">' in page.text
    assert f'value="{language}" lang="{language}" aria-current="true"' in page.text
