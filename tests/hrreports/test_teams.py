"""Teams notices after a monthly run, posted to a real HTTP server on this machine: what the channels
receive (no personal data, no salary figures), failures recorded on the run without stopping the
emails, and HR administration's channel pages."""

import io
import ipaddress
import json
import socket
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from hrreports.errors import TeamsError
from hrreports.models import DeliveryRun, TeamsChannel
from hrreports.models.organisation import SupervisorRole
from hrreports.services.delivery import subscription_save, unit_reports_send
from hrreports.services.organisation import supervisor_assign
from hrreports.services.teams import teams_card, teams_channel_save, teams_post
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.report_data import MARCH, build_report_data

ENDLESS_CHUNKS = 2000  # of a kilobyte, one every 10 ms: 20 seconds of a body


class TeamsReceiver:
    """A webhook receiver on 127.0.0.1: records each POST's path and JSON, answers `status`."""

    def __init__(self):
        self.received: list[tuple[str, dict]] = []
        self.status = 200
        self.reason: str | None = None  # the status line's reason phrase; None: the usual one
        self.error_text = b"Microsoft Teams endpoint returned HTTP error"
        self.location = ""
        self.endless_chunks: int | None = None  # answer a body that goes on and on: the chunks sent before the hang-up
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.path, json.loads(body)))
                self.send_response(receiver.status, receiver.reason)
                if receiver.endless_chunks is not None:
                    return self.endless_body()
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()
                self.wfile.write(b"1" if receiver.status == 200 else receiver.error_text)

            def endless_body(self):
                self.end_headers()
                receiver.endless_chunks = 0
                try:
                    for _ in range(ENDLESS_CHUNKS):
                        self.wfile.write(b"x" * 1024)
                        self.wfile.flush()
                        receiver.endless_chunks += 1
                        time.sleep(0.01)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


@pytest.fixture
def teams():
    receiver = TeamsReceiver()
    receiver.thread.start()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()


