"""Which hosts an HTTP source may contact (against server-side request forgery, ASVS V5.2.6 / V12.6).

The setting POPULUS_HTTP_ALLOWED_HOSTS lists them (kuntaportaali/outbound.py reads it and checks the
addresses). Empty, no HTTP source can be saved or fetched. A source's address is checked when it is saved
and before every request (the first page, every next page); redirects are never followed. The address
must be https, but for this machine's own (a local test endpoint, a TLS tunnel's local end).

Populus' integration endpoints live inside the municipality's network, so a listed name may resolve to
a private address, but not to a loopback, link-local, reserved or otherwise special address unless the
list names that address itself: the portal's own machine and such services are never reached by a name
that was meant for Populus.
"""

import ipaddress

from django.conf import settings

from kuntaportaali.outbound import (
    AddressMalformed,
    HostAddressRefused,
    HostNotAllowed,
    HostUnresolved,
    Target,
    address_shown,
    allowed_hosts,
    target_addresses_check,
    target_allowed_check,
    url_target,
)
from kuntaportaali.tabular.problems import Problem

from ..errors import PopulusError, TransientSourceError

SETTING = "POPULUS_HTTP_ALLOWED_HOSTS"


def endpoint_target(url: str) -> Target:
    """The server a request to `url` connects to; an address parsers may read differently is refused."""
    try:
        return url_target(url)
    except AddressMalformed:
        raise PopulusError(Problem("http_address_malformed", {"url": address_shown(url)}), field="base_url") from None


def endpoint_check(url: str) -> Target:
    """The server `url` leads to, refused unless POPULUS_HTTP_ALLOWED_HOSTS has it (the source's base_url is
    at fault)."""
    if not allowed_hosts(SETTING):
        raise PopulusError(Problem("http_no_hosts_allowed"), field="base_url")
    target = endpoint_target(url)
    try:
        target_allowed_check(target, SETTING)
    except HostNotAllowed as refused:
        shown = ", ".join(entry.strip() for entry in settings.POPULUS_HTTP_ALLOWED_HOSTS)
        raise PopulusError(
            Problem("http_host_not_allowed", {"host": refused.host, "allowed": shown}), field="base_url"
        ) from None
    if target.scheme != "https" and not _loopback(target.host):
        # The bearer token and the salaries would cross the network readable to anyone on the way.
        raise PopulusError(Problem("http_not_encrypted", {"url": address_shown(url)}), field="base_url")
    return target


def _loopback(host: str) -> bool:
    """This machine: a local test endpoint, or a TLS tunnel's local end, which plain http may reach."""
    if host.rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint_addresses_check(target: Target) -> None:
    """Refuse `target` when its host resolves to a loopback, link-local or otherwise special address that
    POPULUS_HTTP_ALLOWED_HOSTS does not name itself. A name that does not resolve may resolve later."""
    try:
        target_addresses_check(target, SETTING, private=True)
    except HostUnresolved as unresolved:
        raise TransientSourceError(
            Problem("http_host_unresolved", {"host": unresolved.host, "error": str(unresolved.error)})
        ) from None
    except HostAddressRefused as refused:
        raise PopulusError(
            Problem("http_host_address_refused", {"host": refused.host, "address": str(refused.address)})
        ) from None
