"""Phone numbers and Finnish person numbers kept out of log lines and stored error texts, and the
tokens of residents' survey links out of log lines.

Carriers, mail servers and webhooks answer with free text that may quote a number ("Invalid 'To'
Phone Number: +358401234567"). Every handler of the portal's logging carries PersonalDataFilter
(kuntaportaali.settings.base.LOGGING), and a service that stores text from outside passes it
through phone_numbers_mask first.
"""

import logging
import re
from datetime import date
from functools import lru_cache

import phonenumbers

PERSON_NUMBER_HIDDEN = "(hidden)"
# A Finnish personal identity code (ddmmyy, century sign, individual number, check character).
PERSON_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{6}[-+A-FU-Ya-fu-y]\d{3}[0-9A-Ya-y](?![0-9A-Za-z])")
_CENTURIES = {"+": 1800, **dict.fromkeys("-YXWVU", 1900), **dict.fromkeys("ABCDEF", 2000)}
_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def person_number_is_valid(text: str) -> bool:
    """Whether `text` is a Finnish identity code that could have been issued: a real birth date, its
    century sign (those of 2023 too) and the check character its digits give."""
    if not PERSON_NUMBER.fullmatch(text):  # most values, answered at once
        text = text.strip()
        if not PERSON_NUMBER.fullmatch(text):
            return False
    text = text.upper()
    digits, sign, check = text[:6] + text[7:10], text[6], text[10]
    try:
        date(_CENTURIES[sign] + int(text[4:6]), int(text[2:4]), int(text[0:2]))
    except ValueError:
        return False
    return _CHECK_CHARACTERS[int(digits) % 31] == check


# Groups of digits joined by one space or hyphen, with an area code or a trunk "(0)" in parentheses:
# how people and carriers write a number. Dots are not joiners: "06.12.2026" is a date.
_GROUPS = r"(?:\(\d{1,4}\)[ \u00a0-]?)?\d+(?:(?:[ \u00a0-]|[ \u00a0-]?\(\d{1,4}\)[ \u00a0-]?)\d+)*"
# Cheap look-aheads that leave out most short runs of digits ("09:30") before a number is read.
_AT_LEAST_5_MORE = r"(?:[ \u00a0()-]{0,2}\d){5}"
_AT_LEAST_6_MORE = r"(?:[ \u00a0()-]{0,2}\d){6}"
# 06-12-2026, 06 12 2026, 06-12-26 and a business id (Y-tunnus) 0201256-6 are not numbers to call.
_DATE_OR_BUSINESS_ID = (
    r"\d\d?(?P<date_mark>[ -])\d\d?(?P=date_mark)(?:\d\d(?![\w-]|[ \u00a0]\d)|(?:19|20)\d\d(?![\w-]))"
    r"|\d{7}-\d(?![\w-])"
)
_FOUND = re.compile(
    rf"""
    (?=[+%(\d])  # a quick refusal: most characters of a line start nothing
    (?:
        %2[Bb](?P<encoded>[1-9]\d{{6,19}})(?![\w-])  # a "+" in a URL, whatever stands before it
      | (?P<person>{PERSON_NUMBER.pattern})
      | (?<![\w+%.,-])  # not the middle of a word, an SID, an amount or a date
        (?:
            (?:\+|00[ \u00a0]?)(?=[1-9]{_AT_LEAST_6_MORE})(?P<international>{_GROUPS})
          | (?=\(?0[1-9]{_AT_LEAST_5_MORE})(?!{_DATE_OR_BUSINESS_ID})(?P<national>{_GROUPS})
          | (?P<bare>358[1-9]\d{{7,9}})  # a Finnish number whose "+" a form decoding turned into a space
        )
        (?![\w-])
    )
    """,
    re.VERBOSE,
)
_DIGIT_GROUP = re.compile(r"\(0\)|\d+")


def phone_numbers_mask(text: str) -> str:
    """`text` with every phone number masked and every Finnish person number hidden.

    A phone number, in any form (+358 40 123 4567, 0401234567, 040-123 4567, (09) 1234 567,
    00358401234567, %2B358401234567 in a URL, a foreign +14155552671), becomes its international
    form with the country code, the first two and the last two digits of the rest kept and the
    others starred: "+35840*****67" (the first and the last one only when the rest is shorter than
    eight digits). The same number reads the same in every line, enough to find its call with
    support; in a URL the plus stays encoded ("%2B35840*****67"). A number written with "+" or
    "00" is masked even when it is not a valid number (a carrier's refusal quotes exactly those); one
    written the Finnish national way (or as 358... without its plus) only when it is a valid Finnish
    number, so dates, times, amounts, error codes, SIDs and ids stay as they are. A person number
    becomes PERSON_NUMBER_HIDDEN. Masking masked text changes nothing.
    """
    return _FOUND.sub(_masked, text)


