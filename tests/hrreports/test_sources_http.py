"""The HTTP source against a real HTTP server on 127.0.0.1: token, pagination, timeouts, 5xx, retries."""

import contextlib
import gzip
import ipaddress
import json
import socket
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from hrreports.errors import PopulusError, TransientSourceError
from hrreports.models import Absence, Source
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import populus_fetch
from hrreports.services.sources import source_save
from hrreports.sources.http import HttpSource
from kuntaportaali.credentials import credential_encrypt

TOKEN = "s3cret-token"
PERIOD = date(2026, 3, 1)


def absence(n: int) -> dict:
    return {
        "person_number": f"0101{n:02d}-9{n:02d}X",
        "employee_name": f"Testi {n}",
        "employment_id": f"E{n}",
        "unit_code": "10",
        "absence_code": "102",
        "start": "2026-03-02",
        "end": "2026-03-03",
    }


def employment(n: int) -> dict:
    row = absence(n)
    return {name: row[name] for name in ("person_number", "employee_name", "employment_id", "unit_code")} | {
        "start": "2020-01-01"
    }


# gzip-compressed: 7,819 bytes on the wire, 8 MB once unpacked. Compressed once, at import: compressed for
# each request, on a loaded machine it took longer than the client waits for an answer (0.2 s), and the
# fetch failed as an endpoint that did not answer instead of a page too large.
GZIP_BOMB = gzip.compress(b'{"results": [' + b" " * 8_000_000 + b"]}", mtime=0)


