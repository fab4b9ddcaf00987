"""Reasons as codes: a reason can quote another reason (a file's name and why it cannot be read),
stored as plain JSON and worded, both of them, in the reader's language when shown."""

import copy
import json

import pytest
from django.utils import translation

import kuntaportaali.tabular.problems as problems
from kuntaportaali.tabular.problems import (
    TEXT_AS_GIVEN,
    CodedError,
    Problem,
    ProblemError,
    problem_message,
    problem_messages_register,
)

problem_messages_register({"test_in_file": "%(file)s: %(reason)s"})


def test_a_problem_can_quote_another_problem_and_is_stored_as_plain_json():
    inner = Problem("value_too_many_decimals", {"value": "1,234", "decimals": 2})

    outer = Problem("test_in_file", {"file": "palkat.csv", "reason": inner})

    assert outer.params == {
        "file": "palkat.csv",
        "reason": {"code": "value_too_many_decimals", "params": {"value": "1,234", "decimals": 2}},
    }
    assert json.loads(json.dumps(outer.params)) == outer.params
    assert Problem("test_in_file", outer.params).params == outer.params


def test_the_quoted_problem_is_worded_when_the_outer_one_is_shown():
    stored = Problem("test_in_file", {"file": "palkat.csv", "reason": Problem("file_empty")}).params

    with translation.override("en"):
        assert problem_message("test_in_file", stored) == "palkat.csv: The file is empty."


@pytest.mark.parametrize(("language", "expected"), [("fi", "Tiedosto on tyhjä."), ("sv", "Filen är tom.")])
def test_the_quoted_problem_follows_the_active_language(language, expected):
    stored = Problem("test_in_file", {"file": "palkat.csv", "reason": Problem("file_empty")}).params

    with translation.override(language):
        assert problem_message("test_in_file", stored) == f"palkat.csv: {expected}"


def test_a_coded_error_carries_its_code_and_parameters_and_reads_in_the_active_language(monkeypatch):
    monkeypatch.setattr(problems, "gettext", lambda message: f"[{translation.get_language()}] {message}")
    error = CodedError.of("file_too_many_rows", limit=10)

    assert (error.code, error.params) == ("file_too_many_rows", {"limit": 10})
    with translation.override("sv"):
        assert str(error) == error.message() == "[sv] The file has more than 10 rows. Split it into smaller files."


def test_a_coded_error_raised_with_text_keeps_the_text_as_it_was_worded():
    error = CodedError("Lähde ei vastannut: 50 % pyynnöistä hylättiin.")

    assert (error.code, str(error)) == (TEXT_AS_GIVEN, "Lähde ei vastannut: 50 % pyynnöistä hylättiin.")


def test_a_coded_error_reads_the_same_after_a_copy():
    copied = copy.copy(ProblemError("value_too_many_decimals", value="1,234", decimals=2))

    assert (type(copied), copied.code, copied.params) == (
        ProblemError,
        "value_too_many_decimals",
        {"value": "1,234", "decimals": 2},
    )
