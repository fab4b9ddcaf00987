"""Text messages to contacts: the SMS with their link to the web survey, what its provider reports of
it, and the replies residents send to the sender number (STOP opts out).

A contact gets the SMS at most once: its message row is committed, as pending, before the provider is
asked, so a job run twice, or a worker dying in the middle, never sends a second one. Only a message
the provider certainly did not take (it could not be reached, or refused the account) may be sent again
later, and one whose sending got no certain answer (an HTTP 5xx, none at all, or a worker killed around
the request) only once the provider, asked, has not got it. It goes only inside the campaign's calling
window, never to a number on the do-not-call registry, to an opted-out contact or to one who is done
with the survey, in either mode (heard its closing words, or answered enough to be a complete, AAPOR
I), nor to one whose group's quota is full, nor past the campaign's budget cap. A simulated campaign's
messages go only through the SMS simulator, and a real campaign's never (`campaign_sms_channel`).
"""

import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

import django_rq
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from redis.exceptions import RedisError
from rq import Queue

from kuntaportaali.queueing import job_ids_lost, job_last_error
from kuntaportaali.redaction import phone_numbers_mask
from surveys.calling_window import is_open, next_open_moment
from surveys.languages import LANGUAGE_NAMES
from surveys.messaging import sms_provider_get
from surveys.messaging.base import InboundMessage, MessageStatusUpdate, SmsProvider
from surveys.messaging.segments import GSM_LOOKALIKES, sms_segments
from surveys.messaging.sender import InvalidSender, SmsSender, sender_refused_by_operators, sms_sender_read
from surveys.models import (
    Campaign,
    CampaignStatus,
    ConsentChannel,
    ConsentKind,
    Contact,
    ContactNumber,
    ContactStatus,
    DoNotCall,
    SmsLinkRequest,
    SmsMessage,
    SmsStatus,
)
from surveys.models.messages import SMS_STATUS_ORDER
from surveys.phone_numbers import InvalidPhoneNumber, phone_decrypt, phone_hash, phone_normalise, phone_takes_sms
from surveys.selectors import campaign_spend
from surveys.telephony.base import ErrorKind, ProviderError

from .consent import consent_record
from .dialing import contact_on_registry
from .privacy import contact_opt_out, opt_out_register
from .quotas import contact_group_full
from .survey_links import EXAMPLE_TOKEN, survey_link_create, survey_link_expiry, survey_link_url
from .web_survey import contact_completed

logger = logging.getLogger(__name__)

SMS_QUEUE = "dialer"
# The word residents are asked to reply with, in the message's language; any of them opts out.
STOP_REPLIES = {"fi": "LOPETA", "sv": "SLUTA", "en": "STOP"}
# A reply whose first word is one of these, in any case, opts the number out: the words asked for, and
# the Swedish "stopp".
STOP_WORDS = frozenset({*(word.casefold() for word in STOP_REPLIES.values()), "stopp"})
# So does one that begins with these words: "don't call" in Finnish, to one person or to several, and
# in Swedish ("ring inte", "ring mig inte"), the message's other language.
STOP_PHRASES = (("älä", "soita"), ("älkää", "soittako"), ("ring", "inte"), ("ring", "mig", "inte"))
# A provider that could not take the message (an outage, too many requests, or a refused account, which
# pauses the campaign as the carrier's does: dialing.CARRIER_RETRY_AFTER) is asked again this much later.
PROVIDER_RETRY_AFTER = timedelta(minutes=2)
# A message whose sending got no certain answer is looked up among those the provider took from this
# long before the sending: the provider's clock is not the portal's.
PROVIDER_CLOCK_SKEW = timedelta(minutes=1)
# A paused campaign's message is tried again this often: it goes once the campaign runs again (and
# its calling window is open); a cancelled or ended campaign's is dropped.
PAUSED_RETRY_AFTER = timedelta(minutes=10)
# A link's job not run this long after it was queued, or after the moment its sending was put off to,
# was lost with Redis (restarted without its data, or out of reach as the job was queued): it is queued
# again. A job that was only slow then finds the message sent (or the second one does): never two.
LINK_JOB_OVERDUE_AFTER = timedelta(minutes=10)
LINK_JOB = "surveys.jobs.send_survey_link"
# A link whose job's run failed this many times (an error, a worker killed) is given up: the message is
# recorded as failed with the reason, for staff to see, and the link is no longer owed.
LINK_JOB_TRIES = 3
# A message still being sent this long after its sending began lost its worker (killed around the request
# to the provider): longer than a link's job may run (RQ's default timeout, 180 s), so no live job is still
# sending it. It is looked up at a provider that `finds_sent_messages`, as one whose answer was unclear.
SENDING_STALE_AFTER = timedelta(minutes=5)
# The overdue links queued again in one round of the recovery (every minute).
LINKS_RECOVERED_PER_ROUND = 500
# The parts of 153 characters the link's message aims to fit (`sms_link_text`): each part is billed.
SMS_PARTS_AIMED_AT = 2


