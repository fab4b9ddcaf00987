"""Reasons as codes: a reason can quote another reason (a file's name and why it cannot be read),
stored as plain JSON and worded, both of them, in the reader's language when shown."""

import json

import pytest
from django.utils import translation

from kuntaportaali.tabular.problems import Problem, problem_message, problem_messages_register

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
