"""One date, month and number style per language, and no raw codes, on every page each demo role reaches.

The demo (seed_demo) is built once for the module; a resident starts from the front page and each role
from the staff home, and each follows every link to the portal's own pages (one page of each kind), in
Finnish, Swedish and English; every text a person reads
(text, aria-label, title, alt, placeholder) is checked against the styles below.
"""

import io
import re
from collections import deque
from decimal import Decimal
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.template import Context, Template
from django.test import Client
from django.urls import resolve
from django.utils import translation

from kuntaportaali.demo import DEMO_USERS
from surveys.models import Campaign, CampaignStatus, Survey
from surveys.services.result_summaries import summary_publish
from tests.conftest import client_login
from tests.surveys.results_factory import answered_demo

READ_ATTRIBUTES = ("aria-label", "title", "alt", "placeholder")
SKIPPED_TAGS = {"script", "style", "template"}
VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class ReadText(HTMLParser):
    """The texts a person reads on the page, each with the language it is marked in (a `lang`
    attribute of it or around it), and the page's links."""

    def __init__(self, language: str):
        super().__init__()
        self.texts, self.links, self.skipping = [], [], 0
        self.open = [("html", language)]

    @property
    def language(self) -> str:
        return self.open[-1][1]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        language = (attrs.get("lang") or self.language)[:2]
        self.texts += [(attrs[name], language) for name in READ_ATTRIBUTES if attrs.get(name)]
        if tag == "a" and attrs.get("href") and "download" not in attrs:
            self.links.append(attrs["href"])
        if tag in VOID_TAGS:
            return
        self.open.append((tag, language))
        if tag in SKIPPED_TAGS:
            self.skipping += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skipping -= 1
        for index in range(len(self.open) - 1, 0, -1):
            if self.open[index][0] == tag:
                del self.open[index:]
                break

    def handle_data(self, data):
        if not self.skipping and data.strip():
            self.texts.append((" ".join(data.split()), self.language))


STYLE_PROBLEMS = {
    "ISO date": re.compile(r"\b(?:19|20)\d\d-\d\d-\d\d\b"),
    "ISO month": re.compile(r"\b(?:19|20)\d\d-(?:0[1-9]|1[0-2])\b(?!-)"),
    "short month": re.compile(r"(?<![\d/])(?:[1-9]|1[0-2])/\d\d(?![\d/])"),
    "zero-padded date": re.compile(r"\b0\d\.\d\d?\.(?:19|20)\d\d\b|\b\d\d?\.0\d\.(?:19|20)\d\d\b"),
    "stored trailing zeros": re.compile(r"(?<![\d.,])\d+[,.]\d{2}00\b(?![.,]\d)"),
}
PROBLEMS_BY_LANGUAGE = {
    "fi": {"ungrouped thousands": re.compile(r"(?<![\d\s.,])\d{4,},\d")},
    "sv": {"ungrouped thousands": re.compile(r"(?<![\d\s.,])\d{4,},\d"), "ISO date": STYLE_PROBLEMS["ISO date"]},
    "en": {"Finnish date on an English page": re.compile(r"\b\d\d?\.\d\d?\.(?:19|20)\d\d\b")},
}
RAW_CODES = {"simulator", "twilio", "fi", "sv", "en", "dialer", "default", "reports", "hr"}
SKIPPED_PATHS = ("/admin/", "/staff/logout", "/i18n/", "/static/", "/media/")


