"""Dispositions and AAPOR rates by mode: one final disposition per number for the combined rates, and
per mode the numbers that mode was attempted on, read from that mode's own events.

Ten numbers, worked out by hand (combined / phone / web; "-" not attempted in that mode). A mode that
got nothing back from a number known to be eligible (from either mode) counts it as a non-contact (NC),
not as of unknown eligibility: eligibility is the number's, not the mode's.
 1 answered the call to the end                       I  / I  / -
 2 no answer, SMS delivered, completed on the web      I  / NC / I
 3 picked up and hung up, then completed on the web    I  / O  / I
 4 no answer, SMS delivered, no reply                  UH / UH / UH
 5 answering machine, SMS not delivered                NC / NC / NC
 6 no answer, SMS delivered, replied STOP              R  / NC / R
 7 declined on the call                                R  / R  / -
 8 no answer, SMS not sent (the provider was down)     UH / UH / -
 9 a call still waiting, nothing else                  UH / -  / -
10 no answer, SMS sent, consented on the web and broke off after one answer  R / NC / R
Combined: I 3, R 3, NC 1, UH 3 (D = 10). Phone (9 numbers): I 1, R 1, NC 4, O 1, UH 2. Web (6): I 2, R 2, NC 1, UH 1.
"""

import pytest

from surveys.messaging.base import InboundMessage
from surveys.models import (
    CallStatus,
    ConsentKind,
    ContactStatus,
    ResponseMode,
    ResponseStatus,
    SmsMessage,
    SmsStatus,
)
from surveys.services.consent import consent_record
from surveys.services.dispositions import campaign_dispositions
from surveys.services.privacy import contact_opt_out, opt_out_register
from surveys.services.results_by_mode import mode_rates
from surveys.services.sms import sms_reply_receive
from tests.surveys.calls import running_campaign
from tests.surveys.test_dispositions import BY, attempt, respond

S = CallStatus


def sms(contact, status: str) -> SmsMessage:
    return SmsMessage.objects.create(
        contact=contact, phone=contact.numbers.first(), provider="simulator", status=status, sender="Kunta"
    )


def on_the_web(response):
    response.mode = ResponseMode.WEB
    response.save(update_fields=["mode"])
    return response


@pytest.fixture
def mixed(make_campaign):
    campaign = running_campaign(make_campaign, numbers=tuple(f"04012345{index:02d}" for index in range(10)))
    (phone, web, reached, silent, machine, stop, declined, not_sent, waiting, broke_off) = campaign.contacts.order_by(
        "pk"
    )
    attempt(phone, S.COMPLETED, picked_up=True, step="closing")
    respond(phone, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})

    attempt(web, S.NO_ANSWER)
    sms(web, SmsStatus.DELIVERED)
    on_the_web(respond(web, ResponseStatus.COMPLETE, {1: 1, 2: 2, 3: 7}))

    attempt(reached, S.COMPLETED, by=BY.HUMAN, picked_up=True)
    sms(reached, SmsStatus.DELIVERED)
    on_the_web(respond(reached, ResponseStatus.COMPLETE, {1: 2, 2: 1, 3: 1}))

    attempt(silent, S.NO_ANSWER)
    sms(silent, SmsStatus.DELIVERED)

    attempt(machine, S.MACHINE, by=BY.MACHINE, picked_up=True, step="intro")
    sms(machine, SmsStatus.UNDELIVERED)

    attempt(stop, S.NO_ANSWER)
    sms(stop, SmsStatus.DELIVERED)
    consent_record(kind=ConsentKind.OPTED_OUT, channel="sms", campaign=campaign, contact_ref=stop.pseudonym)
    stop.status = ContactStatus.OPTED_OUT
    stop.save(update_fields=["status"])

    attempt(declined, S.COMPLETED, picked_up=True, step="declined")
    consent_record(kind=ConsentKind.DECLINED, channel="call", campaign=campaign, contact_ref=declined.pseudonym)

    attempt(not_sent, S.NO_ANSWER)
    sms(not_sent, SmsStatus.NOT_SENT)

    attempt(waiting, S.PENDING)

    attempt(broke_off, S.NO_ANSWER)
    sms(broke_off, SmsStatus.SENT)
    consent_record(kind=ConsentKind.CONSENTED, channel="web", campaign=campaign, contact_ref=broke_off.pseudonym)
    on_the_web(respond(broke_off, ResponseStatus.PARTIAL, {1: 1}))
    return campaign


def codes(counts) -> dict[str, int]:
    return {code: count for code, count in counts.items() if count}


def test_one_final_disposition_per_number_combines_both_modes(mixed):
    result = campaign_dispositions(campaign=mixed)

    assert codes(result.counts) == {"I": 3, "R": 3, "NC": 1, "UH": 3}


