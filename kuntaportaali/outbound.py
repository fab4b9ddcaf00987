"""Which hosts the portal may contact at an address someone typed into it (against server-side request
forgery, ASVS V5.2.6 / V12.6): the one check behind the Populus HTTP sources (POPULUS_HTTP_ALLOWED_HOSTS)
and the Teams webhooks (TEAMS_WEBHOOK_ALLOWED_HOSTS). Each caller words the refusals for its own users.

An address is read the way requests reads it when it connects, never by another parser: two parsers
that disagree on `http://evil\\@allowed/` let a check pass one host while the request goes to another.
Addresses that parsers are known to disagree on are refused outright: a backslash, a user name or
password before the host ("@" in the authority), whitespace and control characters.

An allow-list entry is a host name or address, optionally with a port ("populus.kunta.fi",
"populus.kunta.fi:8443", "10.20.0.5", "[fd00::5]:8080"; without a port any port is allowed); an entry
starting with a dot (".webhook.office.com") allows that domain and every name under it.

Before each request the host name is resolved and every address it resolves to is checked: a loopback,
link-local (such as a cloud's metadata service at 169.254.169.254), multicast, unspecified, reserved or
carrier-grade NAT address (100.64.0.0/10, where some clouds keep their metadata service), or an IPv6 address
that carries an IPv4 one (IPv4-mapped, NAT64, 6to4, Teredo), is contacted only when the allow-list names
that address itself. A caller whose hosts are on the internet refuses private addresses too. A name
re-pointed between this check and the connection (DNS rebinding) is the residual risk of the listed name.
"""

import ipaddress
import socket
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

DEFAULT_PORTS = {"http": 80, "https": 443}
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# Ranges that reach another network than their face says, beyond what the ipaddress module flags.
_CARRYING_NETWORKS = (
    ipaddress.ip_network("100.64.0.0/10"),  # carrier-grade NAT (RFC 6598): e.g. a cloud's 100.100.100.200
    ipaddress.ip_network("64:ff9b::/96"),  # NAT64 (RFC 6052): an IPv4 address behind a translator
    ipaddress.ip_network("64:ff9b:1::/48"),  # NAT64 for local use (RFC 8215)
    ipaddress.ip_network("2002::/16"),  # 6to4 (RFC 3056): an IPv4 address inside
    ipaddress.ip_network("2001::/32"),  # Teredo (RFC 4380): an IPv4 address inside
    ipaddress.ip_network("::ffff:0:0/96"),  # IPv4-mapped: the IPv4 address itself
)


class AddressRefused(Exception):
    """Why an address may not be contacted; the caller words it."""


class AddressMalformed(AddressRefused):
    """The address is no plain http(s) address: `why` is one of the reasons below."""

    NOT_HTTP = "not_http"
    UNSAFE_CHARACTER = "unsafe_character"
    USER_INFO = "user_info"
    UNREADABLE = "unreadable"

    def __init__(self, url: str, why: str):
        self.url, self.why = url, why
        super().__init__(f"{why}: {address_shown(url)}")


class HostNotAllowed(AddressRefused):
    def __init__(self, host: str):
        self.host = host
        super().__init__(host)


class HostAddressRefused(AddressRefused):
    def __init__(self, host: str, address: IPAddress):
        self.host, self.address = host, address
        super().__init__(f"{host} -> {address}")


class HostUnresolved(AddressRefused):
    def __init__(self, host: str, error: Exception):
        self.host, self.error = host, error
        super().__init__(f"{host}: {error}")


@dataclass(frozen=True)
class Target:
    """The server a request to an address connects to."""

    scheme: str
    host: str  # as connected to: lower case, an IPv6 address without its brackets (a trailing dot kept)
    port: int


@dataclass(frozen=True)
class AllowedHost:
    host: str
    port: int | None  # None: any port
    subdomains: bool  # the entry started with a dot

    def allows(self, target: Target) -> bool:
        if self.port not in (None, target.port):
            return False
        host = target.host.rstrip(".")
        address, allowed_address = _address(host), _address(self.host)
        if address is not None or allowed_address is not None:
            return address == allowed_address
        return host == self.host or (self.subdomains and host.endswith(f".{self.host}"))


