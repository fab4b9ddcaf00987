"""The URL patterns Django resolves, each with its declared access and a path with real ids."""

import contextlib
import re
from dataclasses import dataclass

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from kuntaportaali.access_matrix import ADMIN_SITE, PUBLIC, SIGNED_IN, Page, page_of
from tests.security.world import UnitSide, World, url_kwargs

ANONYMOUS, NO_ROLE = "anonymous", "no-role"


@dataclass(frozen=True)
class Pattern:
    name: str | None  # with its namespaces, e.g. "surveys:campaign"; Django admin leaves a few unnamed
    route: str  # the whole route from the site's root, e.g. "staff/surveys/campaigns/<slug:slug>/"

    @property
    def page(self) -> Page | None:
        if self.name is None:
            return ADMIN_SITE if self.route.startswith("admin/") else None
        return page_of(self.name)

    @property
    def label(self) -> str:
        return self.name or self.route


def url_patterns(resolver=None, route: str = "", namespace: str = "") -> list[Pattern]:
    """Every pattern the resolver can reach, through includes, i18n prefixes and Django admin."""
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        nested_route = route + str(entry.pattern).lstrip("^")
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            found += url_patterns(entry, nested_route, inner)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name])) if entry.name else None
            found.append(Pattern(name, nested_route))
    return found


def pattern_path(world: World, pattern: Pattern, side: UnitSide | None = None) -> str:
    kwargs = url_kwargs(world, pattern.name, pattern.route, side)
    if pattern.name is not None:
        with contextlib.suppress(NoReverseMatch):
            return reverse(pattern.name, kwargs=kwargs)
    # Django admin's unnamed patterns (its old change-page redirect, its catch-all) and a regular
    # expression `reverse` cannot fill (RQ's statistics with a token).
    path = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)\??", lambda m: str(kwargs[m[1] or m[2]]), pattern.route)
    return "/" + path.removesuffix("$").removesuffix("/?") + ("" if path.endswith("/") else "/")


def permitted(page: Page, audience) -> bool:
    if page.audience == PUBLIC:
        return True
    if page.audience == SIGNED_IN:
        return audience != ANONYMOUS
    return audience in page.audience


PATTERNS = url_patterns()
