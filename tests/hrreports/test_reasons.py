"""Every rejection reason the code produces can be shown translated."""

import re
from pathlib import Path

import pytest
from django.utils import translation

from hrreports.reasons import FIXED, reason_display

HRREPORTS = Path(__file__).resolve().parents[2] / "hrreports"


def produced_reasons() -> set[str]:
    reasons = set()
    for path in [
        HRREPORTS / "sources" / "schema.py",
        HRREPORTS / "sources" / "base.py",
        HRREPORTS / "sources" / "http.py",
    ]:
        reasons |= set(re.findall(r'FieldError\("([^"]+)"\)', path.read_text()))
        reasons |= set(re.findall(r'problems\.append\(\([^()]*"([^"]+)"\)\)', path.read_text()))
    store = (HRREPORTS / "services" / "store.py").read_text()
    reasons |= {m for m in re.findall(r'\s"((?:unknown|duplicate row: this|this employment)[^"{]*)"', store)}
    return reasons


def test_every_fixed_reason_in_the_code_is_listed():
    missing = produced_reasons() - FIXED
    assert produced_reasons()
    assert not missing


@pytest.mark.parametrize(
    "reason",
    [
        "unknown work unit code",
        "duplicate row: the same absence is already on row 2",
        "duplicate row: employment 2001003 is already on row 4",
        "the row has only 3 columns, 8 are needed (is the file truncated?)",
        "start: not a real calendar date; paid: not yes or no (K/E, 1/0)",
        "something the code does not produce",
    ],
)
def test_reasons_read_back_unchanged_in_english(reason):
    with translation.override("en"):
        assert reason_display(reason) == reason
