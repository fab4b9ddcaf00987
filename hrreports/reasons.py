"""Why a row was rejected, or a whole run failed, shown in the reader's language.

Rejections and run errors are stored in English (stable in logs and exports); the pages translate
them here. Every reason the parser and the store produce is listed below, marked for the catalogs.
"""

import re

from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N

FIXED = {
    N("not a real calendar date"),
    N("not a date in the form d.m.yyyy, YYYYMMDD or YYYY-MM-DD"),
    N("not a real month"),
    N("not a pay period in the form YYYY-MM, YYYYMM or m/yyyy"),
    N("not a number"),
    N("not a number (use a decimal comma, e.g. 1234,50)"),
    N("not a finite number"),
    N("amount out of range"),
    N("not a whole number of days between 0 and 10000"),
    N("working time must be more than 0 and at most 100 per cent"),
    N("not yes or no (K/E, 1/0)"),
    N("not an employment kind (vakinainen or määräaikainen)"),
    N("longer than 32 characters"),
    N("a unit code cannot contain a slash (/)"),
    N("a required value is missing"),
    N("the end date is before the start date"),
    N("the row is not a JSON object"),
    N("duplicate row: this unit code appears twice"),
    N("unknown parent unit code"),
    N("unknown work unit code"),
    N("unknown employment"),
    N("this employment id belongs to another person"),
    N("unknown absence code: add it to the absence types first"),
    N("unknown salary type code: add it to the salary types first"),
}

PATTERNS = (
    (
        re.compile(r"^duplicate row: employment (?P<employment>.+) is already on row (?P<row>\d+)$"),
        N("duplicate row: employment %(employment)s is already on row %(row)s"),
    ),
    (
        re.compile(r"^duplicate row: the same absence is already on row (?P<row>\d+)$"),
        N("duplicate row: the same absence is already on row %(row)s"),
    ),
    (
        re.compile(r"^duplicate row: the same payment is already on row (?P<row>\d+)$"),
        N("duplicate row: the same payment is already on row %(row)s"),
    ),
    (
        re.compile(r"^the row has (?P<found>\d+) columns but the header has (?P<header>\d+)$"),
        N("the row has %(found)s columns but the header has %(header)s"),
    ),
    (
        re.compile(
            r"^the row has only (?P<found>\d+) columns, (?P<needed>\d+) are needed \(is the file truncated\?\)$"
        ),
        N("the row has only %(found)s columns, %(needed)s are needed (is the file truncated?)"),
    ),
)
_PART = re.compile(r"^(?P<field>[a-z_]+): (?P<reason>.+)$")


def field_display(report_type: str, field: str) -> str:
    """The rejected field(s) ("unit_code" or "start, end") as labels in the active language."""
    from .sources.schema import FIELD_BY_NAME

    specs = FIELD_BY_NAME.get(report_type, {})
    return (
        ", ".join(
            str(specs[name].label) if name in specs else name for name in (part.strip() for part in field.split(","))
        )
        if field
        else ""
    )


def reason_display(reason: str) -> str:
    """The stored (English) reason in the active language; unknown text is shown as it is."""
    if reason in FIXED:
        return gettext(reason)
    for pattern, msgid in PATTERNS:
        match = pattern.match(reason)
        if match:
            return gettext(msgid) % match.groupdict()
    if "; " in reason or _PART.match(reason):
        parts = []
        for part in reason.split("; "):
            match = _PART.match(part)
            parts.append(f"{match['field']}: {reason_display(match['reason'])}" if match else part)
        return "; ".join(parts)
    return reason


# The run errors that are fixed sentences; the others quote the source or a count and stay as stored.
WORKER_STOPPED = N("The worker stopped before the run finished; start it again.")
RUN_ERRORS_FIXED = {WORKER_STOPPED}


def run_error_display(error: str) -> str:
    """A fetch or delivery run's stored (English) error in the active language, when it is a fixed one."""
    return gettext(error) if error in RUN_ERRORS_FIXED else error
