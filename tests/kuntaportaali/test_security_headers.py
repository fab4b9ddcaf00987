import pytest

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
