"""A local fake of Twilio (its REST API over real HTTP on 127.0.0.1 - calls and messages - and its
carrier side: signed status, answering machine and IVR callbacks in Twilio's parameters and order)."""

import itertools
import json
import re
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings
from twilio.request_validator import RequestValidator

TWILIO_ACCOUNT = "AC" + "1" * 32
TWILIO_TOKEN = "twilio-test-auth-token"
CALLS = re.compile(r"/Accounts/(?P<account>\w+)/Calls\.json$")
CALL = re.compile(r"/Accounts/(?P<account>\w+)/Calls/(?P<sid>\w+)\.json$")
MESSAGES = re.compile(r"/Accounts/(?P<account>\w+)/Messages\.json$")
ACCOUNT = re.compile(r"/Accounts/(?P<account>\w+)\.json$")
INCOMING_NUMBERS = re.compile(r"/Accounts/(?P<account>\w+)/IncomingPhoneNumbers\.json$")
CALLER_IDS = re.compile(r"/Accounts/(?P<account>\w+)/OutgoingCallerIds\.json$")
FORM = "application/x-www-form-urlencoded"


def twilio_error(status: int, code: int, message: str) -> tuple[int, dict]:
    """A REST error answer as Twilio sends it."""
    return status, {
        "code": code,
        "message": message,
        "status": status,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
    }