class SmsOutcome(StrEnum):
    SENT = "sent"
    ALREADY_SENT = "already_sent"
    NOT_RUNNING = "campaign_not_running"
    OVER_BUDGET = "over_budget"
    QUOTA_FULL = "quota_full"
    OUTSIDE_WINDOW = "outside_window"
    OPTED_OUT = "opted_out"
    COMPLETED = "completed"
    NO_MOBILE_NUMBER = "no_mobile_number"
    NOT_CONFIGURED = "not_configured"
    # Nothing was sent: the provider could not take the message now, or refused the account.
    NOT_SENT = "not_sent"
    # The provider's answer did not say whether it took the message: it is looked up before it may go again.
    UNCONFIRMED = "unconfirmed"
    # The provider refused the number, or no answer came (the message may have gone): never sent again.
    FAILED = "failed"


@dataclass(frozen=True)
class SmsSendResult:
    outcome: SmsOutcome
    # When to try again (the calling window's next opening, a pause, or after an outage); None: never.
    retry_at: datetime | None = None
    # Why nothing was sent, for the log and the person who set the site up.
    reason: str = ""


class SmsChannelProblem(Exception):
    """The campaign's messages may not be sent through the site's SMS set-up; the message says why."""


def campaign_sms_channel(campaign: Campaign) -> tuple[SmsProvider, SmsSender]:
    """The provider and sender the campaign's messages go through: the SMS simulator for a simulated
    campaign (its contacts are synthetic, their numbers in real mobile ranges), the site's provider
    for a real one, which must reach people. Raises SmsChannelProblem when none may: the site offers
    no such provider, its sender is invalid, or operators would not deliver from it."""
    try:
        sender = sms_sender_read(settings.SMS_SENDER)
        provider = sms_provider_get("simulator" if campaign.is_simulated else None)
    except InvalidSender as error:
        raise SmsChannelProblem(str(error)) from None
    except ImproperlyConfigured:
        if campaign.is_simulated:
            raise SmsChannelProblem(
                _("A simulated campaign's messages go only through the SMS simulator, which this site does not offer.")
            ) from None
        raise SmsChannelProblem(_("The site names no SMS provider: set SMS_PROVIDER and SMS_SENDER.")) from None
    if not provider.reaches_people and not campaign.is_simulated:
        raise SmsChannelProblem(
            _(
                "The SMS provider %(provider)s sends no message to anyone while the calls reach real people: "
                "set SMS_PROVIDER and SMS_SENDER."
            )
            % {"provider": provider.label}
        )
    refused = sender_refused_by_operators(sender, provider_name=provider.name)
    if refused:
        raise SmsChannelProblem(refused)
    return provider, sender