def style_problems(texts: list[tuple[str, str]], slugs: set[str]) -> list[str]:
    problems = []
    for text, language in texts:
        checks = STYLE_PROBLEMS | PROBLEMS_BY_LANGUAGE[language]
        problems += [f"{name}: {text!r}" for name, pattern in checks.items() if pattern.search(text)]
        # A slug may be a word in Swedish or English ("demo"): only Finnish pages are checked for them.
        if text in RAW_CODES or (language == "fi" and text in slugs):
            problems.append(f"raw code: {text!r}")
    return problems


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo as `make demo` seeds it, with `demo` answered, completed and its summary published on
    the residents' page; undone after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--password", "demo-salasana-1", stdout=io.StringIO())
        users = get_user_model().objects
        manager, communications = users.get(username="kyselyvastaava"), users.get(username="viestinta")
        campaign = answered_demo(manager=manager, communications=communications)
        Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.COMPLETED)
        campaign.refresh_from_db()
        positions = [question.position for question in campaign.survey_version.questions.exclude(kind="open")]
        summary_publish(
            campaign=campaign, by=communications, intro_fi="Kiitos vastanneille.", question_positions=positions
        )
        yield
        transaction.set_rollback(True)


def page_kind(parts) -> tuple:
    """One page of each kind: the same view with the same query parameters (not their values)."""
    match = resolve(parts.path)
    return match.route, tuple(sorted(key for key, _value in parse_qsl(parts.query)))


def crawl(client: Client, start: str, language: str):
    seen, queue = {page_kind(urlsplit(start))}, deque([start])
    while queue:
        path = queue.popleft()
        response = client.get(path, follow=True)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        parser = ReadText(language)
        parser.feed(response.content.decode())
        yield path, parser.texts
        for href in parser.links:
            link = urldefrag(href)[0]
            parts = urlsplit(link)
            if parts.netloc or not parts.path.startswith("/") or parts.path.startswith(SKIPPED_PATHS):
                continue
            kind = page_kind(parts)
            if "export=" in parts.query or kind in seen:
                continue
            seen.add(kind)
            queue.append(link)


@pytest.mark.slow
@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_every_page_a_demo_role_reaches_writes_dates_months_and_numbers_one_way(db, demo, language):
    slugs = set(Campaign.objects.values_list("slug", flat=True)) | set(Survey.objects.values_list("slug", flat=True))
    found, visited = {}, set()  # each problem with the first page it was seen on
    users = get_user_model().objects.filter(username__in=[demo_user.username for demo_user in DEMO_USERS])
    visitors = [(Client(), "/")] + [(client_login(Client(), user), "/staff/") for user in users]
    for client, start in visitors:
        client.cookies["kuntaportaali_language"] = language
        for path, texts in crawl(client, start, language):
            visited.add(resolve(urlsplit(path).path).view_name)
            for problem in style_problems(texts, slugs):
                found.setdefault(problem, path)
    assert found == {}
    # The walk reached the pages the issue saw (a walk stopped early would find nothing wrong).
    assert {
        "surveys-public:campaign",
        "surveys:summary",
        "surveys:campaign-results",
        "surveys:campaign",
        "surveys:campaign-announcements",
        "hrreports:reports",
        "hrreports:unit-report",
        "hrreports:runs",
        "system-status",
    } <= visited
    assert len(visited) > 60


@pytest.mark.parametrize(
    ("stored", "finnish", "english"),
    [("0.0900", "0,09", "0.09"), ("0.0125", "0,0125", "0.0125"), ("1250.5000", "1 250,50", "1,250.50")],
)
def test_a_unit_price_shows_the_decimals_it_has_and_at_least_two(stored, finnish, english):
    template = Template("{% load portal_format %}{{ price|unit_price }}")

    written = {}
    for language in ("fi", "en"):
        with translation.override(language):
            written[language] = template.render(Context({"price": Decimal(stored)}))

    assert written == {"fi": finnish.replace(" ", "\xa0"), "en": english}


def test_counts_are_grouped_as_the_readers_language_groups_them():
    template = Template("{% load portal_format %}{{ count|number }}")

    written = {}
    for language in ("fi", "sv", "en"):
        with translation.override(language):
            written[language] = template.render(Context({"count": 12000}))

    assert written == {"fi": "12\xa0000", "sv": "12\xa0000", "en": "12,000"}
