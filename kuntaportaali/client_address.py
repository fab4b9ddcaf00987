"""The client's address, read in one place for the login lockout, the opt-out limit and the logs.

Behind TRUSTED_PROXY_COUNT reverse proxies (the README's nginx is one), REMOTE_ADDR is the nearest
proxy's and each proxy appends the address it received the request from to X-Forwarded-For. The
client is therefore the address that many places from the right: anything to its left was sent
by the client itself and may be forged. Without trusted proxies the header is ignored.
"""

import ipaddress
from collections.abc import Mapping

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    return client_address_of(request.META)


def client_address_of(environ: Mapping[str, str]) -> str:
    """The same from a WSGI environ (gunicorn's access log has no request object)."""
    remote = environ.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # The request did not pass every trusted proxy: only the connection's address is known.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