def sms_status_receive(*, message_id: int, update: MessageStatusUpdate, now: datetime | None = None) -> None:
    """Apply a status report of the message. A message only moves forward: a report arriving late
    or twice changes nothing, and a final status (delivered, undelivered, failed) stays. A report
    that the number has opted out of the sender's messages opts the contact out (as their STOP would)."""
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().select_related("contact").filter(pk=message_id).first()
        if message is None or not update.status:
            return
        if message.provider_message_id not in (None, update.message_id):
            return
        if update.opted_out:
            contact_opt_out(contact=message.contact, source=ConsentChannel.SMS)
        if SMS_STATUS_ORDER[update.status] <= SMS_STATUS_ORDER[message.status]:
            return
        message.status = update.status
        message.status_at = now or timezone.now()
        message.error_code = update.error_code if update.error_code is not None else message.error_code
        # The report may come before the provider's answer to the sending was stored.
        message.provider_message_id = update.message_id or message.provider_message_id
        message.save(update_fields=["status", "status_at", "error_code", "provider_message_id"])
        if update.account_refused:
            # Taken and billed, then refused for the account's sake (30007: the operators filter a sender
            # ID not authorized): the campaign pauses before more messages go the same way.
            from surveys.services.campaigns import campaign_pause_for_carrier

            error = ProviderError(
                f"Status report: {update.status}, error {update.error_code}",
                kind=ErrorKind.ACCOUNT,
                code=update.error_code,
            )
            campaign_pause_for_carrier(
                campaign=message.contact.campaign,
                error=error,
                in_messages=True,
                # Without its sending's time the message is being sent now (the report came first), whenever
                # it was made: a message held over a resume is sent with the set-up in use since.
                attempted_at=message.sent_at or message.status_at,
            )


def _asks_to_stop(body: str) -> bool:
    words = re.findall(r"\w+", body.casefold())
    if not words:
        return False
    return words[0] in STOP_WORDS or any(tuple(words[: len(phrase)]) == phrase for phrase in STOP_PHRASES)


def sms_reply_receive(*, inbound: InboundMessage) -> str:
    """A reply to the sender number. STOP, LOPETA, SLUTA or STOPP (any case, as its first word), "Älä
    soita" or "Ring inte" (don't call), or a message the provider took as an opt-out (Twilio's STOPALL, UNSUBSCRIBE,
    CANCEL...: it delivers nothing more to the number) puts the number on the do-not-call registry, and
    the contacts messaged at it are opted out on the SMS channel; returns the confirmation to send back.
    An opt-in (Twilio's START) from a number on the registry leaves it there (`_opt_in_refuse`). Any other
    reply is neither stored nor answered ("")."""
    stops = inbound.opted_out or _asks_to_stop(inbound.body)
    if not (stops or inbound.opted_in):
        return ""
    try:
        number = phone_normalise(inbound.sender)
    except InvalidPhoneNumber:
        return ""
    # The last message first: the reply answers it, in its language.
    messaged = list(
        SmsMessage.objects.filter(phone__phone_hash=phone_hash(number))
        .select_related("contact")
        .order_by("-created_at", "-pk")
    )
    if not stops:
        return _opt_in_refuse(number, messaged)
    with transaction.atomic():
        for message in messaged:
            contact_opt_out(contact=message.contact, source=ConsentChannel.SMS)
        if not messaged:
            opt_out_register(raw_number=number, source=ConsentChannel.SMS)
    with translation.override(messaged[0].language if messaged else "fi"):
        return _("Your number will not be called or sent messages by the municipality's surveys again.")


def _opt_in_refuse(number: str, messaged: list[SmsMessage]) -> str:
    """Twilio's own STOP confirmation tells the resident to reply START to resubscribe, and after START
    Twilio delivers the sender's messages again. The portal's opt-out stays: it is an objection (GDPR
    Art. 21) to every call and message of its surveys, and a keyword whose meaning Twilio wrote, in English,
    perhaps sent in answer to Twilio's text, is no informed choice to be called by a robot again. So the
    request is logged (what the person asked is evidence too), answered with what holds, and changes
    nothing; the dialer and the messages read the registry before every call and message. A START from a
    number not on the registry has nothing to undo and is ignored like any other text."""
    if not DoNotCall.objects.filter(phone_hash=phone_hash(number)).exists():
        return ""
    with transaction.atomic():
        for contact in {message.contact_id: message.contact for message in messaged}.values():
            consent_record(
                kind=ConsentKind.OPT_IN_REFUSED,
                channel=ConsentChannel.SMS,
                campaign=contact.campaign,
                contact_ref=contact.pseudonym,
            )
        if not messaged:
            consent_record(kind=ConsentKind.OPT_IN_REFUSED, channel=ConsentChannel.SMS)
    with translation.override(messaged[0].language if messaged else "fi"):
        return _(
            "Your number stays on the do-not-call list of the municipality's surveys: they will not call it or "
            "send it messages. A text message does not take a number off the list."
        )