def _masked(found: re.Match) -> str:
    if found["person"]:
        return PERSON_NUMBER_HIDDEN
    if found["encoded"]:
        return "%2B" + _e164_masked(found["encoded"])[1:]
    if found["bare"]:
        return _e164_masked(found["bare"]) if _is_valid_e164(found["bare"]) else found[0]
    if found["national"] is not None:
        body = found["national"]
        cut = next(
            ((end, e164) for end, digits in _cuts(body, 7, 12) if (e164 := _finnish_e164(digits))),
            None,
        )
    else:
        body = found["international"]
        cuts = _cuts(body, 7, 20)
        if len(cuts) > 1:
            # Groups after a space may be the next thing in the line ("+358401234567 400"): the
            # longest valid number wins, else all of it (an invalid number is still someone's).
            cuts = [cut for cut in cuts if _is_valid_e164(cut[1])] or cuts
        cut = cuts[0] if cuts else None
    if cut is None:
        return found[0]
    end, digits = cut
    return _e164_masked(digits) + body[end:]


def _cuts(body: str, fewest: int, most: int) -> list[tuple[int, str]]:
    """Where `body` may end after a group of digits, with the digits up to there (a trunk "(0)" after
    the country code is not dialled), longest first, between `fewest` and `most` digits."""
    cuts, digits = [], ""
    for group in _DIGIT_GROUP.finditer(body):
        if group[0] == "(0)" and digits:
            continue
        digits += group[0].strip("()")
        if fewest <= len(digits) <= most:
            cuts.append((group.end(), digits))
    return cuts[::-1]


def _e164_masked(digits: str) -> str:
    country = next((digits[:size] for size in (1, 2, 3) if int(digits[:size]) in _COUNTRY_CODES), "")
    rest = digits[len(country) :]
    kept = 2 if len(rest) >= 8 else 1
    return f"+{country}{rest[:kept]}{'*' * (len(rest) - 2 * kept)}{rest[-kept:]}"


_COUNTRY_CODES = frozenset(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)


@lru_cache(maxsize=4096)
def _is_valid_e164(digits: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(f"+{digits}"))
    except phonenumbers.NumberParseException:
        return False


@lru_cache(maxsize=4096)
def _finnish_e164(digits: str) -> str:
    """The E.164 digits of a Finnish number written the national way, or '' when it is not one."""
    try:
        number = phonenumbers.parse(digits, "FI")
    except phonenumbers.NumberParseException:
        return ""
    return f"{number.country_code}{number.national_number}" if phonenumbers.is_valid_number(number) else ""


SURVEY_LINK_HIDDEN = "(link)"
# A resident's personal link to the web survey, in each language's address (surveys/public_urls.py, as
# translated): its token opens the person's survey to whoever has it, so a log line keeps only the address.
_SURVEY_LINK = re.compile(r"(/(?:fi/vastaa|sv/svara|en/answer)/)[A-Za-z0-9_-]+")


def survey_link_tokens_hide(text: str) -> str:
    return _SURVEY_LINK.sub(rf"\g<1>{SURVEY_LINK_HIDDEN}", text)


class PersonalDataFilter(logging.Filter):
    """Masks phone numbers and hides person numbers (phone_numbers_mask) in a log record: its message
    with the arguments filled in, its traceback and its stack. It goes on every handler, not on a
    logger: a logger's filter sees only the records made on that logger, not those its children pass
    up. The record is changed in place, so the handlers after the first get it masked as well."""

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "personal_data_masked", False):
            return True
        # Tokens first: a run of digits inside one is no phone number to mask half of.
        record.msg = phone_numbers_mask(survey_link_tokens_hide(_message(record)))
        record.args = ()
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = phone_numbers_mask(record.exc_text)
        # Formatters print exc_text; a handler that renders the exception itself would see it unmasked.
        record.exc_info = None
        if record.stack_info:
            record.stack_info = phone_numbers_mask(record.stack_info)
        record.personal_data_masked = True
        return True


def _message(record: logging.LogRecord) -> str:
    try:
        return record.getMessage()
    except Exception:
        # Arguments that do not fit the message: logging's own report of that would print them
        # unmasked, so they are shown here, to be masked with it.
        return f"{record.msg} {record.args!r}"
