"""Phone numbers and person numbers never reach a log line: phone_numbers_mask's rules, and
PersonalDataFilter on every handler the portal configures, on RQ's worker log (in a real
`manage.py rqworker`) and on gunicorn's logs."""

import io
import logging
import os
import runpy
import secrets
import subprocess
import sys
import timeit

import django_rq
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from gunicorn.config import Config
from gunicorn.glogging import SafeAtoms
from rq.logutils import setup_loghandlers

from kuntaportaali.gunicorn_logging import PersonalDataLogger
from kuntaportaali.redaction import PersonalDataFilter, phone_numbers_mask
from surveys.services.survey_links import TOKEN_BYTES

NUMBER = "+358401234567"
MASKED = "+35840*****67"
TWILIO_ERROR = f"Twilio refused the call (HTTP 400, code 21211): Invalid 'To' Phone Number: {NUMBER}"
WAIT_SECONDS = 60

MASKED_TEXTS = [
    (TWILIO_ERROR, f"Twilio refused the call (HTTP 400, code 21211): Invalid 'To' Phone Number: {MASKED}"),
    ("+358 40 123 4567", MASKED),
    ("+358-40-1234567", MASKED),
    ("+358 (0)40 123 4567", MASKED),
    ("040 123 4567", MASKED),
    ("040-1234567", MASKED),
    ("0401234567", MASKED),
    ("09 1234 567", "+35891****67"),
    ("(09) 1234 567", "+35891****67"),
    ("00358401234567", MASKED),
    ("00 358 40 123 4567", MASKED),
    ("To=%2B358401234567&From=%2B35891234567", "To=%2B35840*****67&From=%2B35891****67"),
    ("Url=https%3A%2F%2Fx%2Fivr%3FTo%3D%2B358401234567", "Url=https%3A%2F%2Fx%2Fivr%3FTo%3D%2B35840*****67"),
    ("To= 358401234567", f"To= {MASKED}"),
    ("tel:+358401234567.", f"tel:{MASKED}."),
    ('{"to": "+358401234567"}', f'{{"to": "{MASKED}"}}'),
    ("+14155552671", "+141******71"),
    ("+1 (415) 555-2671", "+141******71"),
    ("+44 20 7946 0958", "+4420******58"),
    # A number the carrier refused as invalid is still someone's.
    ("+3584012345678901", "+35840*********01"),
    ("numbers 0401234567, 050 765 4321", f"numbers {MASKED}, +35850*****21"),
    # What follows the number stays.
    (f"{NUMBER} 2026-12-06", f"{MASKED} 2026-12-06"),
    (f"{NUMBER} 400", f"{MASKED} 400"),
    ("+358 40 123 4567 12345 rows", f"{MASKED} 12345 rows"),
    # Person numbers, as the HR side hides them.
    ("hetu 010203-123A", "hetu (hidden)"),
    ("311299A999X and 010100+123B", "(hidden) and (hidden)"),
    # Masked text stays as it is.
    (f"{MASKED} %2B35840*****67 (hidden)", f"{MASKED} %2B35840*****67 (hidden)"),
]

UNCHANGED_TEXTS = [
    "2026-12-06",
    "6.12.2026 and 06.12.2026",
    "06-12-2026, 06 12 2026, 06-12-26",
    "2026-12-06T09:30:00+02:00 at 09:30:01,123",
    "12:00-16:00",
    "CA0123456789abcdef0123456789abcdef",
    "code 21211",
    "HTTP 400, HTTP/1.1 503",
    "3,912.40 and 1,234,567 and 0,50 € and 0.0150 USD",
    "attempt 12345",
    "550e8400-e29b-41d4-a716-446655440000",
    "04012345-6789-41d4-a716-446655440000",
    "id 0123 4567 and 000123456",
    "business id 0201256-6",
    "IBAN FI21 1234 5600 0007 85",
    "00100 Helsinki",
    "https://www.twilio.com/docs/errors/21211",
    "+35812",
    "UTC+2 +0200",
]

LOG_LINE = (
    "Call attempt 12345 was not placed (number) on 2026-12-06 at 09:30:01.5: Twilio refused the call "
    "(HTTP 400, code 21211): Invalid 'To' Phone Number: +358401234567; SID CA0123456789abcdef0123456789abcdef"
)