def sms_link_text(*, campaign: Campaign, link_url: str, expires_at: datetime, language: str, sender: SmsSender) -> str:
    """The message: who asks and about what, the personal link and until when it is open, the survey's
    page on the portal (where a resident can check the message is genuine) and how to opt out - by a
    reply to a number, or on the answer page when the sender is a name nobody can reply to.

    Operators bill every part: the survey's title is left out (the survey's page names it) when the
    message would take more than SMS_PARTS_AIMED_AT parts with it and fewer without it."""
    version = campaign.survey_version
    organiser = version.survey.localized("organiser", language)
    with translation.override(language):
        page = settings.PUBLIC_BASE_URL + reverse("surveys-public:campaign", kwargs={"slug": campaign.slug})
        if sender.takes_replies:
            opt_out = _("Reply %(word)s: no more calls or messages.") % {"word": STOP_REPLIES[language]}
        else:
            opt_out = _("You can opt out of calls and messages on the answer page.")
        # Links stand alone on their lines: no punctuation after them for a phone to take as part of them.
        rest = [
            _("Answer by %(day)s with your own link:")
            % {"day": formats.date_format(timezone.localtime(expires_at).date(), "SHORT_DATE_FORMAT")},
            link_url,
            _("About the survey:"),
            page,
            opt_out,
        ]
        title = version.localized("title", language).strip()
        naming = _("%(organiser)s asks residents: %(title)s") % {"organiser": organiser, "title": title}
        with_title = _message([naming, *rest])
        without_title = _message([_("%(organiser)s asks for residents' views.") % {"organiser": organiser}, *rest])
    # The title is left out only when that saves a part.
    if sms_segments(with_title) <= max(SMS_PARTS_AIMED_AT, sms_segments(without_title)):
        return with_title
    return without_title


@dataclass(frozen=True)
class SmsPreview:
    language: str
    text: str
    parts: int
    cost: Decimal

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES[self.language]


def sms_link_previews(*, campaign: Campaign, now: datetime | None = None) -> list[SmsPreview]:
    """The link's message as the campaign's residents would get it if sent as soon as its calling
    window lets (now, or its first calling day), in each of its survey's languages, with its parts
    and price; none when no message could be sent (the launch blockers say why)."""
    try:
        _provider, sender = campaign_sms_channel(campaign)
    except SmsChannelProblem:
        return []
    now = now or timezone.now()
    sent_at = next_open_moment(campaign, now) or now
    expires_at = survey_link_expiry(campaign, sent_at)
    previews = []
    for language in campaign.survey_version.languages:
        link_url = survey_link_url(token=EXAMPLE_TOKEN, language=language)
        text = sms_link_text(
            campaign=campaign, link_url=link_url, expires_at=expires_at, language=language, sender=sender
        )
        parts = sms_segments(text)
        previews.append(SmsPreview(language, text, parts, parts * settings.SMS_PRICE_PER_SEGMENT))
    return previews


def _message(lines: list[str]) -> str:
    return "\n".join(lines).translate(GSM_LOOKALIKES)


def _mobile_number(contact: Contact, *, asked_at: int | None) -> ContactNumber | None:
    """The number the message goes to: `asked_at` (the number whose call asked for it, or was the
    contact's last call) when text messages reach it, else the contact's first such number in calling
    order; never one the carrier refused."""
    numbers = contact.numbers.filter(phone_encrypted__isnull=False, carrier_refused=False).order_by("position")
    mobile = [number for number in numbers if phone_takes_sms(phone_decrypt(number.phone_encrypted))]
    return next((number for number in mobile if number.pk == asked_at), mobile[0] if mobile else None)


