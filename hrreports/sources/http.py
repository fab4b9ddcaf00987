"""An integration endpoint that serves the Populus reports as JSON.

GET {base_url}/{report_type}?period=YYYY-MM&page=1&page_size=N with `Authorization: Bearer <token>`.
The answer is {"results": [...], "next": <url or null>} (or {"results": [...], "page": n,
"pages": m}, page numbers also as text, "page" left out for the page asked, or a bare list); a
"count" of all rows, when given, must match the rows the pages gave. Rows are objects keyed by the
portal's field names. Connection errors, timeouts, answers cut off and HTTP 5xx/429/408 are retried
with exponential backoff.
Only the hosts of POPULUS_HTTP_ALLOWED_HOSTS are contacted, and no redirect is followed (endpoints.py).
No proxy or .netrc from the environment applies: the endpoint is reached directly, as checked.
"""

import json
import math
import os
import time
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from kuntaportaali.credentials import CredentialUnreadable, credential_decrypt
from kuntaportaali.tabular.problems import Problem

from ..errors import PopulusError, TransientSourceError
from .base import PopulusSource, Rejection, SourceBatch
from .endpoints import endpoint_addresses_check, endpoint_check, endpoint_target

MAX_PAGES = 10_000
READ_CHUNK_BYTES = 64 * 1024
MEGABYTE = 1024 * 1024
RETRY_STATUSES = {408, 429, 500, 502, 503, 504}


class HttpSource(PopulusSource):
    kind = "http"
    sleep = staticmethod(time.sleep)

    @classmethod
    def config_defaults(cls) -> dict[str, Any]:
        # The token is kept as CREDENTIAL_ENCRYPTION_KEYS encrypts it (kuntaportaali.credentials).
        return {"base_url": "", "token_encrypted": "", "timeout": 10.0, "retries": 3, "backoff": 1.0, "page_size": 500}

    def _get(self, session: requests.Session, url: str, params: dict | None) -> Any:
        retries = int(self.config.get("retries", 3))
        backoff = float(self.config.get("backoff", 1.0))
        timeout = float(self.config.get("timeout", 10.0))
        reason: Problem | None = None
        target = endpoint_check(url)
        for attempt in range(retries + 1):
            if attempt:
                self.sleep(backoff * 2 ** (attempt - 1))
            try:
                endpoint_addresses_check(target)
            except TransientSourceError as error:
                reason = error.problem
                continue
            try:
                response = session.get(url, params=params, timeout=timeout, allow_redirects=False, stream=True)
                if response.status_code == 200:
                    body = _body_read(response, url=url)
                else:
                    response.close()  # only its status is read
            except requests.Timeout:
                reason = Problem("http_timeout", {"seconds": f"{timeout:g}"})
                continue
            except requests.ConnectionError:
                reason = Problem("http_connection_failed")
                continue
            except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError):
                reason = Problem("http_answer_cut_off")
                continue
            if response.is_redirect:
                location = urljoin(url, response.headers["Location"])
                raise PopulusError.of("http_redirect_refused", url=_shown(url), location=_shown(location))
            if response.status_code in RETRY_STATUSES:
                reason = Problem("http_status_retried", {"status": response.status_code})
                continue
            if response.status_code in (401, 403):
                raise PopulusError.of("http_token_refused", url=_shown(url), status=response.status_code)
            if response.status_code != 200:
                raise PopulusError.of("http_status_unexpected", url=_shown(url), status=response.status_code)
            return _json_read(body, url=url)
        raise TransientSourceError.of("http_no_answer", url=_shown(url), tries=retries + 1, reason=reason)

    def _token(self) -> str:
        encrypted = str(self.config.get("token_encrypted") or "")
        if not encrypted:
            return ""
        try:
            return credential_decrypt(encrypted, what=f"The access token of Populus source {self.name}")
        except CredentialUnreadable:
            raise PopulusError.of("http_token_unreadable", source=self.name) from None

    def fetch(self, report_type: str, period: date) -> SourceBatch:
        base_url = str(self.config.get("base_url", "")).rstrip("/") + "/"
        if not urlsplit(base_url).scheme.startswith("http"):
            raise PopulusError.of("http_no_base_url")
        session = requests.Session()
        session.trust_env = False  # a proxy from the environment would connect elsewhere than the check saw
        # but the environment's CA bundle still applies: an endpoint inside the network may use the town's own CA
        session.verify = os.environ.get("REQUESTS_CA_BUNDLE") or True
        session.headers["Accept"] = "application/json"
        token = self._token()
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        url = urljoin(base_url, report_type)
        params: dict | None = {
            "period": f"{period:%Y-%m}",
            "page": 1,
            "page_size": int(self.config.get("page_size", 500)),
        }
        batch = SourceBatch(report_type=report_type)
        number = 0
        seen: set[str] = set()
        count: int | None = None
        first_page = 0
        pages_by_rows: dict[str, int] = {}
        with session:
            for page_number in range(1, MAX_PAGES + 1):
                payload = self._get(session, url, params)
                page_name = f"{urlsplit(url).path} page {params['page'] if params else len(seen) + 1}"
                batch.files.append(page_name)
                rows, next_url, next_page = _page_parts(payload, url=url, params=params)
                if rows:
                    # An endpoint that ignores the page asked for, and says no page number to tell it by.
                    same = pages_by_rows.setdefault(json.dumps(rows, sort_keys=True), page_number)
                    if same != page_number:
                        raise PopulusError.of("http_page_repeated", url=_shown(url), asked=page_number, page=same)
                if not batch.files[1:] and isinstance(payload, dict):
                    # The first page's count: all rows (Django REST framework), or that page's by some endpoints.
                    count, first_page = _whole_number(payload, "count", url=url), len(rows)
                for raw in rows:
                    number += 1
                    if not isinstance(raw, dict):
                        batch.rejected.append(Rejection(report_type, Problem("row_not_json_object"), page_name, number))
                        continue
                    batch.row_add(raw, file=page_name, row=number)
                if next_url:
                    next_url = urljoin(url, next_url)
                    if endpoint_target(next_url) != endpoint_target(base_url):
                        raise PopulusError.of("http_next_page_elsewhere")
                    if next_url in seen:
                        raise PopulusError.of("http_next_page_circle")
                    seen.add(next_url)
                    url, params = next_url, None
                elif next_page:
                    params = {**(params or {}), "page": next_page}
                else:
                    if count is not None and count not in (number, first_page):
                        # Pages the paging did not lead to, or rows that changed while it was read.
                        raise PopulusError.of("http_count_mismatch", url=_shown(base_url), count=count, rows=number)
                    return batch
        raise PopulusError.of("http_too_many_pages", limit=MAX_PAGES)


