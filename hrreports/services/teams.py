"""Notices to Microsoft Teams channels through their incoming webhooks when the monthly reports are
ready. A notice carries the month, the unit, how many reports and a link to the portal: no personal
data and no salary figures. A channel that fails is recorded on the run; it never stops the emails."""

import logging
import re
from dataclasses import dataclass, field
from datetime import date

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kuntaportaali.credentials import CredentialUnreadable
from kuntaportaali.outbound import (
    AddressMalformed,
    AddressRefused,
    HostAddressRefused,
    HostNotAllowed,
    HostUnresolved,
    Target,
    target_addresses_check,
    target_allowed_check,
    url_target,
)
from kuntaportaali.redaction import phone_numbers_mask

from ..errors import TeamsError
from ..models import TeamsChannel, WorkUnit
from ..models.delivery import ReportKind
from ..periods import period_label, period_text

logger = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
SETTING = "TEAMS_WEBHOOK_ALLOWED_HOSTS"
# How much of a refusing answer's reason phrase a run records: enough to tell what went wrong, no more.
REASON_PHRASE_CHARACTERS = 60
# Teams reads a card's TextBlock and facts as Markdown: emphasis (* _ ~), links ([ ] after text), mentions
# and tags (< >), entities (&), headings (#), code (`). CommonMark lets a backslash make any of them literal.
MARKDOWN_SPECIAL = re.compile(r"([\\`*_~\[\]#<>&])")
# A text that starts like a list item ("- Pohjoinen", "12. tiimi") would be drawn as a list.
LIST_MARKER = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))(?=\s)")


def _webhook_target(url: str) -> Target:
    """The webhook's server, refused (AddressRefused) unless TEAMS_WEBHOOK_ALLOWED_HOSTS has it. The address
    must be https; plain http only to this machine's loopback address, for a local test receiver."""
    target = url_target(url)
    if target.scheme != "https" and target.host not in ("127.0.0.1", "::1"):
        raise AddressMalformed(url, AddressMalformed.NOT_HTTP)
    target_allowed_check(target, SETTING)
    return target


def _refusal(refused: AddressRefused) -> str:
    """Why an address was refused, without the address's path (the channel's secret)."""
    if isinstance(refused, HostNotAllowed):
        allowed = ", ".join(entry.strip() for entry in settings.TEAMS_WEBHOOK_ALLOWED_HOSTS)
        return _(
            "The host %(host)s is not among the Teams webhook hosts the portal may contact (the setting "
            "TEAMS_WEBHOOK_ALLOWED_HOSTS: %(allowed)s)."
        ) % {"host": refused.host, "allowed": allowed}
    if isinstance(refused, HostAddressRefused):
        return _(
            "The host %(host)s resolves to %(address)s, an address inside a network rather than Microsoft's "
            "service: the portal posts there only when TEAMS_WEBHOOK_ALLOWED_HOSTS names that address itself."
        ) % {"host": refused.host, "address": refused.address}
    if isinstance(refused, HostUnresolved):
        return _("The host name %(host)s could not be resolved.") % {"host": refused.host}
    return _(
        "The webhook address must start with https:// and may not hold a backslash, a user name before the "
        "host (…@host), spaces or control characters."
    )


def teams_channel_save(
    *, channel: TeamsChannel, unit: WorkUnit | None, webhook_url: str | None, active: bool = True
) -> TeamsChannel:
    """Create or update a channel; an existing channel given no address keeps its own. The address must be
    https (plain http only to this machine, for a local test receiver), on a host of
    TEAMS_WEBHOOK_ALLOWED_HOSTS: the notices leave the municipality's network, and only for Microsoft's
    webhook services."""
    address = (webhook_url or "").strip()
    if not address and channel.pk:
        try:
            address = channel.webhook_url
        except CredentialUnreadable:
            raise TeamsError(
                _("The stored address cannot be decrypted (CREDENTIAL_ENCRYPTION_KEYS): type it again."),
                field="webhook_url",
            ) from None
    try:
        _webhook_target(address)
    except AddressRefused as refused:
        raise TeamsError(_refusal(refused), field="webhook_url") from None
    channel.unit, channel.webhook_url, channel.active = unit, address, active
    try:
        channel.full_clean()
    except ValidationError as error:
        raise TeamsError(" ".join(error.messages)) from None
    channel.save()
    return channel


def teams_channel_delete(*, channel: TeamsChannel) -> None:
    """Remove a channel: later deliveries post no notice to it."""
    channel.delete()


def markdown_escape(text: str) -> str:
    """`text` as Teams shows it literally in a card, whatever a unit's name holds."""
    escaped = MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return LIST_MARKER.sub(lambda marker: f"{marker[1]}{marker[3] or ''}\\{marker[2] or marker[4]}", escaped)


def teams_card(*, title: str, facts: list[tuple[str, str]], link: str, link_label: str) -> dict:
    """A Teams message holding one Adaptive Card: what both incoming webhooks and workflows accept. The
    texts are plain: none of them is read as Markdown. (An action's title is not Markdown in Teams.)"""
    title = markdown_escape(title)
    facts = [(markdown_escape(name), markdown_escape(value)) for name, value in facts]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": ADAPTIVE_CARD,
                "contentUrl": None,
                "content": {
                    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                    "type": "AdaptiveCard",
                    "version": "1.4",
                    "body": [
                        {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
                        {"type": "FactSet", "facts": [{"title": name, "value": value} for name, value in facts]},
                    ],
                    "actions": [{"type": "Action.OpenUrl", "title": link_label, "url": link}],
                },
            }
        ],
    }