@pytest.fixture
def data(unit_tree, settings):
    settings.PUBLIC_BASE_URL = "https://portaali.example.fi"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LANGUAGE_CODE = "en"  # the notices are in the portal's default language; msgids here
    settings.HR_MANUAL_MINUTES_PER_REPORT = 20
    data = build_report_data(unit_tree)
    user = make_user("esihenkilo-teams", Role.SUPERVISOR)
    supervisor_assign(unit=data["unit"], user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    subscription_save(user=user, unit=data["unit"], reports=["absences", "salaries", "employments"], format="xlsx")
    return data


def card(payload: dict) -> dict:
    [attachment] = payload["attachments"]
    assert payload["type"] == "message"
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def facts(content: dict) -> dict[str, str]:
    return {fact["title"]: fact["value"] for fact in content["body"][1]["facts"]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_units_channel_and_hrs_channel_hear_of_the_delivered_reports(data, teams, unit_tree):
    unit = data["unit"]
    TeamsChannel.objects.create(unit=unit, webhook_url=teams.url("/yksikko-1010"))
    TeamsChannel.objects.create(unit=None, webhook_url=teams.url("/hr"))
    TeamsChannel.objects.create(unit=unit_tree["2010"], webhook_url=teams.url("/yksikko-2010"))

    summary = unit_reports_send(period=MARCH)

    received = dict(teams.received)
    assert sorted(received) == ["/hr", "/yksikko-1010"]
    unit_card = card(received["/yksikko-1010"])
    assert unit_card["type"] == "AdaptiveCard" and unit_card["version"] == "1.4"
    assert unit_card["body"][0]["text"] == "Unit reports of Mar 2026 are ready"
    assert facts(unit_card) == {
        "Month": "Mar 2026",
        "Work unit": "1010 Yksikkö 1010",
        "Reports": "3 (Absences, Paid salaries, Employments started and ended)",
        "Emailed to": "1 subscriber",
    }
    assert unit_card["actions"] == [
        {
            "type": "Action.OpenUrl",
            "title": "Open the reports in the portal",
            "url": f"https://portaali.example.fi/staff/hr/reports/units/{unit.pk}/absences/?period=2026-03",
        }
    ]
    hr_card = card(received["/hr"])
    assert facts(hr_card) == {
        "Month": "Mar 2026",
        "Work units": "1",
        "Reports delivered": "3",
        "Emails sent": "1",
        "Staff time saved": "1.0 h",
    }
    assert hr_card["actions"][0]["url"] == f"https://portaali.example.fi/staff/hr/deliveries/{summary.run.pk}/"
    everything = json.dumps(teams.received, ensure_ascii=False)
    for personal in ("Aalto", "Berg", "Cedergren", "3000", "4350", "6850", "esihenkilo"):
        assert personal not in everything
    run = DeliveryRun.objects.get()
    assert (run.notices_sent, run.notices_failed, run.notice_errors) == (2, 0, [])
    assert len(mail.outbox) == 1


def test_hrs_card_writes_its_figures_as_the_portals_language_does(data, teams, settings):
    settings.LANGUAGE_CODE = "fi"
    settings.HR_MANUAL_MINUTES_PER_REPORT = 25  # 3 reports: 75 min, 1.3 h
    TeamsChannel.objects.create(unit=None, webhook_url=teams.url("/hr"))

    unit_reports_send(period=MARCH)

    [(_path, payload)] = teams.received
    assert facts(card(payload))["Säästetty henkilöstön työaika"] == "1,3 h"


def test_a_unit_name_with_line_breaks_is_one_line_in_the_notice(data, teams):
    from hrreports.models import WorkUnit

    WorkUnit.objects.filter(pk=data["unit"].pk).update(name="Yksikkö 1010\nPäiväkoti\r\n Aurinko")
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/yksikko-1010"))

    unit_reports_send(period=MARCH)

    [(_path, payload)] = teams.received
    assert facts(card(payload))["Work unit"] == "1010 Yksikkö 1010 Päiväkoti Aurinko"


def test_markdown_in_a_unit_name_is_shown_as_written_not_as_formatting(data, teams):
    """Teams reads an Adaptive Card's TextBlock and facts as Markdown: a name's * or _ would turn into bold
    or italics, [..](..) into a link, <at> into a mention. Each is escaped with a backslash (CommonMark)."""
    from hrreports.models import WorkUnit

    WorkUnit.objects.filter(pk=data["unit"].pk).update(name="*Tähti* & _Kuu_ [Avaa](https://x.example) #2 <at>\\")
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/yksikko-1010"))

    unit_reports_send(period=MARCH)

    [(_path, payload)] = teams.received
    assert facts(card(payload))["Work unit"] == (r"1010 \*Tähti\* \& \_Kuu\_ \[Avaa\](https://x.example) \#2 \<at\>\\")


@pytest.mark.parametrize(
    ("text", "shown"), [("- Pohjoinen", r"\- Pohjoinen"), ("12. tiimi", r"12\. tiimi"), ("1.0 h", "1.0 h")]
)
def test_a_text_starting_like_a_list_item_is_not_made_a_list(text, shown):
    content = card(teams_card(title=text, facts=[(text, text)], link="https://portaali.example.fi/", link_label="Avaa"))

    assert content["body"][0]["text"] == shown
    assert facts(content) == {shown: shown}


def test_nothing_is_posted_when_the_run_delivered_nothing(data, teams):
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/yksikko"))
    TeamsChannel.objects.create(unit=None, webhook_url=teams.url("/hr"), active=False)
    unit_reports_send(period=MARCH)

    again = unit_reports_send(period=MARCH)

    assert [path for path, _payload in teams.received] == ["/yksikko"]
    assert (again.emails, again.notices_sent) == (0, 0)


def test_a_channel_answering_500_is_reported_and_the_email_still_goes(data, teams):
    teams.status = 500
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/rikki"))
    out, err = io.StringIO(), io.StringIO()

    call_command("send_unit_reports", "--period", "2026-03", stdout=out, stderr=err)

    assert len(teams.received) == 1
    assert len(mail.outbox) == 1
    run = DeliveryRun.objects.get()
    assert (run.emails, run.notices_sent, run.notices_failed) == (1, 0, 1)
    assert run.notice_errors == [
        {"channel": "1010 Yksikkö 1010", "reason": "Teams answered HTTP 500 (Internal Server Error)."}
    ]
    assert "Teams 1010 Yksikkö 1010: Teams answered HTTP 500" in err.getvalue()
    assert out.getvalue().splitlines()[-3:] == [
        "teams notices: sent=0 failed=1",
        "time saved: 3 reports x 20 min = 60 min = 1.0 h",
        "period=2026-03 reports=3 emails=1 failed=0",
    ]


def test_a_channels_answer_body_is_not_recorded_and_its_reason_phrase_is_masked_and_short(data, teams):
    teams.status, teams.error_text = 400, b"Bad card: unexpected text 'internal secret'"
    teams.reason = "Bad card +358 40 123 4567 " + "x" * 200
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/rikki"))

    summary = unit_reports_send(period=MARCH)

    [error] = summary.notice_errors
    assert error["reason"].startswith("Teams answered HTTP 400 (Bad card +35840*****67 xxx")
    assert len(error["reason"]) < 120
    assert "secret" not in error["reason"] and "4567" not in error["reason"]
    assert DeliveryRun.objects.get().notice_errors == summary.notice_errors


def test_a_redirect_is_not_followed(data, teams):
    teams.status, teams.location = 307, teams.url("/muualle")
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/siirretty"))

    summary = unit_reports_send(period=MARCH)

    assert [path for path, _payload in teams.received] == ["/siirretty"]
    assert summary.notice_errors == [
        {"channel": "1010 Yksikkö 1010", "reason": "Teams answered with a redirect (HTTP 307), which is not followed."}
    ]


def test_a_stored_channel_outside_the_allow_list_is_not_posted_to(data, teams, settings):
    settings.TEAMS_WEBHOOK_ALLOWED_HOSTS = [".webhook.office.com"]
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/ei-sallittu"))

    summary = unit_reports_send(period=MARCH)

    assert teams.received == []
    assert (summary.notices_sent, summary.notices_failed) == (0, 1)
    assert "TEAMS_WEBHOOK_ALLOWED_HOSTS" in summary.notice_errors[0]["reason"]
    assert "ei-sallittu" not in summary.notice_errors[0]["reason"]


@pytest.mark.parametrize("address", ["10.0.0.5", "127.0.0.2", "100.100.100.200", "::ffff:169.254.169.254"])
def test_a_listed_name_resolving_to_an_internal_address_is_not_posted_to(address, data, monkeypatch):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    resolved = [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, 443))]
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: resolved)
    TeamsChannel.objects.create(unit=data["unit"], webhook_url="https://kunta.webhook.office.com/webhookb2/salainen")

    summary = unit_reports_send(period=MARCH)

    assert (summary.notices_sent, summary.notices_failed) == (0, 1)
    reason = summary.notice_errors[0]["reason"]
    assert "kunta.webhook.office.com" in reason and str(ipaddress.ip_address(address)) in reason
    assert "salainen" not in reason