@pytest.mark.parametrize(("text", "masked"), MASKED_TEXTS)
def test_phone_numbers_and_person_numbers_are_masked(text, masked):
    assert phone_numbers_mask(text) == masked


@pytest.mark.parametrize("text", UNCHANGED_TEXTS)
def test_what_is_not_a_phone_number_stays(text):
    assert phone_numbers_mask(text) == text


def test_masking_a_log_line_costs_microseconds():
    assert len(LOG_LINE) == 200
    seconds = min(timeit.repeat(lambda: phone_numbers_mask(LOG_LINE), number=1000, repeat=3)) / 1000
    assert seconds < 0.0005  # about 0.01 ms on the 2-CPU test machine; a millisecond would be a regression


def test_long_runs_of_digits_and_spaces_take_no_time():
    text = "0 12 " * 20_000 + "+358 4" * 10_000
    assert min(timeit.repeat(lambda: phone_numbers_mask(text), number=1, repeat=3)) < 1


def _loggers() -> list[logging.Logger]:
    return [logging.getLogger()] + [
        logger for logger in logging.Logger.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]


def _is_pytests(handler: logging.Handler) -> bool:
    return type(handler).__module__.startswith("_pytest")


def _masks(handler: logging.Handler) -> bool:
    return any(isinstance(one, PersonalDataFilter) for one in handler.filters)


def _configured(name: str) -> tuple[logging.Logger, logging.Handler]:
    """The handler of settings.LOGGING called `name`, with a logger it is on."""
    return next((logger, h) for logger in _loggers() for h in logger.handlers if h.name == name)


class _Captured:
    """What a stream handler writes, while the test runs."""

    def __init__(self, handler: logging.StreamHandler):
        self.handler, self.stream = handler, io.StringIO()

    # The stream is swapped without setStream's flush of the one before: that one may be a capture
    # stream pytest has closed since logging was configured, and flushing it raised ValueError.
    def __enter__(self) -> io.StringIO:
        with self.handler.lock:
            self.previous, self.handler.stream = self.handler.stream, self.stream
        return self.stream

    def __exit__(self, *exc_info):
        with self.handler.lock:
            self.handler.stream = self.previous


def test_every_configured_handler_is_on_a_logger():
    attached = {handler.name for logger in _loggers() for handler in logger.handlers}
    assert set(settings.LOGGING["handlers"]) <= attached


@pytest.mark.parametrize("name", sorted(settings.LOGGING["handlers"]))
def test_a_carriers_refusal_logged_through_each_configured_handler_is_masked(name):
    logger, handler = _configured(name)
    # A record made on a child logger: only a filter on the handler, not on its logger, sees it.
    child = logging.getLogger(f"{logger.name}.refusal" if logger is not logging.getLogger() else "surveys.dialing")
    with _Captured(handler) as output:
        child.warning("Call attempt %s was not placed: %s", 12345, TWILIO_ERROR)

    assert "code 21211" in output.getvalue()
    assert MASKED in output.getvalue()
    assert "401234567" not in output.getvalue()


def test_no_handler_of_any_logger_leaves_numbers_unmasked_even_after_rq_sets_up_its_worker_log():
    worker_log, job_log = logging.getLogger("rq.worker"), logging.getLogger("rq.job")
    levels = worker_log.level, job_log.level
    # An earlier test of this process may have run a worker in-process while pytest held the root
    # logger's handlers; what the configuration and rq's set-up give a worker is looked at alone.
    earlier = worker_log.handlers[:], job_log.handlers[:]
    worker_log.handlers, job_log.handlers = [], []
    try:
        # What `manage.py rqworker` and the worker's bootstrap do before the first job.
        setup_loghandlers("INFO")
        setup_loghandlers("INFO", name="rq.job")
        handlers = [
            (logger.name, handler)
            for logger in _loggers()
            for handler in logger.handlers
            if not _is_pytests(handler) and not isinstance(handler, logging.NullHandler)
        ]
    finally:
        worker_log.setLevel(levels[0])
        job_log.setLevel(levels[1])
        worker_log.handlers, job_log.handlers = earlier

    assert handlers
    assert [(name, handler) for name, handler in handlers if not _masks(handler)] == []


def test_the_rq_worker_log_reaches_only_masking_handlers():
    reached, logger = [], logging.getLogger("rq.worker")
    while logger:
        reached += [handler for handler in logger.handlers if not _is_pytests(handler)]
        logger = logger.parent if logger.propagate else None

    assert reached
    assert all(_masks(handler) for handler in reached)