def teams_post(*, url: str, payload: dict) -> str:
    """POST `payload` to a webhook: '' when Teams accepted it, otherwise why not (without the address,
    whose path is the channel's secret, and without the answer's body, which the portal does not repeat).
    The host is checked again before each post (TEAMS_WEBHOOK_ALLOWED_HOSTS may have changed, its name
    may resolve elsewhere now), and no redirect is followed."""
    try:
        target = _webhook_target(url)
        target_addresses_check(target, SETTING, private=False)
    except AddressRefused as refused:
        return _refusal(refused)
    try:
        # Only the status is used: the body is never read, however long the receiver goes on sending it.
        response = requests.post(url, json=payload, timeout=TIMEOUT_SECONDS, allow_redirects=False, stream=True)
        response.close()
    except requests.Timeout:
        return _("No answer within %(seconds)s seconds.") % {"seconds": TIMEOUT_SECONDS}
    except requests.ConnectionError:
        return _("Could not connect to %(host)s.") % {"host": target.host}
    except requests.RequestException as error:
        return type(error).__name__
    if response.is_redirect:
        return _("Teams answered with a redirect (HTTP %(status)s), which is not followed.") % {
            "status": response.status_code
        }
    if not 200 <= response.status_code < 300:
        return _("Teams answered HTTP %(status)s (%(reason)s).") % {
            "status": response.status_code,
            "reason": phone_numbers_mask(str(response.reason or ""))[:REASON_PHRASE_CHARACTERS],
        }
    return ""


@dataclass
class UnitDelivered:
    """What a run delivered for one unit: the reports (kinds) and how many subscribers got them."""

    unit: WorkUnit
    kinds: set[str] = field(default_factory=set)
    emails: int = 0


@dataclass
class NoticeOutcome:
    sent: int = 0
    failed: int = 0
    errors: list[dict] = field(default_factory=list)


def _unit_card(period: date, delivered: UnitDelivered) -> dict:
    kinds = [kind for kind in ReportKind.values if kind in delivered.kinds]
    path = reverse("hrreports:unit-report", args=[delivered.unit.pk, kinds[0]])
    labels = ", ".join(str(ReportKind(kind).label) for kind in kinds)
    return teams_card(
        title=_("Unit reports of %(period)s are ready") % {"period": period_text(period)},
        facts=[
            (_("Month"), period_text(period)),
            (_("Work unit"), str(delivered.unit)),
            (_("Reports"), f"{len(kinds)} ({labels})"),
            (
                _("Emailed to"),
                ngettext("%(count)s subscriber", "%(count)s subscribers", delivered.emails)
                % {"count": delivered.emails},
            ),
        ],
        link=f"{settings.PUBLIC_BASE_URL}{path}?period={period_label(period)}",
        link_label=_("Open the reports in the portal"),
    )


def _number(value) -> str:
    """A figure as the card's language writes it: "1,3" and "1 204" in Finnish."""
    return number_format(value, use_l10n=True, force_grouping=True)


def _hr_card(period: date, delivered: dict[int, UnitDelivered], *, reports: int, hours_saved, run_link: str) -> dict:
    return teams_card(
        title=_("Unit reports of %(period)s have been delivered") % {"period": period_text(period)},
        facts=[
            (_("Month"), period_text(period)),
            (_("Work units"), _number(len(delivered))),
            (_("Reports delivered"), _number(reports)),
            (_("Emails sent"), _number(sum(item.emails for item in delivered.values()))),
            (_("Staff time saved"), _("%(hours)s h") % {"hours": _number(hours_saved)}),
        ],
        link=run_link,
        link_label=_("Open the run in the portal"),
    )


def teams_notices_send(
    *, period: date, delivered: dict[int, UnitDelivered], reports: int, hours_saved, run_link: str
) -> NoticeOutcome:
    """Tell each active unit channel whose unit got reports in this run, and HR's channel (a summary of
    the run), in the portal's default language. Nothing is posted when nothing was delivered."""
    outcome = NoticeOutcome()
    if not delivered:
        return outcome
    with translation.override(settings.LANGUAGE_CODE):
        for channel in TeamsChannel.objects.filter(active=True).select_related("unit"):
            if channel.unit_id is None:
                payload = _hr_card(period, delivered, reports=reports, hours_saved=hours_saved, run_link=run_link)
            elif channel.unit_id in delivered:
                payload = _unit_card(period, delivered[channel.unit_id])
            else:
                continue
            try:
                reason = teams_post(url=channel.webhook_url, payload=payload)
            except CredentialUnreadable as unreadable:
                reason = str(unreadable)
            if reason:
                logger.warning("Teams notice to channel %s (%s) failed: %s", channel.pk, channel, reason)
                outcome.failed += 1
                outcome.errors.append({"channel": str(channel), "reason": reason})
            else:
                outcome.sent += 1
    return outcome