@pytest.mark.parametrize(
    "address",
    [
        "https://example.com/webhook",
        "https://webhook.office.com.example.com/webhookb2/x",
        "https://evil\\@kunta.webhook.office.com/webhookb2/x",
        "https://kunta.webhook.office.com\\@example.com/webhookb2/x",
        "https://someone@kunta.webhook.office.com/webhookb2/x",
        "https://kunta.webhook.office.com/webhookb2/x y",
        "http://kunta.webhook.office.com/webhookb2/x",
        "http://localhost:8080/hook",
    ],
)
def test_channel_addresses_outside_the_allow_list_or_ambiguous_are_refused(address, unit_tree):
    with pytest.raises(TeamsError):
        teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url=address)

    assert not TeamsChannel.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "https://kunta.webhook.office.com/webhookb2/1d2f@6a7b/IncomingWebhook/3c4d/5e6f",
        "https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b/triggers/manual/paths/invoke?sig=x",
        "https://default0a1b.2c.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/3d",
    ],
)
def test_the_addresses_teams_and_power_automate_give_are_accepted(address, unit_tree):
    saved = teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url=address)

    assert saved.webhook_url == address


def test_a_refused_address_names_the_setting(unit_tree, english):
    with pytest.raises(TeamsError, match="TEAMS_WEBHOOK_ALLOWED_HOSTS"):
        teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url="https://example.com/webhook")