def _refusal(contact: Contact, campaign: Campaign, now: datetime) -> SmsSendResult | None:
    """Why the contact may not be messaged now, if they may not."""
    if campaign.status == CampaignStatus.PAUSED:
        return SmsSendResult(SmsOutcome.NOT_RUNNING, now + PAUSED_RETRY_AFTER)
    if campaign.status != CampaignStatus.RUNNING:
        return SmsSendResult(SmsOutcome.NOT_RUNNING)
    if not is_open(campaign, now):
        return SmsSendResult(SmsOutcome.OUTSIDE_WINDOW, next_open_moment(campaign, now))
    on_registry = Contact.objects.filter(pk=contact.pk).filter(contact_on_registry()).exists()
    if contact.status == ContactStatus.OPTED_OUT or on_registry:
        return SmsSendResult(SmsOutcome.OPTED_OUT)
    if contact_completed(contact=contact):
        return SmsSendResult(SmsOutcome.COMPLETED)
    # The web would only say "we have enough answers": no message, whose cost buys nothing.
    if contact_group_full(campaign=campaign, contact=contact):
        return SmsSendResult(SmsOutcome.QUOTA_FULL)
    return None


def sms_link_send(*, contact: Contact, now: datetime | None = None, phone_id: int | None = None) -> SmsSendResult:
    """Send the contact the SMS with their personal link to the web survey, at most once, inside the
    campaign's calling window; the result says what happened and when to try again, if ever.
    `phone_id`: the number that asked for the link, or that the contact's last call went to. The
    contact's request for the link is settled with it: gone, or overdue only after the time to try again."""
    now = now or timezone.now()
    result = _link_send(contact=contact, now=now, phone_id=phone_id)
    requests = SmsLinkRequest.objects.filter(contact_id=contact.pk)
    if result.retry_at is None:
        requests.delete()
    else:
        requests.update(due_at=result.retry_at + LINK_JOB_OVERDUE_AFTER)
    return result


def _link_send(*, contact: Contact, now: datetime, phone_id: int | None) -> SmsSendResult:
    looked_up = _unconfirmed_look_up(contact, now=now)
    if looked_up is not None:
        return looked_up
    with transaction.atomic():
        contact = (
            Contact.objects.select_for_update(of=("self",))
            .select_related("campaign__survey_version__survey")
            .get(pk=contact.pk)
        )
        campaign = contact.campaign
        try:
            provider, sender = campaign_sms_channel(campaign)
        except SmsChannelProblem as problem:
            logger.warning("No text message can be sent for campaign %s: %s", campaign.pk, problem)
            return SmsSendResult(SmsOutcome.NOT_CONFIGURED, reason=str(problem))
        message = SmsMessage.objects.filter(contact=contact).first()
        if message is not None and message.status != SmsStatus.NOT_SENT:
            return SmsSendResult(SmsOutcome.ALREADY_SENT)
        refused = _refusal(contact, campaign, now)
        if refused is not None:
            return refused
        phone = _mobile_number(contact, asked_at=phone_id)
        if phone is None:
            return SmsSendResult(SmsOutcome.NO_MOBILE_NUMBER)
        languages = campaign.survey_version.languages
        language = contact.language if contact.language in languages else "fi"
        link = survey_link_create(contact=contact, now=now)
        body = sms_link_text(
            campaign=campaign,
            link_url=survey_link_url(token=link, language=language),
            expires_at=contact.survey_link.expires_at,
            language=language,
            sender=sender,
        )
        segments = sms_segments(body)
        cost = segments * settings.SMS_PRICE_PER_SEGMENT
        if campaign.budget_cap is not None and campaign_spend(campaign) + cost > campaign.budget_cap:
            # Not even the link is kept: nothing of this message is stored.
            transaction.set_rollback(True)
            return SmsSendResult(SmsOutcome.OVER_BUDGET, reason=_("The message would pass the budget cap."))
        values = {
            "phone": phone,
            "provider": provider.name,
            "status": SmsStatus.PENDING,
            "status_at": now,
            "sender": sender.value,
            "language": language,
            "segments": segments,
            "cost": cost,
            "error": "",
            "error_code": None,
        }
        # A message the provider did not take earlier is this one, sent now.
        message, _created = SmsMessage.objects.update_or_create(contact=contact, defaults=values)
    # Committed as pending before the provider is asked: a crash from here on never sends again.
    status_url = settings.PUBLIC_BASE_URL + reverse("telephony:sms-status", kwargs={"message_id": message.pk})
    try:
        message_id = provider.send(
            to=phone_decrypt(phone.phone_encrypted), sender=sender.value, body=body, status_callback=status_url
        )
    except ImproperlyConfigured as error:
        return _sending_failed(message, ProviderError(str(error), kind=ErrorKind.ACCOUNT), provider=provider, now=now)
    except ProviderError as error:
        return _sending_failed(message, error, provider=provider, now=now)
    # A status report may have come first: it keeps what it told.
    SmsMessage.objects.filter(pk=message.pk).update(
        provider_message_id=Coalesce(F("provider_message_id"), Value(message_id)),
        status=Case(When(status=SmsStatus.PENDING, then=Value(SmsStatus.QUEUED)), default=F("status")),
        sent_at=now,
    )
    return SmsSendResult(SmsOutcome.SENT)