class Handler(BaseHTTPRequestHandler):
    calls: dict[str, int] = {}
    emptied = False  # the "emptied" endpoint's absences: two, or none once the test sets this

    def log_message(self, *args):
        pass

    def answer(self, status: int, payload) -> None:
        body = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout tests)
            self.wfile.write(body)

    def do_GET(self):
        url = urlsplit(self.path)
        query = parse_qs(url.query)
        kind, report = url.path.strip("/").split("/", 1)
        Handler.calls[kind] = Handler.calls.get(kind, 0) + 1
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self.answer(401, {"detail": "bad token"})
        if kind == "emptied":  # a whole month, whose absences are gone once the test sets Handler.emptied
            rows = {
                "employments": [employment(1), employment(2)],
                "absences": [] if Handler.emptied else [absence(1), absence(2)],
            }.get(report, [])
            return self.answer(200, {"results": rows, "next": None})
        if report != "absences":
            return self.answer(200, {"results": [], "next": None})
        if kind == "linked":
            if "cursor" in query:
                return self.answer(200, {"results": [absence(3)], "next": None})
            assert query["period"] == ["2026-03"]
            return self.answer(200, {"results": [absence(1), absence(2)], "next": f"/{kind}/absences?cursor=2"})
        if kind == "stuck":  # ignores the page asked for: always its first page of three
            return self.answer(200, {"results": [absence(1)], "page": 1, "pages": 3})
        if kind == "numbered-as-text":  # page numbers as JSON strings
            page = int(query["page"][0])
            return self.answer(200, {"results": [absence(page)], "page": str(page), "pages": "3"})
        if kind == "pages-only":  # says how many pages there are, not which one it gave
            page = int(query["page"][0])
            return self.answer(200, {"results": [absence(page)], "pages": 3})
        if kind == "pages-only-stuck":  # says how many pages there are, and gives its first whatever is asked
            return self.answer(200, {"results": [absence(1), absence(2)], "pages": 3})
        if kind == "paging-unknown":  # page numbers that say nothing readable
            return self.answer(200, {"results": [absence(1)], "page": "first", "pages": "many"})
        if kind == "counted":  # Django REST framework's answer, which says how many rows there are in all
            return self.answer(200, {"count": 3, "next": None, "previous": None, "results": [absence(1), absence(2)]})
        if kind == "numbered":
            page = int(query["page"][0])
            return self.answer(200, {"results": [absence(page)], "page": page, "pages": 3})
        if kind == "slow":
            time.sleep(0.5)
            return self.answer(200, [absence(1)])
        if kind == "flaky":
            if Handler.calls[kind] % 2 == 1:
                return self.answer(503, {"detail": "busy"})
            return self.answer(200, [absence(1), {"person_number": "x", "start": "huomenna"}])
        if kind == "down":
            return self.answer(500, {"detail": "broken"})
        if kind == "cut":  # promises more bytes than it sends, then closes the connection
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"results": [')
            self.close_connection = True
            return None
        if kind == "html":
            return self.answer(200, "<html>login</html>")
        if kind == "huge":  # a page far larger than any month of a town's absences, its length not said
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client stopped reading
                row = b'{"person_number": "010101-9010", "start": "2026-03-02"},'
                self.wfile.write(b'{"results": [' + row * 40_000)
            self.close_connection = True
            return None
        if kind == "busy-huge":  # busy, with a long error page
            self.send_response(503)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(b"<p>Service Unavailable</p>" * 100_000)
            self.close_connection = True
            return None
        if kind == "bomb":
            body = GZIP_BOMB
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)
            return None
        if kind == "declared-huge":  # says at once how large the page is
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(10 * 1024 * 1024 * 1024))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(b'{"results": [')
            self.close_connection = True
            return None
        if kind in ("latin1-label", "windows-1252"):
            # UTF-8 labelled as Latin-1 (as servers mislabel it), or really Windows-1252 bytes
            row = absence(1) | {"employee_name": "Mäkinen Väinö"}
            body = json.dumps({"results": [row]}, ensure_ascii=False)
            self.send_response(200)
            if kind == "latin1-label":
                self.send_header("Content-Type", "application/json; charset=iso-8859-1")
                data = body.encode()
            else:
                self.send_header("Content-Type", "application/json")
                data = body.encode("cp1252")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None
        if kind == "redirect":  # to the "linked" endpoint of the same server
            self.send_response(302)
            self.send_header("Location", f"/linked/{report}?{url.query}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if kind == "sneaky":  # a next link given by the test (Handler.sneaky_page)
            return self.answer(200, self.sneaky_page)
        if kind == "elsewhere":  # the next page on another name of the same machine
            port = self.server.server_address[1]
            return self.answer(
                200, {"results": [absence(1)], "next": f"http://localhost:{port}/linked/absences?cursor=2"}
            )
        return self.answer(404, {})


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def source(server: str, kind: str, token: str = TOKEN, **config) -> HttpSource:
    settings = {"base_url": f"{server}/{kind}", "timeout": 0.2, "retries": 2, "backoff": 0.01}
    stored = {"token_encrypted": credential_encrypt(token)}
    return HttpSource(name="rajapinta", config=HttpSource.config_defaults() | settings | stored | config)


def test_follows_next_links(server):
    batch = source(server, "linked").fetch("absences", PERIOD)

    assert [row["employment_id"] for row in batch.rows] == ["E1", "E2", "E3"]
    assert batch.rejected == []


def test_follows_page_numbers(server):
    batch = source(server, "numbered").fetch("absences", PERIOD)

    assert [row["employment_id"] for row in batch.rows] == ["E1", "E2", "E3"]


def test_page_numbers_written_as_text_are_followed_too(server):
    batch = source(server, "numbered-as-text").fetch("absences", PERIOD)

    assert [row["employment_id"] for row in batch.rows] == ["E1", "E2", "E3"]


def test_an_answer_that_gives_the_pages_but_not_its_page_number_is_followed_to_the_last_page(server):
    """{"pages": 3} without "page" was read as a single page: the month's other two pages were left out (and
    their absences then deleted as cancelled)."""
    batch = source(server, "pages-only").fetch("absences", PERIOD)

    assert [row["employment_id"] for row in batch.rows] == ["E1", "E2", "E3"]


def test_an_endpoint_that_answers_another_page_than_asked_fails_at_once(server, english):
    """It was asked for page 2 ten thousand times, keeping page 1's rows each time (5 million rows at 500 a
    page), before the fetch gave up."""
    Handler.calls["stuck"] = 0
    with pytest.raises(PopulusError) as error:
        source(server, "stuck").fetch("absences", PERIOD)

    assert (error.value.code, error.value.params["asked"], error.value.params["page"]) == ("http_page_not_asked", 2, 1)
    assert Handler.calls["stuck"] == 2


def test_an_endpoint_that_gives_its_first_page_whatever_page_is_asked_fails_instead_of_repeating_it(server, english):
    """{"pages": 3} without "page", from an endpoint that ignores ?page=: its first page was read three times,
    so each absence came three times."""
    with pytest.raises(PopulusError) as error:
        source(server, "pages-only-stuck").fetch("absences", PERIOD)

    assert (error.value.code, error.value.params["asked"], error.value.params["page"]) == ("http_page_repeated", 2, 1)
    assert "answered page 2 with the rows of page 1" in str(error.value)


def test_page_numbers_that_cannot_be_read_fail_instead_of_taking_the_first_page_for_all(server, english):
    with pytest.raises(PopulusError) as error:
        source(server, "paging-unknown").fetch("absences", PERIOD)

    assert error.value.code == "http_paging_unreadable"


def test_an_answer_with_fewer_rows_than_its_count_fails_instead_of_storing_part_of_the_month(server, english):
    with pytest.raises(PopulusError) as error:
        source(server, "counted").fetch("absences", PERIOD)

    assert (error.value.code, error.value.params["count"], error.value.params["rows"]) == ("http_count_mismatch", 3, 2)


def test_a_slow_endpoint_times_out_and_is_retried_then_reported_as_transient(server):
    Handler.calls.pop("slow", None)

    with pytest.raises(TransientSourceError) as error:
        source(server, "slow").fetch("absences", PERIOD)
    assert error.value.code == "http_no_answer"
    assert (error.value.params["tries"], error.value.params["reason"]) == (
        3,
        {"code": "http_timeout", "params": {"seconds": "0.2"}},
    )
    assert Handler.calls["slow"] == 3


def test_503_then_200_is_retried_and_bad_rows_are_rejected(server):
    Handler.calls["flaky"] = 0

    batch = source(server, "flaky").fetch("absences", PERIOD)

    assert Handler.calls["flaky"] == 2
    assert len(batch.rows) == 1
    assert {rejected.row for rejected in batch.rejected} == {2}
    assert batch.total == 2
    assert {(rejected.field, rejected.problem.code) for rejected in batch.rejected} >= {
        ("start", "value_not_a_date"),
        ("employment_id", "row_value_missing"),
    }
    assert all(rejected.value != "x" for rejected in batch.rejected if rejected.field == "person_number")


def test_persistent_5xx_is_transient(server):
    with pytest.raises(TransientSourceError) as error:
        source(server, "down").fetch("absences", PERIOD)
    assert error.value.params["reason"] == {"code": "http_status_retried", "params": {"status": 500}}


def test_wrong_token_is_a_clear_permanent_error(server):
    with pytest.raises(PopulusError) as error:
        source(server, "linked", token="wrong").fetch("absences", PERIOD)
    assert (error.value.code, error.value.params["status"]) == ("http_token_refused", 401)
    assert not isinstance(error.value, TransientSourceError)
    assert "wrong" not in str(error.value)


def test_non_json_answer(server):
    with pytest.raises(PopulusError) as error:
        source(server, "html").fetch("absences", PERIOD)
    assert error.value.code == "http_not_json"


def test_json_is_read_as_utf8_whatever_charset_the_answer_names(server):
    """JSON is UTF-8 (RFC 8259: a charset parameter has no effect): a server that labels it Latin-1 must not
    turn "Mäkinen" into "MÃ¤kinen"."""
    batch = source(server, "latin1-label").fetch("absences", PERIOD)

    assert batch.rejected == []
    assert [row["employee_name"] for row in batch.rows] == ["Mäkinen Väinö"]


def test_an_answer_that_is_not_utf8_is_refused_not_read_with_replacement_characters(server, english):
    with pytest.raises(PopulusError) as error:
        source(server, "windows-1252").fetch("absences", PERIOD)

    assert error.value.code == "http_not_utf8"
    assert not isinstance(error.value, TransientSourceError)
    assert "UTF-8" in str(error.value)


def test_run_retries_a_transient_source_and_stores(server, db):
    from tests.hrreports.conftest import make_unit

    make_unit("10")
    Handler.calls["flaky"] = 0
    configured = Source.objects.create(name="rajapinta", kind="http", config=source(server, "flaky", retries=0).config)
    waits = []

    run = populus_fetch(source=configured, period=PERIOD, retry_delays=(1, 1), sleep=waits.append)

    assert run.status == RunStatus.FAILED  # 1 of 2 rows rejected: over the 5 % threshold
    assert waits, "the source's 503 was retried by the run"
    assert Absence.objects.count() == 0


def test_an_empty_answer_never_erases_the_months_rows_stored_before(server, db, english):
    """An endpoint that answers an empty list (its own query timed out, the month not yet closed on its side)
    is no reason to delete the month's absences fetched before; a file source refuses an empty file alike."""
    from tests.hrreports.conftest import make_unit

    make_unit("10")
    configured = Source.objects.create(name="rajapinta", kind="http", config=source(server, "emptied").config)
    Handler.emptied = False
    first = populus_fetch(source=configured, period=PERIOD, retry_delays=(), sleep=lambda _s: None)
    assert (first.status, Absence.objects.count()) == (RunStatus.DONE, 2)

    Handler.emptied = True
    try:
        again = populus_fetch(source=configured, period=PERIOD, retry_delays=(), sleep=lambda _s: None)
    finally:
        Handler.emptied = False

    assert again.status == RunStatus.FAILED
    assert (again.error_code, again.error_params["stored"]) == ("run_report_empty", 2)
    assert again.error_message.startswith("The source delivered no absences for Mar 2026")
    assert Absence.objects.count() == 2


def test_run_fails_clearly_when_the_endpoint_stays_down(server, db):
    configured = Source.objects.create(name="alhaalla", kind="http", config=source(server, "down").config)

    run = populus_fetch(source=configured, period=PERIOD, retry_delays=(0,), sleep=lambda s: None)

    assert run.status == RunStatus.FAILED
    assert "did not answer after 3 tries: HTTP 500" in run.error  # English, for logs and commands
    assert (run.error_code, run.error_params["tries"], run.error_params["reason"]) == (
        "http_no_answer",
        3,
        {"code": "http_status_retried", "params": {"status": 500}},
    )


def test_an_answer_cut_off_midway_is_retried_as_transient(server):
    Handler.calls.pop("cut", None)

    with pytest.raises(TransientSourceError) as error:
        source(server, "cut", retries=1).fetch("absences", PERIOD)
    assert error.value.params["reason"] == {"code": "http_answer_cut_off", "params": {}}

    assert Handler.calls["cut"] == 2


@pytest.mark.parametrize("kind", ["huge", "bomb", "declared-huge"])
def test_a_page_larger_than_the_limit_is_refused_before_it_fills_the_memory(server, settings, english, kind):
    """A page was read whole into the worker's memory, however large: an endpoint answering a log file,
    or a gzip bomb that requests unpacks, could take the worker down with the month's fetch."""
    settings.POPULUS_HTTP_MAX_PAGE_BYTES = 1024 * 1024
    Handler.calls.pop(kind, None)

    with pytest.raises(PopulusError) as error:
        source(server, kind).fetch("absences", PERIOD)

    assert (error.value.code, error.value.params["megabytes"]) == ("http_page_too_large", 1)
    assert "larger than 1 MB" in str(error.value)
    assert Handler.calls[kind] == 1  # not asked again: the same page would be as large


def test_a_busy_answer_with_a_long_error_page_is_retried_not_refused_as_too_large(server, settings):
    """The body was read before the status: a 503 with a long error page failed the fetch as a page too
    large, which is not tried again, where a busy endpoint is."""
    settings.POPULUS_HTTP_MAX_PAGE_BYTES = 1024 * 1024
    Handler.calls.pop("busy-huge", None)

    with pytest.raises(TransientSourceError) as error:
        source(server, "busy-huge", retries=1).fetch("absences", PERIOD)

    assert error.value.params["reason"] == {"code": "http_status_retried", "params": {"status": 503}}
    assert Handler.calls["busy-huge"] == 2


def test_a_page_within_the_limit_is_read(server, settings):
    settings.POPULUS_HTTP_MAX_PAGE_BYTES = 1024

    batch = source(server, "linked").fetch("absences", PERIOD)

    assert [row["employment_id"] for row in batch.rows] == ["E1", "E2", "E3"]


def test_a_host_outside_the_allow_list_is_not_contacted(server, settings):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    Handler.calls.pop("linked", None)

    with pytest.raises(PopulusError) as error:
        source(server, "linked").fetch("absences", PERIOD)

    assert error.value.problem.code == "http_host_not_allowed"
    assert "POPULUS_HTTP_ALLOWED_HOSTS" in str(error.value)
    assert "linked" not in Handler.calls


def test_an_allow_list_entry_with_a_port_allows_only_that_port(server, settings):
    port = int(server.rsplit(":", 1)[1])
    settings.POPULUS_HTTP_ALLOWED_HOSTS = [f"127.0.0.1:{port + 1}"]

    with pytest.raises(PopulusError) as error:
        source(server, "linked").fetch("absences", PERIOD)
    assert error.value.problem.code == "http_host_not_allowed"

    settings.POPULUS_HTTP_ALLOWED_HOSTS = [f"127.0.0.1:{port}"]
    assert len(source(server, "linked").fetch("absences", PERIOD).rows) == 3


def test_a_redirect_is_not_followed(server):
    Handler.calls.pop("linked", None)

    with pytest.raises(PopulusError) as error:
        source(server, "redirect").fetch("absences", PERIOD)

    assert error.value.problem.code == "http_redirect_refused"
    assert "linked" not in Handler.calls
    assert not isinstance(error.value, TransientSourceError)


def test_a_next_page_on_another_host_is_refused(server, settings):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    Handler.calls.pop("linked", None)

    with pytest.raises(PopulusError) as error:
        source(server, "elsewhere").fetch("absences", PERIOD)

    assert error.value.code == "http_next_page_elsewhere"

    assert "linked" not in Handler.calls


def test_a_name_that_resolves_to_a_loopback_address_needs_that_address_in_the_allow_list(server, settings):
    port = server.rsplit(":", 1)[1]
    by_name = f"http://localhost:{port}"
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["localhost"]
    Handler.calls.pop("linked", None)

    with pytest.raises(PopulusError) as error:
        source(by_name, "linked").fetch("absences", PERIOD)
    assert error.value.problem.code == "http_host_address_refused"
    assert "linked" not in Handler.calls

    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["localhost", "127.0.0.1", "::1"]
    assert len(source(by_name, "linked").fetch("absences", PERIOD).rows) == 3


def test_the_test_settings_allow_the_local_test_server_only():
    from django.conf import settings

    assert settings.POPULUS_HTTP_ALLOWED_HOSTS == ["127.0.0.1"]


def test_a_host_name_that_does_not_resolve_is_retried_then_reported_as_transient(settings, english):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.invalid"]
    waits = []
    unresolved = HttpSource(
        name="rajapinta",
        config=HttpSource.config_defaults() | {"base_url": "https://populus.invalid/api", "retries": 1},
    )
    unresolved.sleep = waits.append

    with pytest.raises(TransientSourceError, match=r"did not answer after 2 tries: The host name populus\.invalid"):
        unresolved.fetch("absences", PERIOD)
    assert len(waits) == 1


def test_a_source_saved_with_a_plain_http_address_fetches_nothing_over_it(settings, english):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["10.0.0.5"]
    plain = HttpSource(name="rajapinta", config=HttpSource.config_defaults() | {"base_url": "http://10.0.0.5/api"})
    plain.sleep = lambda seconds: pytest.fail("a refused address is not tried again")

    with pytest.raises(PopulusError) as error:
        plain.fetch("absences", PERIOD)

    assert error.value.problem.code == "http_not_encrypted"


@pytest.fixture
def unlisted_server():
    """A server on 127.0.0.2, which no test allow-list names: records every request that reaches it."""
    requests_seen = []

    class Recorder(Handler):
        def do_GET(self):
            requests_seen.append((self.path, self.headers.get("Authorization")))
            return self.answer(200, {"results": [], "next": None})

    httpd = ThreadingHTTPServer(("127.0.0.2", 0), Recorder)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"127.0.0.2:{httpd.server_address[1]}", requests_seen
    httpd.shutdown()
    httpd.server_close()


def test_a_backslash_before_an_allowed_host_neither_saves_nor_reaches_the_host_before_it(unlisted_server, settings, db):
    address, requests_seen = unlisted_server
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["localhost", "127.0.0.1"]
    sneaky = f"http://{address}\\@localhost"

    with pytest.raises(PopulusError) as refused:
        source_save(source=None, name="rajapinta", kind="http", active=True, settings={"base_url": sneaky})
    assert (refused.value.problem.code, refused.value.field) == ("http_address_malformed", "base_url")

    stored = HttpSource(
        name="tallennettu",
        config=HttpSource.config_defaults() | {"base_url": sneaky, "token_encrypted": credential_encrypt(TOKEN)},
    )
    with pytest.raises(PopulusError) as error:
        stored.fetch("absences", PERIOD)
    assert error.value.problem.code == "http_address_malformed"
    assert requests_seen == []


@pytest.mark.parametrize(
    "address",
    [
        "http://127.0.0.1:{port}\\linked",
        "http://someone@127.0.0.1:{port}/linked",
        "http://someone:password@127.0.0.1:{port}/linked",
        "http://127.0.0.1:{port}/linked api",
        "http://127.0.0.1:{port}/linked\t",
        "http://127.0.0.1:{port}/linked\r\nX-Injected: 1",
        "http://127.0.0.1:{port}/linked\x00",
        "http://127.0.0.1:{port}/linked\u200b",
    ],
)
def test_an_address_parsers_may_read_differently_is_refused_when_saved(address, server, db):
    port = server.rsplit(":", 1)[1]

    with pytest.raises(PopulusError) as refused:
        source_save(
            source=None, name="rajapinta", kind="http", active=True, settings={"base_url": address.format(port=port)}
        )

    assert (refused.value.problem.code, refused.value.field) == ("http_address_malformed", "base_url")
    assert not Source.objects.exists()


def test_an_address_with_a_user_name_in_the_path_only_is_accepted(server, db):
    saved = source_save(
        source=None, name="rajapinta", kind="http", active=True, settings={"base_url": f"{server}/linked/a@b"}
    )

    assert saved.config["base_url"] == f"{server}/linked/a@b"


@pytest.mark.parametrize("link", ["/linked/absences?cursor=2\\", "/linked/absences?cursor=2 ", "//x@127.0.0.1:{port}/"])
def test_a_next_link_parsers_may_read_differently_is_not_followed(link, server, monkeypatch):
    port = int(server.rsplit(":", 1)[1])
    page = {"results": [absence(1)], "next": link.format(port=port)}
    monkeypatch.setattr(Handler, "sneaky_page", page, raising=False)
    Handler.calls.pop("linked", None)

    with pytest.raises(PopulusError) as error:
        source(server, "sneaky").fetch("absences", PERIOD)

    assert error.value.problem.code == "http_address_malformed"
    assert "linked" not in Handler.calls


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",  # carrier-grade NAT: a cloud's metadata service
        "100.64.0.1",
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "::ffff:10.0.0.5",  # IPv4-mapped
        "::ffff:127.0.0.1",
    ],
)
def test_a_name_resolving_to_an_address_that_reaches_elsewhere_is_refused(address, settings, monkeypatch):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    resolved = [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: resolved)
    configured = {"base_url": "https://populus.example.fi/api", "retries": 0, "timeout": 0.2}

    with pytest.raises(PopulusError) as error:
        HttpSource(name="rajapinta", config=HttpSource.config_defaults() | configured).fetch("absences", PERIOD)

    assert error.value.problem.code == "http_host_address_refused"
    assert error.value.problem.params == {"host": "populus.example.fi", "address": str(ipaddress.ip_address(address))}


