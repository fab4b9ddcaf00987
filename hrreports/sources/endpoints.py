"""Which hosts an HTTP source may contact (against server-side request forgery, ASVS V5.2.6 / V12.6).

The setting POPULUS_HTTP_ALLOWED_HOSTS lists them: host names or addresses, each optionally with a port
("populus.kunta.fi", "populus.kunta.fi:8443", "10.20.0.5", "[fd00::5]:8080"); an entry without a port
allows any port. Empty, no HTTP source can be saved or fetched. A source's address is checked when it
is saved and before every request (the first page, every next page); redirects are never followed.

Populus' integration endpoints live inside the municipality's network, so a listed name may resolve to
a private address. It may not resolve to a loopback, link-local (such as a cloud's metadata service at
169.254.169.254), multicast, unspecified or reserved address unless the list names that address itself:
the portal's own machine and such services are never reached by a name that was meant for Populus.
The check resolves the name just before each request; a name re-pointed in between (DNS rebinding)
is the residual risk of the name the administrator listed.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from kuntaportaali.tabular.problems import Problem

from ..errors import PopulusError, TransientSourceError

SETTING = "POPULUS_HTTP_ALLOWED_HOSTS"
DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def allowed_hosts() -> list[tuple[str, int | None]]:
    """The setting as (host in lower case, port or None for any port)."""
    entries = []
    for entry in settings.POPULUS_HTTP_ALLOWED_HOSTS:
        text = entry.strip().lower()
        if text.count(":") > 1 and not text.startswith("["):  # a bare IPv6 address
            entries.append((text, None))
            continue
        parts = urlsplit(f"//{text}")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{SETTING}: {entry!r} is not a host name with an optional :port.") from None
        if not parts.hostname:
            raise ImproperlyConfigured(f"{SETTING}: {entry!r} is not a host name with an optional :port.")
        entries.append((parts.hostname.rstrip("."), port))
    return entries


def endpoint_check(url: str) -> None:
    """Refuse `url` unless its host and port are in POPULUS_HTTP_ALLOWED_HOSTS (the source's base_url is at fault)."""
    entries = allowed_hosts()
    if not entries:
        raise PopulusError(Problem("http_no_hosts_allowed"), field="base_url")
    host, port = _host_and_port(url)
    if not any(_same_host(host, allowed) and allowed_port in (None, port) for allowed, allowed_port in entries):
        raise _not_allowed(host)


def endpoint_addresses_check(url: str) -> None:
    """Refuse `url` when its host resolves to a loopback, link-local or otherwise reserved address that
    POPULUS_HTTP_ALLOWED_HOSTS does not name itself. A name that does not resolve may resolve later."""
    host, port = _host_and_port(url)
    named = {address for address in map(_address, (allowed for allowed, _port in allowed_hosts())) if address}
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise TransientSourceError(Problem("http_host_unresolved", {"host": host, "error": str(error)})) from None
    for *_rest, sockaddr in found:
        address = _address(str(sockaddr[0]))
        if address is not None and _special(address) and address not in named:
            raise PopulusError(Problem("http_host_address_refused", {"host": host, "address": str(address)}))


def _not_allowed(host: str) -> PopulusError:
    shown = ", ".join(entry.strip() for entry in settings.POPULUS_HTTP_ALLOWED_HOSTS)
    return PopulusError(Problem("http_host_not_allowed", {"host": host, "allowed": shown}), field="base_url")


def _host_and_port(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:  # a port that is no number, or out of range
        raise _not_allowed(parts.netloc) from None
    return (parts.hostname or "").rstrip("."), port or DEFAULT_PORTS.get(parts.scheme, 0)


def _same_host(host: str, allowed: str) -> bool:
    address, allowed_address = _address(host), _address(allowed)
    if address is not None or allowed_address is not None:
        return address == allowed_address
    return host == allowed


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return None


def _special(address: IPAddress) -> bool:
    mapped = getattr(address, "ipv4_mapped", None)
    if mapped is not None:
        return _special(mapped)
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
    )