def _unconfirmed_look_up(contact: Contact, *, now: datetime) -> SmsSendResult | None:
    """A message whose sending got no certain answer (or whose worker was killed sending it: still being
    sent SENDING_STALE_AFTER later) is looked up at its provider before it may be sent again: found, it went
    (with the link the resident has, kept), and nothing more is sent; not found, it is a message the
    provider did not take (None: it may be sent now). Unanswered, it is asked again later."""
    sending_lost = Q(status=SmsStatus.PENDING, provider_message_id=None, status_at__lt=now - SENDING_STALE_AFTER)
    message = (
        SmsMessage.objects.filter(Q(status=SmsStatus.UNCONFIRMED) | sending_lost, contact=contact)
        .select_related("phone", "contact__campaign")
        .first()
    )
    if message is None:
        return None
    if message.status == SmsStatus.PENDING and not sms_provider_get(message.provider).finds_sent_messages:
        # The message may have gone, and nothing can tell: it stays pending and is never sent again.
        return None
    if message.phone is None or message.phone.phone_encrypted is None:
        # The number was purged with the campaign's: nothing can be looked up, nor sent.
        return SmsSendResult(SmsOutcome.FAILED)
    campaign = message.contact.campaign
    try:
        taken = sms_provider_get(message.provider).sent_message_id(
            to=phone_decrypt(message.phone.phone_encrypted),
            sender=message.sender,
            since=message.status_at - PROVIDER_CLOCK_SKEW,
        )
    except (ImproperlyConfigured, ProviderError) as error:
        logger.warning("Text message %s could not be looked up at its provider: %s", message.pk, error)
        return SmsSendResult(SmsOutcome.UNCONFIRMED, next_open_moment(campaign, now + PROVIDER_RETRY_AFTER))
    # Only as it was read: a status report that came meanwhile keeps what it told.
    unconfirmed = SmsMessage.objects.filter(pk=message.pk, status=message.status)
    if taken is None:
        unconfirmed.update(status=SmsStatus.NOT_SENT, status_at=now)
        return None
    unconfirmed.update(
        provider_message_id=Coalesce(F("provider_message_id"), Value(taken)),
        status=SmsStatus.QUEUED,
        sent_at=message.status_at,
        status_at=now,
        error="",
        error_code=None,
    )
    logger.warning("Text message %s was taken by its provider although its answer was an error.", message.pk)
    return SmsSendResult(SmsOutcome.ALREADY_SENT)