def test_a_refused_connection_is_reported_without_the_secret_path(data, teams):
    port = free_port()
    TeamsChannel.objects.create(unit=None, webhook_url=f"http://127.0.0.1:{port}/salainen-polku")
    TeamsChannel.objects.create(unit=data["unit"], webhook_url=teams.url("/toimii"))

    summary = unit_reports_send(period=MARCH)

    assert (summary.emails, summary.notices_sent, summary.notices_failed) == (1, 1, 1)
    assert summary.notice_errors == [{"channel": "HR", "reason": "Could not connect to 127.0.0.1."}]
    assert "salainen" not in json.dumps(DeliveryRun.objects.get().notice_errors)


def test_channel_addresses_must_be_https_except_to_this_machine(unit_tree, english):
    with pytest.raises(TeamsError, match="must start with https://"):
        teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url="http://teams.example.com/webhook")

    hr = teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url="https://example.webhook.office.com/x/y")
    local = teams_channel_save(channel=TeamsChannel(), unit=unit_tree["10"], webhook_url="http://127.0.0.1:8080/hook")

    assert (hr.unit, local.unit) == (None, unit_tree["10"])
    with pytest.raises(TeamsError, match="has a Teams channel already"):
        teams_channel_save(channel=TeamsChannel(), unit=None, webhook_url="https://example.webhook.office.com/z")
    with pytest.raises(TeamsError, match="has a Teams channel already"):
        teams_channel_save(channel=TeamsChannel(), unit=unit_tree["10"], webhook_url="https://a.webhook.office.com/o")


def test_hr_admin_adds_a_channel_and_the_list_hides_its_secret_path(client_as, unit_tree):
    client = client_as(Role.HR_ADMIN)

    response = client.post(
        reverse("hrreports:teams-channel-create"),
        {
            "unit": unit_tree["1010"].pk,
            "webhook_url": "https://kunta.webhook.office.com/webhookb2/salaisuus",
            "active": "on",
        },
    )

    assert response.status_code == 302
    channel = TeamsChannel.objects.get()
    assert (channel.unit, channel.active) == (unit_tree["1010"], True)
    page = client.get(reverse("hrreports:teams-channels")).content.decode()
    assert "kunta.webhook.office.com" in page and "salaisuus" not in page
    edit_page = client.get(reverse("hrreports:teams-channel-edit", args=[channel.pk])).content.decode()
    assert "kunta.webhook.office.com" in edit_page and "salaisuus" not in edit_page
    kept = client.post(reverse("hrreports:teams-channel-edit", args=[channel.pk]), {"unit": unit_tree["1010"].pk})
    assert kept.status_code == 302
    channel.refresh_from_db()
    assert (channel.webhook_url, channel.active) == ("https://kunta.webhook.office.com/webhookb2/salaisuus", False)

    refused = client.post(
        reverse("hrreports:teams-channel-edit", args=[channel.pk]),
        {"unit": unit_tree["1010"].pk, "webhook_url": "http://kunta.example.fi/hook", "active": "on"},
    )
    assert refused.status_code == 200
    channel.refresh_from_db()
    assert channel.webhook_url.startswith("https://kunta.webhook.office.com/")

    client.post(reverse("hrreports:teams-channel-delete", args=[channel.pk]))
    assert not TeamsChannel.objects.exists()


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.COUNCILLOR])
def test_only_hr_administration_manages_channels_and_runs(client_as, role, db):
    client = client_as(role)

    assert client.get(reverse("hrreports:teams-channels")).status_code == 403
    assert client.get(reverse("hrreports:delivery-runs")).status_code == 403


def test_a_post_does_not_read_the_answers_body_which_could_go_on_for_ever(teams):
    """The answer's body was read whole, though nothing of it is used: a receiver that kept sending held
    the month's delivery as long as it liked (each kilobyte came well within the read timeout)."""
    teams.endless_chunks = 0
    payload = teams_card(title="Testi", facts=[], link="https://portaali.example.fi/", link_label="Avaa")

    assert teams_post(url=teams.url("/loputon"), payload=payload) == ""
    # Returned with the status, not after the receiver's 2,000 kilobytes.
    assert teams.endless_chunks < 100