def test_a_traceback_logged_with_logger_exception_is_masked():
    _logger, console = _configured("console")
    with _Captured(console) as output:
        try:
            raise RuntimeError(TWILIO_ERROR)
        except RuntimeError:
            logging.getLogger("surveys.services.dialing").exception("Call attempt %s failed", 12345)

    assert "Traceback (most recent call last)" in output.getvalue()
    assert f"RuntimeError: Twilio refused the call (HTTP 400, code 21211): Invalid 'To' Phone Number: {MASKED}" in (
        output.getvalue()
    )
    assert "401234567" not in output.getvalue()


def test_a_stack_and_arguments_that_do_not_fit_the_message_are_masked():
    _logger, console = _configured("console")
    with _Captured(console) as output:
        logging.getLogger("surveys.dialing").warning("Called +358401234567 from here", stack_info=True)
        logging.getLogger("surveys.dialing").warning("One argument %s too few: %s", "+358501234567")

    assert "Stack (most recent call last)" in output.getvalue()
    assert "+35850*****67" in output.getvalue()
    assert "401234567" not in output.getvalue()
    assert "501234567" not in output.getvalue()


def test_the_filter_writes_the_masked_message_into_the_record():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "To %s (%s)", (NUMBER, "010203-123A"), None)

    assert PersonalDataFilter().filter(record) is True
    assert (record.msg, record.args, record.getMessage()) == (f"To {MASKED} ((hidden))", (), f"To {MASKED} ((hidden))")


def carrier_refusal(number: str) -> None:
    """An RQ job (run by the worker the next test starts) that logs a carrier's refusal and fails with it."""
    error = f"Twilio refused the call (HTTP 400, code 21211): Invalid 'To' Phone Number: {number}"
    logging.getLogger("surveys.services.dialing").warning("Call attempt 12345 was not placed: %s", error)
    raise RuntimeError(error)


def test_a_real_rq_worker_logs_a_failed_job_masked(rq_queues, tmp_path):
    django_rq.get_queue("reports", commit_mode="auto").enqueue(carrier_refusal, NUMBER)
    log = tmp_path / "worker.log"
    with open(log, "w") as output:
        subprocess.run(
            [sys.executable, "manage.py", "rqworker", "reports", "--burst"],
            cwd=settings.BASE_DIR,
            env=os.environ | {"DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.test"},
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=WAIT_SECONDS,
            check=True,
        )
    text = log.read_text()

    assert f"carrier_refusal('{MASKED}')" in text  # RQ's line about the job it starts
    assert text.count(MASKED) == 3  # and the job's warning, and RQ's line with its traceback
    assert "code 21211" in text
    assert "401234567" not in text


def test_gunicorn_reads_the_masking_logger_class_from_its_configuration_file():
    configured = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))["logger_class"]
    assert import_string(configured) is PersonalDataLogger


def test_gunicorns_access_and_error_logs_are_masked():
    config = Config()
    config.set("accesslog", "-")
    config.set("errorlog", "-")
    log = PersonalDataLogger(config)
    try:
        handlers = log.access_log.handlers + log.error_log.handlers
        assert len(handlers) == 2 and all(_masks(handler) for handler in handlers)
        [access] = log.access_log.handlers
        with _Captured(access) as output:
            # gunicorn's own call: the access log format with the request's atoms as a mapping.
            log.access_log.info(config.access_log_format, SafeAtoms({"r": "GET /hr/?q=010203-123A&n=0401234567"}))
    finally:
        for logger in (log.access_log, log.error_log):
            for handler in list(logger.handlers):
                logger.removeHandler(handler)

    assert f'"GET /hr/?q=(hidden)&n={MASKED}"' in output.getvalue()


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
@pytest.mark.parametrize("page", ["surveys-public:web-survey", "surveys-public:web-opt-out"])
def test_a_residents_survey_link_reaches_no_log_line_with_its_token(language, page):
    """The token opens the person's survey to whoever has it, as a session would (ASVS 7.1.1): gunicorn's
    access log and Django's "Gone: <path>" keep the address without it."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with translation.override(language):
        path = reverse(page, kwargs={"link": token})
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Gone: %s", (path,), None)

    PersonalDataFilter().filter(record)

    assert token not in record.getMessage()
    assert record.getMessage() == "Gone: " + path.replace(token, "(link)")