def _sending_failed(
    message: SmsMessage, error: ProviderError, *, provider: SmsProvider, now: datetime
) -> SmsSendResult:
    """The provider refused the message or could not be reached. What it did not take may go later;
    a refused number never, nor a message that may have gone (no answer came). A number refused as
    opted out of the sender's messages (it replied STOP, perhaps unheard by the portal) opts the
    contact out, as their STOP would."""
    logger.warning("The survey link's text message %s was not sent: %s", message.pk, error)
    if error.code is not None and error.code in provider.opt_out_error_codes:
        contact_opt_out(contact=message.contact, source=ConsentChannel.SMS)
    if error.kind in (ErrorKind.TEMPORARY, ErrorKind.ACCOUNT):
        status = SmsStatus.NOT_SENT
    elif error.kind == ErrorKind.NUMBER:
        status = SmsStatus.FAILED
    elif provider.finds_sent_messages:
        # The answer does not say whether the provider took it: it is looked up before it may go again.
        status = SmsStatus.UNCONFIRMED
    else:
        # The message may have gone, and nothing can tell: it stays pending and is never sent again.
        status = SmsStatus.PENDING
    # Only a message still pending: a status report that came before the provider's answer (an error,
    # or none in time) says the provider took it, and it keeps what it told - it is never sent again.
    if not SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.PENDING).update(
        status=status, error=str(error)[:300], error_code=error.code, status_at=now
    ):
        logger.warning("The provider reported text message %s although its answer to the sending failed.", message.pk)
        SmsMessage.objects.filter(pk=message.pk).update(sent_at=now)
        return SmsSendResult(SmsOutcome.SENT)
    campaign = message.contact.campaign
    if status == SmsStatus.UNCONFIRMED:
        return SmsSendResult(SmsOutcome.UNCONFIRMED, next_open_moment(campaign, now + PROVIDER_RETRY_AFTER))
    if status != SmsStatus.NOT_SENT:
        return SmsSendResult(SmsOutcome.FAILED)
    if error.kind == ErrorKind.ACCOUNT:
        # As a carrier's refused account: the campaign pauses, its managers are told, and the message
        # waits for the resume (a paused campaign's message is tried again until then).
        from surveys.services.campaigns import campaign_pause_for_carrier

        campaign_pause_for_carrier(campaign=campaign, error=error, in_messages=True)
    return SmsSendResult(SmsOutcome.NOT_SENT, next_open_moment(campaign, now + PROVIDER_RETRY_AFTER))


class _LinkRequestsInProcess:
    # The (contact id, phone id) of the links asked for while a simulation plays the calls in this
    # process; None when none does. The simulation sends them itself, as the worker would: inside the
    # planner's transaction, which never commits, a job would never reach the queue.
    requests: list[tuple[int, int | None]] | None = None


def sms_link_enqueue(*, contact: Contact, phone_id: int | None = None) -> None:
    """Send the contact their survey link's SMS in a worker, once the current transaction commits:
    to `phone_id` (the number that asked for it, or the last one called) when messages reach it.
    A simulation playing the calls in this process takes it instead (`sms_link_requests_in_process`)."""
    if _LinkRequestsInProcess.requests is not None:
        _LinkRequestsInProcess.requests.append((contact.pk, phone_id))
        return
    _request, created = SmsLinkRequest.objects.get_or_create(
        contact_id=contact.pk, defaults={"phone_id": phone_id, "due_at": timezone.now() + LINK_JOB_OVERDUE_AFTER}
    )
    # Asked again while owed (a replayed step), it gets no second job: the one queued, or the recovery, sends it.
    if created:
        transaction.on_commit(lambda: _link_job_enqueue(contact.pk, phone_id))


def sms_link_job_id(contact_id: int, job_number: int) -> str:
    """The id of the contact's link's `job_number`-th job (SmsLinkRequest.job_number)."""
    return f"survey-link-{contact_id}-{job_number}"


def _link_job_enqueue(contact_id: int, phone_id: int | None) -> None:
    try:
        django_rq.get_queue(SMS_QUEUE).enqueue(LINK_JOB, contact_id, phone_id, job_id=sms_link_job_id(contact_id, 1))
    except RedisError as error:
        # Raised here, it would fail the call's step that asked (committed already), and the resident
        # would hear the carrier's error message instead of the goodbye. The request is stored.
        logger.error(
            "The survey link's text message of contact %s was not queued; it will be once Redis answers: %s",
            contact_id,
            error,
        )


def sms_link_job_schedule(*, contact_id: int, phone_id: int | None, at: datetime) -> None:
    """Queue the link's next job to run at `at` (its sending was put off), under the request's next
    job id. Should Redis refuse, the error fails this job, and the recovery queues the link again."""
    with transaction.atomic():
        request, created = SmsLinkRequest.objects.select_for_update().get_or_create(
            contact_id=contact_id, defaults={"phone_id": phone_id, "due_at": at + LINK_JOB_OVERDUE_AFTER}
        )
        if not created:
            request.job_number += 1
            request.save(update_fields=["job_number"])
        job_id = sms_link_job_id(contact_id, request.job_number)
        django_rq.get_queue(SMS_QUEUE).enqueue_at(at, LINK_JOB, contact_id, phone_id, job_id=job_id)


