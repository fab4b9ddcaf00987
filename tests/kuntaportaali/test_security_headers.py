import pytest
from django.urls import reverse

from kuntaportaali.roles import Role


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/ei-ole/"])
def test_public_pages_allow_only_the_portals_own_resources(client, path):
    policy = client.get(path)["Content-Security-Policy"]

    assert set(policy.split("; ")) == {
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    }


def test_staff_pages_carry_the_policy_and_no_framing(client_as):
    response = client_as(Role.SUPERVISOR).get("/staff/")

    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_admin_is_left_to_djangos_own_headers(client_as):
    response = client_as(Role.ADMIN).get("/admin/")

    assert response.status_code == 200
    assert "Content-Security-Policy" not in response
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    ("role", "url_name"),
    [
        (Role.SUPERVISOR, "hrreports:reports"),
        (Role.ADMIN, "surveys:consent-export-csv"),
        (Role.ADMIN, "surveys:consent-export-xlsx"),
        (Role.ADMIN, "admin:index"),
    ],
)
def test_what_a_signed_in_user_opens_is_kept_in_no_cache(client_as, role, url_name):
    """Salaries, absences and answers: a browser's cached copy would outlive the logout on a shared
    computer (ASVS 8.2.1)."""
    response = client_as(role).get(reverse(url_name))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


@pytest.mark.django_db
def test_the_residents_pages_may_still_be_cached(client):
    assert "Cache-Control" not in client.get("/")
