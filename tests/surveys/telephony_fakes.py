"""A local fake of Twilio's REST API (real HTTP on 127.0.0.1) and helpers to sign webhook requests."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from django.conf import settings
from twilio.request_validator import RequestValidator


class FakeTwilio:
    """Records every request; answers with `self.reply` = (HTTP status, JSON body)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.reply = (201, {"sid": "CA" + "0" * 32, "status": "queued"})
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
                fake.requests.append({"path": self.path, "form": form, "auth": self.headers.get("Authorization")})
                status, body = fake.reply
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def signed_post(client, path: str, params: dict, *, token: str | None = None):
    """POST like the carrier: signed over PUBLIC_BASE_URL + path and the form parameters."""
    from surveys.telephony.simulator import simulator_auth_token

    signature = RequestValidator(token or simulator_auth_token()).compute_signature(
        settings.PUBLIC_BASE_URL + path, params
    )
    return client.post(path, params, headers={"X-Twilio-Signature": signature})