class FakeTwilio:
    """Records every request and answers like Twilio's REST API: calls and messages are created with a new sid,
    updated (ended, redirected) and fetched with the price set in `prices` and what `calls` has of them
    (in progress unless it says otherwise); the account is
    `account_status`; the caller numbers it owns are `owned_numbers`.

    `reply` = (HTTP status, JSON body) answers every request alike; `errors` holds answers for the
    next requests (e.g. `twilio_error(503, 20503, ...)`), taken in turn before anything else: nothing
    is created. `answers_lost` holds answers for the next calls or messages created: Twilio took the
    call or message (it is in `calls` or `messages`, listed and placed or sent) but its answer was an
    error, or None: the connection closed before any answer. The calls and messages created are listed
    newest first, filtered by To and From, as Twilio's Calls and Messages list resources do."""

    def __init__(self):
        self.requests: list[dict] = []
        self.reply: tuple[int, dict] | None = None
        self.errors: list[tuple[int, dict]] = []
        self.prices: dict[str, str | None] = {}
        self.account_status = "active"
        self.owned_numbers = {"+358191234567"}
        self.verified_caller_ids: set[str] = set()
        self.delay_seconds = 0.0  # before answering: longer than the client waits is a read timeout
        self.sids = (f"CA{number:032x}" for number in itertools.count(1))
        self.message_sids = (f"SM{number:032x}" for number in itertools.count(1))
        self.calls: list[dict] = []
        self.messages: list[dict] = []
        self.answers_lost: list[tuple[int, dict]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                parts = urlsplit(self.path)
                query = parse_qs(parts.query)
                fake.requests.append(
                    {
                        "method": method,
                        "path": parts.path,
                        "query": query,
                        "form": form,
                        "auth": self.headers.get("Authorization"),
                    }
                )
                answer = fake.answer(method, parts.path, form, query)
                if answer is None:
                    self.close_connection = True  # no answer at all: the connection closes under the client
                    return
                status, body = answer
                time.sleep(fake.delay_seconds)
                payload = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except BrokenPipeError:
                    return  # the client stopped waiting (a read timeout), as a test meant it to

            def do_POST(self):
                self._answer("POST")

            def do_GET(self):
                self._answer("GET")

            def log_message(self, *args):
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def answer(self, method: str, path: str, form: dict, query: dict) -> tuple[int, dict] | None:
        if self.reply is not None:
            return self.reply
        if self.errors:
            return self.errors.pop(0)
        if method == "POST" and (found := CALLS.search(path)):
            call = {
                "sid": next(self.sids),
                "status": "queued",
                "account_sid": found["account"],
                "to": form.get("To", [""])[0],
                "from": form.get("From", [""])[0],
                "date_created": format_datetime(datetime.now(UTC), usegmt=True),
                # Set once the call is answered.
                "start_time": None,
            }
            self.calls.append(call)
            return self.answers_lost.pop(0) if self.answers_lost else (201, call)
        if method == "GET" and CALLS.search(path):
            return 200, self._listed("calls", self.calls, query)
        if method == "POST" and (found := MESSAGES.search(path)):
            message = {
                "sid": next(self.message_sids),
                "status": "queued",
                "account_sid": found["account"],
                "to": form.get("To", [""])[0],
                "from": form.get("From", [""])[0],
                "body": form.get("Body", [""])[0],
                "num_segments": "1",
                "direction": "outbound-api",
                "date_created": format_datetime(datetime.now(UTC), usegmt=True),
                # Set once Twilio has handed a queued message on to the operator.
                "date_sent": None,
            }
            self.messages.append(message)
            return self.answers_lost.pop(0) if self.answers_lost else (201, message)
        if method == "GET" and MESSAGES.search(path):
            return 200, self._listed("messages", self.messages, query)
        if found := CALL.search(path):
            status = form.get("Status", ["in-progress"])[0]
            price = self.prices.get(found["sid"])
            call = {"sid": found["sid"], "status": status, "price": price, "price_unit": "USD"}
            known = [known for known in self.calls if known["sid"] == found["sid"]] if method == "GET" else []
            return 200, call | (known[-1] if known else {})
        if found := ACCOUNT.search(path):
            return 200, {"sid": found["account"], "status": self.account_status}
        if INCOMING_NUMBERS.search(path):
            return 200, self._page("incoming_phone_numbers", self.owned_numbers, query)
        if CALLER_IDS.search(path):
            return 200, self._page("outgoing_caller_ids", self.verified_caller_ids, query)
        return twilio_error(404, 20404, "The requested resource was not found")

    def call_on_record(self, sid: str, **fields) -> None:
        """A call Twilio has on record (placed by an earlier process, or ended with its callback lost)."""
        self.calls.append({"sid": sid, "to": "", "from": "", "status": "in-progress"} | fields)

    @staticmethod
    def _listed(key: str, resources: list[dict], query: dict) -> dict:
        wanted = {field: query[name][0] for field, name in (("to", "To"), ("from", "From")) if name in query}
        listed = [r for r in reversed(resources) if all(r[field] == value for field, value in wanted.items())]
        size = int(query.get("PageSize", ["50"])[0])
        return {key: listed[:size], "next_page_uri": None, "page": 0, "page_size": size}

    @staticmethod
    def _page(key: str, numbers: set[str], query: dict) -> dict:
        wanted = query.get("PhoneNumber", [None])[0]
        found = [{"phone_number": number} for number in sorted(numbers) if wanted in (None, number)]
        return {key: found, "next_page_uri": None, "page": 0, "page_size": 50}

    def calls_updated(self) -> list[dict]:
        """The updates of live calls the portal asked for (ending or redirecting them), oldest first."""
        return [
            {"sid": CALL.search(request["path"])["sid"], **{k: v[0] for k, v in request["form"].items()}}
            for request in self.requests
            if request["method"] == "POST" and CALL.search(request["path"])
        ]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signed_post(client, path: str, params: dict, *, token: str | None = None, headers: dict | None = None):
    """POST like the carrier: the parameters form-encoded (application/x-www-form-urlencoded, as Twilio
    sends them, not the test client's multipart), signed over PUBLIC_BASE_URL + path and the parameters."""
    from surveys.telephony.simulator import simulator_auth_token

    signature = RequestValidator(token or simulator_auth_token()).compute_signature(
        settings.PUBLIC_BASE_URL + path, params
    )
    return client.post(
        path, urlencode(params), content_type=FORM, headers={"X-Twilio-Signature": signature, **(headers or {})}
    )