def _body_read(response: requests.Response, *, url: str) -> bytes:
    """The answer's body, unpacked, read only up to POPULUS_HTTP_MAX_PAGE_BYTES: a larger one (a log file,
    a gzip bomb) is refused as soon as it says or shows so, before it fills the worker's memory."""
    limit = settings.POPULUS_HTTP_MAX_PAGE_BYTES
    with response:
        declared = response.headers.get("Content-Length", "")
        too_large = declared.isdigit() and int(declared) > limit and "Content-Encoding" not in response.headers
        body = bytearray()
        if not too_large:
            for chunk in response.iter_content(READ_CHUNK_BYTES):
                body += chunk
                if len(body) > limit:
                    too_large = True
                    break
    if too_large:
        raise PopulusError.of("http_page_too_large", url=_shown(url), megabytes=math.ceil(limit / MEGABYTE))
    return bytes(body)


def _json_read(body: bytes, *, url: str) -> Any:
    """The answer's JSON, decoded from its bytes as JSON is written (UTF-8, or UTF-16/32 told by its
    zero bytes; RFC 8259): a charset the answer names is not used, since a server labelling UTF-8 as
    Latin-1 would turn "Mäkinen" into "MÃ¤kinen", and bytes that are not UTF-8 are refused rather than
    read with replacement characters."""
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise PopulusError.of("http_not_utf8", url=_shown(url)) from None
    except ValueError:
        raise PopulusError.of("http_not_json", url=_shown(url)) from None


def _page_parts(payload: Any, *, url: str, params: dict | None) -> tuple[list, str | None, int | None]:
    if isinstance(payload, list):
        return payload, None, None
    if not isinstance(payload, dict) or not isinstance(payload.get("results"), list):
        raise PopulusError.of("http_no_results_list", url=_shown(url))
    next_url = payload.get("next")
    if next_url:
        return payload["results"], str(next_url), None
    page, pages = _whole_number(payload, "page", url=url), _whole_number(payload, "pages", url=url)
    asked = (params or {}).get("page")
    if page is not None and asked is not None and page != asked:
        # An endpoint that ignores the page asked for: its first page again, and again, to the page limit.
        raise PopulusError.of("http_page_not_asked", url=_shown(url), asked=asked, page=page)
    if page is None and pages is not None:
        page = asked  # an answer that says how many pages there are, not which one it is: the page asked for
    if page is not None and pages is not None and page < pages:
        return payload["results"], None, page + 1
    return payload["results"], None, None


def _whole_number(payload: dict, key: str, *, url: str) -> int | None:
    """A page number or count of the answer (also written as text, "2"), None when not given. One that is
    no whole number fails the fetch: read as none, the first page would pass for the whole month."""
    value = payload.get(key)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PopulusError.of("http_paging_unreadable", url=_shown(url), key=key, value=str(value)[:40])
    return value


def _shown(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
