"""The HR reports' errors: one family (HrError) whose members say which part refused, each a reason code
with its parameters worded in the reader's language."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from hrreports.errors import (
    AlertError,
    HrError,
    PopulusError,
    SubscriptionError,
    TeamsError,
    TransientSourceError,
)
from kuntaportaali.tabular.problems import problem_codes

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("family", [PopulusError, TransientSourceError, TeamsError, AlertError, SubscriptionError])
def test_every_hr_error_is_an_hr_error(family):
    assert issubclass(family, HrError)


@pytest.mark.parametrize("family", [TeamsError, AlertError, SubscriptionError])
def test_teams_alert_and_subscription_refusals_are_not_source_problems(family):
    assert not issubclass(family, PopulusError)


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("fi", "Millään työyksiköllä ei ole koodia 999."),
        ("sv", "Ingen arbetsenhet har koden 999."),
        ("en", "No work unit has the code 999."),
    ],
)
def test_a_coded_refusal_reads_in_the_readers_language(language, shown):
    error = SubscriptionError.of("delivery_unit_unknown", code="999")

    with translation.override(language):
        assert str(error) == shown


def test_a_refusal_keeps_the_field_a_form_shows_it_at():
    error = PopulusError("The timeout must be positive.", field="timeout")

    assert (error.field, str(error)) == ("timeout", "The timeout must be positive.")


def test_every_code_an_error_is_raised_with_is_registered():
    given = set()
    for app in ("hrreports", "kuntaportaali"):
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                given |= set(re.findall(r'\w+Error\.of\(\s*"([a-z0-9_]+)"', path.read_text()))
    assert {"alert_action_missing", "subscription_exists", "http_redirect_refused"} <= given
    assert given - problem_codes() == set()