def test_a_proxy_or_netrc_from_the_environment_is_not_used(server, monkeypatch, tmp_path):
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens: a request sent there fails
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password netrc-secret\n")
    monkeypatch.setenv("NETRC", str(netrc))

    batch = source(server, "linked").fetch("absences", PERIOD)

    assert [row["employment_id"] for row in batch.rows] == ["E1", "E2", "E3"]


def test_a_token_saved_through_the_settings_form_is_sent_as_typed(server, db, settings):
    from tests.hrreports.conftest import make_unit

    make_unit("10")
    configured = source_save(
        source=None,
        name="rajapinta",
        kind="http",
        active=True,
        settings={"base_url": f"{server}/emptied", "token": TOKEN, "timeout": 1, "retries": 0},
    )

    run = populus_fetch(source=configured, period=PERIOD, retry_delays=(), sleep=lambda _s: None)

    assert (run.status, Absence.objects.count()) == (RunStatus.DONE, 2)


def test_a_token_no_key_decrypts_fails_the_run_naming_the_setting_and_sends_nothing(server, db, settings, english):
    from cryptography.fernet import Fernet

    configured = source_save(
        source=None,
        name="rajapinta",
        kind="http",
        active=True,
        settings={"base_url": f"{server}/counted", "token": TOKEN, "timeout": 1, "retries": 0},
    )
    settings.CREDENTIAL_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the token's key dropped
    Handler.calls["counted"] = 0

    run = populus_fetch(source=configured, period=PERIOD, retry_delays=(), sleep=lambda _s: None)

    assert (run.status, run.error_code) == (RunStatus.FAILED, "http_token_unreadable")
    assert "CREDENTIAL_ENCRYPTION_KEYS" in run.error_message
    assert Handler.calls["counted"] == 0
