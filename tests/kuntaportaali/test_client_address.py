"""The client's address behind a configured number of trusted reverse proxies."""

import pytest
from django.test import RequestFactory, override_settings

from kuntaportaali.client_address import client_address


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "expected"),
    [
        (0, "203.0.113.66", "10.0.0.2"),  # no trusted proxy: the header is the client's own claim
        (1, "", "10.0.0.2"),  # reached the portal without passing the proxy
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "198.51.100.7, 203.0.113.66", "203.0.113.66"),  # the left part was sent by the client
        (2, "198.51.100.7, 203.0.113.66, 10.0.0.9", "203.0.113.66"),  # a load balancer, then nginx
        (2, "203.0.113.66", "10.0.0.2"),  # fewer entries than proxies
        (1, "198.51.100.7, not-an-address", "10.0.0.2"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_the_client_is_the_address_the_trusted_proxies_appended(proxies, forwarded_for, expected):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded_for)

    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_address(request) == expected


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_gunicorns_access_log_names_the_client_not_the_proxy():
    from datetime import timedelta

    from gunicorn.config import Config

    from kuntaportaali.gunicorn_logging import PersonalDataLogger

    class Sent:
        status, sent, headers = "200 OK", 512, []

    environ = {
        "REMOTE_ADDR": "10.0.0.2",
        "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.66",
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }

    # Not set up: setting up gunicorn's logger gives the process's gunicorn loggers handlers.
    log = PersonalDataLogger.__new__(PersonalDataLogger)
    log.cfg = Config()
    atoms = log.atoms(Sent(), [], environ, timedelta(milliseconds=5))

    assert atoms["h"] == "203.0.113.66"