def sms_link_requests_recover(*, now: datetime | None = None) -> int:
    """Queue again the jobs of the survey links owed whose job is overdue and lost: gone from Redis, or
    ended without settling the link (failed, a worker killed); returns how many. A job only late (still
    queued behind a busy queue, running, or put off) is left to run, and looked at again a while later.
    A link whose job failed LINK_JOB_TRIES times is given up: its message is recorded as failed, with
    the reason, and it is no longer owed."""
    now = now or timezone.now()
    queue = django_rq.get_queue(SMS_QUEUE)
    with transaction.atomic():
        overdue = list(
            SmsLinkRequest.objects.select_for_update(skip_locked=True)
            .filter(due_at__lte=now)
            .order_by("due_at")[:LINKS_RECOVERED_PER_ROUND]
        )
        if not overdue:
            return 0
        job_ids = {request.pk: sms_link_job_id(request.contact_id, request.job_number) for request in overdue}
        lost_job_ids = job_ids_lost(list(job_ids.values()), connection=queue.connection)
        SmsLinkRequest.objects.filter(pk__in=job_ids).update(due_at=now + LINK_JOB_OVERDUE_AFTER)
        again, failed = [], []
        for request in overdue:
            if job_ids[request.pk] not in lost_job_ids:
                continue
            # Redis losing a job (restarted without its data) is no failure of it: only a failed run counts.
            reason = job_last_error(job_ids[request.pk], connection=queue.connection)
            if reason and request.failed_jobs + 1 >= LINK_JOB_TRIES:
                _link_given_up(request, reason=reason, now=now)
                continue
            again.append(request)
            if reason:
                failed.append(request.pk)
        SmsLinkRequest.objects.filter(pk__in=[request.pk for request in again]).update(job_number=F("job_number") + 1)
        SmsLinkRequest.objects.filter(pk__in=failed).update(failed_jobs=F("failed_jobs") + 1)
        # Queued before the commit: should Redis refuse, the requests stay as they were for the next round.
        jobs = [
            Queue.prepare_data(
                LINK_JOB,
                (request.contact_id, request.phone_id),
                job_id=sms_link_job_id(request.contact_id, request.job_number + 1),
            )
            for request in again
        ]
        if jobs:
            queue.enqueue_many(jobs)
    if again:
        logger.warning("The survey link jobs of %d contacts were lost; queued again.", len(again))
    return len(again)


def _link_given_up(request: SmsLinkRequest, *, reason: str, now: datetime) -> None:
    """The link's job failed LINK_JOB_TRIES times: its message is recorded as failed with the reason,
    where the provider's refusals are, and the link is no longer owed. A message the provider may have
    taken keeps what it is."""
    error = phone_numbers_mask(f"The link's job failed {LINK_JOB_TRIES} times: {reason}")[:300]
    logger.error("The survey link of contact %s is given up: %s", request.contact_id, error)
    failed = {"status": SmsStatus.FAILED, "error": error, "error_code": None, "status_at": now}
    message, created = SmsMessage.objects.get_or_create(
        contact_id=request.contact_id, defaults={"phone_id": request.phone_id, "provider": "", **failed}
    )
    if not created and message.status == SmsStatus.NOT_SENT:
        SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.NOT_SENT).update(**failed)
    request.delete()


@contextmanager
def sms_link_requests_in_process():
    """While open, the links asked for in this process are kept for the caller (a simulation), not
    queued: `sms_link_requests_take` hands them over."""
    _LinkRequestsInProcess.requests = []
    try:
        yield
    finally:
        _LinkRequestsInProcess.requests = None


def sms_link_requests_take() -> list[tuple[int, int | None]]:
    """The (contact id, phone id) of the links asked for in this process since the last take (none
    unless `sms_link_requests_in_process` is open)."""
    taken = _LinkRequestsInProcess.requests or []
    if _LinkRequestsInProcess.requests is not None:
        _LinkRequestsInProcess.requests = []
    return taken