def address_shown(url: str) -> str:
    """`url` safe to show: control characters and backslashes escaped, at most 200 characters."""
    return url[:200].encode("unicode_escape").decode("ascii")


def url_target(url: str) -> Target:
    """The server that requests connects to for `url`, or AddressMalformed."""
    if any(character.isspace() or unicodedata.category(character) in ("Cc", "Cf") for character in url):
        raise AddressMalformed(url, AddressMalformed.UNSAFE_CHARACTER)
    if "\\" in url:
        raise AddressMalformed(url, AddressMalformed.UNSAFE_CHARACTER)
    try:
        prepared = requests.Request("GET", url).prepare().url or ""
        parsed, as_connected = parse_url(prepared), urlsplit(prepared)
        port = as_connected.port  # requests' adapter connects to urllib.parse's reading of the prepared URL
    except (requests.RequestException, LocationParseError, ValueError):
        raise AddressMalformed(url, AddressMalformed.UNREADABLE) from None
    if parsed.scheme not in DEFAULT_PORTS:
        raise AddressMalformed(url, AddressMalformed.NOT_HTTP)
    if parsed.auth is not None or "@" in as_connected.netloc:
        raise AddressMalformed(url, AddressMalformed.USER_INFO)
    host = (parsed.host or "").strip("[]")
    if not host.rstrip(".") or host != as_connected.hostname or parsed.port != port:
        raise AddressMalformed(url, AddressMalformed.UNREADABLE)
    return Target(parsed.scheme, host, port or DEFAULT_PORTS[parsed.scheme])


def allowed_hosts(setting: str) -> list[AllowedHost]:
    """The allow-list in the setting named `setting`, or ImproperlyConfigured naming the entry at fault."""
    entries = []
    for entry in getattr(settings, setting):
        text = entry.strip().lower()
        subdomains = text.startswith(".")
        text = text.removeprefix(".")
        if text.count(":") > 1 and not text.startswith("["):  # a bare IPv6 address
            entries.append(AllowedHost(text, None, False))
            continue
        parts = urlsplit(f"//{text}")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{setting}: {entry!r} is not a host name with an optional :port.") from None
        if not parts.hostname or parts.username is not None:
            raise ImproperlyConfigured(f"{setting}: {entry!r} is not a host name with an optional :port.")
        entries.append(AllowedHost(parts.hostname.rstrip("."), port, subdomains))
    return entries


def target_allowed_check(target: Target, setting: str) -> None:
    """Refuse `target` (HostNotAllowed) unless the allow-list in `setting` has it."""
    if not any(entry.allows(target) for entry in allowed_hosts(setting)):
        raise HostNotAllowed(target.host)


def target_addresses_check(target: Target, setting: str, *, private: bool) -> None:
    """Resolve `target`'s host and refuse it (HostAddressRefused) when an address it resolves to is special,
    or private when `private` is False, unless the allow-list in `setting` names that address itself.
    HostUnresolved when the name does not resolve (it may later)."""
    named = {_address(entry.host) for entry in allowed_hosts(setting)} - {None}
    try:
        found = socket.getaddrinfo(target.host, target.port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise HostUnresolved(target.host, error) from None
    for *_rest, sockaddr in found:
        address = _address(str(sockaddr[0]))
        if address is None or address in named:
            continue
        if address_special(address) or not (private or address.is_global):
            raise HostAddressRefused(target.host, address)


def address_special(address: IPAddress) -> bool:
    """An address no name meant for a service elsewhere should lead to (see the module's description)."""
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or getattr(address, "is_site_local", False)
        or any(address in network for network in _CARRYING_NETWORKS if network.version == address.version)
    )


def _address(text: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(text.strip("[]").split("%")[0])
    except ValueError:
        return None