def test_each_mode_counts_the_numbers_it_was_attempted_on_with_its_own_events(mixed):
    result = campaign_dispositions(campaign=mixed)

    assert codes(result.by_mode["phone"]) == {"I": 1, "R": 1, "NC": 4, "O": 1, "UH": 2}
    assert codes(result.by_mode["web"]) == {"I": 2, "R": 2, "NC": 1, "UH": 1}
    # Each complete is its mode's: the modes' completes add up to the combined ones.
    assert result.by_mode["phone"]["I"] + result.by_mode["web"]["I"] == result.counts["I"]
    assert sorted(result.interview_modes.values()) == ["phone", "web", "web"]


def test_a_phone_only_campaign_has_no_web_mode(make_campaign):
    campaign = running_campaign(make_campaign)
    attempt(campaign.contacts.get(), S.NO_ANSWER)

    result = campaign_dispositions(campaign=campaign)

    assert set(result.by_mode) == {"phone"}


def test_rates_per_mode_and_combined_by_hand(mixed):
    rates = {each.mode: each for each in mode_rates(campaign_dispositions(campaign=mixed), e=None)}

    assert [(mode, rates[mode].cases) for mode in rates] == [("phone", 9), ("web", 6), ("combined", 10)]
    phone, web, combined = rates["phone"].rates, rates["web"].rates, rates["combined"].rates
    # Phone: I 1, R 1, NC 4, O 1, UH 2; no number of known ineligibility, so e = 1 and RR3 = RR1.
    assert phone.rr["RR1"] == pytest.approx(1 / 9)
    assert phone.rr["RR3"] == pytest.approx(1 / 9)
    # Of the 7 numbers known to be eligible, one was interviewed by phone (not 1 of 4).
    assert phone.rr["RR5"] == pytest.approx(1 / 7)
    assert phone.ref["REF3"] == pytest.approx(1 / 7)
    assert phone.con["CON3"] == pytest.approx(3 / 7)
    assert phone.coop["COOP1"] == pytest.approx(1 / 3)  # I / (I + P + R + O)
    assert phone.ref["REF1"] == pytest.approx(1 / 9)
    assert phone.con["CON1"] == pytest.approx(3 / 9)  # (I + P + R + O) / D
    # Web: I 2, R 2, NC 1, UH 1.
    assert web.rr["RR1"] == pytest.approx(2 / 6)
    assert web.rr["RR5"] == pytest.approx(2 / 5)
    assert web.rr["RR4"] == pytest.approx(2 / 6)
    assert web.coop["COOP1"] == pytest.approx(2 / 4)
    assert web.ref["REF1"] == pytest.approx(2 / 6)
    assert web.con["CON1"] == pytest.approx(4 / 6)
    # Combined: I 3, R 3, NC 1, UH 3.
    assert combined.rr["RR1"] == pytest.approx(3 / 10)
    assert combined.coop["COOP1"] == pytest.approx(3 / 6)
    assert combined.ref["REF1"] == pytest.approx(3 / 10)
    assert combined.con["CON1"] == pytest.approx(6 / 10)


def test_a_set_e_applies_to_every_mode(mixed):
    rates = {each.mode: each.rates for each in mode_rates(campaign_dispositions(campaign=mixed), e=0.5)}

    # Web: De = (I + R + NC) + 0.5 UH = 5 + 0.5
    assert rates["web"].rr["RR3"] == pytest.approx(2 / 5.5)
    assert (rates["web"].e, rates["web"].e_source) == (0.5, "set")


def read_the_introduction(campaign, contact) -> None:
    """The person opened the web survey through their personal link."""
    consent_record(
        kind=ConsentKind.INFORMED, channel="web", campaign=campaign, contact_ref=contact.pseudonym, intro_hash="x"
    )


def phone_only(make_campaign, count: int = 2):
    campaign = running_campaign(make_campaign, numbers=tuple(f"04012345{index:02d}" for index in range(count)))
    answered, silent, *_rest = campaign.contacts.order_by("pk")
    attempt(answered, S.COMPLETED, picked_up=True, step="closing")
    respond(answered, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})
    attempt(silent, S.NO_ANSWER)
    return campaign, silent


@pytest.mark.parametrize("source", ["web", "sms"])
def test_an_opt_out_on_the_public_page_or_by_sms_without_a_link_is_no_web_attempt(make_campaign, source):
    campaign, _silent = phone_only(make_campaign)

    # The public opt-out form (source "web"), or a STOP reply from a number no link was sent to.
    opt_out_register(raw_number="0401234501", source=source)

    result = campaign_dispositions(campaign=campaign)
    assert set(result.by_mode) == {"phone"}
    # An opt-out all the same: the one disposition of the number is a refusal; no call reached anyone,
    # at a number now known to be a person's: a non-contact in the phone's rates.
    assert codes(result.counts) == {"I": 1, "R": 1}
    assert codes(result.by_mode["phone"]) == {"I": 1, "NC": 1}


def test_a_stop_reply_to_a_sent_link_is_a_web_refusal(make_campaign):
    campaign, silent = phone_only(make_campaign)
    sms(silent, SmsStatus.DELIVERED)

    sms_reply_receive(inbound=InboundMessage(sender="0401234501", body="STOP"))

    result = campaign_dispositions(campaign=campaign)
    assert codes(result.by_mode["web"]) == {"R": 1}
    assert codes(result.by_mode["phone"]) == {"I": 1, "NC": 1}


def test_an_opt_out_through_the_personal_link_is_a_web_refusal(make_campaign):
    campaign, silent = phone_only(make_campaign)
    read_the_introduction(campaign, silent)

    contact_opt_out(contact=silent, source="web")

    assert codes(campaign_dispositions(campaign=campaign).by_mode["web"]) == {"R": 1}


def test_consenting_on_the_web_and_completing_by_phone_is_other_on_the_web(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234500",))
    person = campaign.contacts.get()
    attempt(person, S.NO_ANSWER)
    sms(person, SmsStatus.DELIVERED)
    read_the_introduction(campaign, person)
    consent_record(kind=ConsentKind.CONSENTED, channel="web", campaign=campaign, contact_ref=person.pseudonym)
    attempt(person, S.COMPLETED, picked_up=True, step="closing", number=2)
    respond(person, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})

    result = campaign_dispositions(campaign=campaign)

    # Symmetric with the phone: reached on the web, interviewed by phone - no web refusal.
    assert codes(result.by_mode["web"]) == {"O": 1}
    assert codes(result.by_mode["phone"]) == {"I": 1}


def test_declining_on_the_web_then_completing_by_phone_stays_a_web_refusal(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234500",))
    person = campaign.contacts.get()
    sms(person, SmsStatus.DELIVERED)
    consent_record(kind=ConsentKind.DECLINED, channel="web", campaign=campaign, contact_ref=person.pseudonym)
    attempt(person, S.COMPLETED, picked_up=True, step="closing")
    respond(person, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5})

    assert codes(campaign_dispositions(campaign=campaign).by_mode["web"]) == {"R": 1}


def test_a_number_the_phone_found_not_eligible_is_not_eligible_on_the_web_too(make_campaign):
    campaign = running_campaign(make_campaign, numbers=tuple(f"04012345{index:02d}" for index in range(4)))
    by_web, not_working, silent, fax = campaign.contacts.order_by("pk")
    for contact in (by_web, silent):
        attempt(contact, S.NO_ANSWER)
        sms(contact, SmsStatus.DELIVERED)
    on_the_web(respond(by_web, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5}))
    attempt(not_working, S.FAILED)
    sms(not_working, SmsStatus.DELIVERED)
    attempt(fax, S.FAX, picked_up=True)
    sms(fax, SmsStatus.UNDELIVERED)

    result = campaign_dispositions(campaign=campaign)

    assert codes(result.counts) == {"I": 1, "UH": 1, "NE": 2}
    assert codes(result.by_mode["web"]) == {"I": 1, "UH": 1, "NE": 2}
    rates = {each.mode: each.rates for each in mode_rates(result, e=None)}
    # e is the share of eligible numbers among those of known eligibility, 1 / 3, estimated once
    # from every number (eligibility is the number's, not the mode's) and used for each mode.
    assert rates["combined"].e == pytest.approx(1 / 3)
    assert (rates["web"].e, rates["web"].e_source) == (pytest.approx(1 / 3), "combined")
    assert (rates["phone"].e, rates["phone"].e_source) == (pytest.approx(1 / 3), "combined")
    assert rates["web"].rr["RR3"] == pytest.approx(1 / (1 + 1 / 3))
    assert rates["web"].rr["RR1"] == pytest.approx(1 / 2)


def test_a_response_begun_by_phone_and_completed_on_the_web_is_the_webs(make_campaign):
    campaign = running_campaign(make_campaign, numbers=("0401234500",))
    person = campaign.contacts.get()
    attempt(person, S.COMPLETED, by=BY.HUMAN, picked_up=True, step="q2")
    consent_record(kind=ConsentKind.CONSENTED, channel="call", campaign=campaign, contact_ref=person.pseudonym)
    sms(person, SmsStatus.DELIVERED)
    read_the_introduction(campaign, person)
    on_the_web(respond(person, ResponseStatus.COMPLETE, {1: 1, 2: 1, 3: 5}))

    result = campaign_dispositions(campaign=campaign)

    assert codes(result.counts) == {"I": 1}
    assert codes(result.by_mode["phone"]) == {"O": 1}
    assert codes(result.by_mode["web"]) == {"I": 1}
    assert result.interview_modes == {person.pseudonym: "web"}
