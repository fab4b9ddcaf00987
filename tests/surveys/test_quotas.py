"""Quotas by age group and district: the quotas a campaign's settings give, the completes of each
group, the dialer leaving full groups alone, and what the dispositions and progress make of it."""

from datetime import timedelta
from decimal import Decimal

import pytest

from surveys.models import (
    CallAttempt,
    CallStatus,
    ContactStatus,
    Response,
    ResponseMode,
    ResponseStatus,
    TargetDimension,
)
from surveys.progress import QUOTA_FILLED
from surveys.selectors import campaign_progress
from surveys.services.campaigns import campaign_launch_warnings
from surveys.services.dialing import dial_tick
from surveys.services.dispositions import NOT_ELIGIBLE, campaign_dispositions, response_interview_code_refresh
from surveys.services.quotas import (
    campaign_quota_plan,
    campaign_quotas,
    contact_screening,
    largest_remainder,
    response_screen_out,
)
from surveys.services.result_settings import TargetRow, TargetsInvalid, population_targets_replace
from tests.surveys.calls import NOON, UNPACED_AT_NOON, queued_attempt
from tests.surveys.quota_fixtures import MIDDLE, OLD, YOUNG, add_contact, complete, quota_campaign

pytestmark = pytest.mark.django_db


def shares(*values: str) -> list[Decimal]:
    return [Decimal(value) for value in values]


def test_quotas_are_the_shares_of_the_completes_wanted_rounded_by_the_largest_remainder():
    assert largest_remainder(100, shares("0.15", "0.22", "0.28", "0.19", "0.16")) == [15, 22, 28, 19, 16]
    # 3.0, 1.8, 1.7, 1.4, 1.3, 0.8: the three largest fractions get the three completes left over.
    assert largest_remainder(10, shares("0.30", "0.18", "0.17", "0.14", "0.13", "0.08")) == [3, 2, 2, 1, 1, 1]
    # Shares adding up to a little less than 1 (within the targets' tolerance) still fill the total.
    assert sum(largest_remainder(1000, shares("0.333", "0.333", "0.333"))) == 1000


def test_the_plan_gives_each_group_of_age_and_district_its_quota(make_campaign):
    campaign = quota_campaign(make_campaign, target_completes=10)

    plan = campaign_quota_plan(campaign)

    assert plan.active
    age, district = plan.dimensions
    assert [(group.category, group.quota) for group in age.groups] == [("18–29", 2), ("30–64", 5), ("65+", 3)]
    assert [(group.category, group.quota) for group in district.groups] == [("Keskusta", 6), ("Kylät", 4)]
    assert district.postal_codes == {"01900": "Keskusta", "01980": "Kylät", "01990": "Kylät"}
    assert plan.left_out == []


def test_a_dimension_the_survey_does_not_ask_has_no_quota(make_campaign):
    campaign = quota_campaign(make_campaign)
    campaign.survey_version.questions.filter(demographic="district").update(demographic="")

    plan = campaign_quota_plan(campaign)

    assert [dimension.dimension for dimension in plan.dimensions] == [TargetDimension.AGE_GROUP]
    assert plan.left_out == ["Kaupunginosa tai postinumeroalue: kysely ei kysy sitä."]


def test_completes_count_in_the_known_group_else_in_the_answer_whichever_the_mode(make_campaign):
    campaign = quota_campaign(make_campaign)
    # Known from the contact list: counted there, whatever was answered.
    complete(add_contact(campaign, birth_year=YOUNG, postal_code="01900"), answers={2: "65+", 3: "Kylät"})
    # Unknown: counted by the answers, on the web as by phone.
    complete(add_contact(campaign), mode=ResponseMode.WEB, answers={2: "65+", 3: "Kylät"})
    complete(add_contact(campaign, birth_year=MIDDLE), answers={3: "Keskusta"})
    # A break-off after the district (1 of the 4 questions answered) is no complete (AAPOR I).
    break_off = complete(add_contact(campaign, birth_year=OLD), answers={1: None, 2: None, 3: "Keskusta", 4: None})
    Response.objects.filter(pk=break_off.pk).update(status=ResponseStatus.PARTIAL)
    response_interview_code_refresh(response_id=break_off.pk)

    quotas = campaign_quotas(campaign)

    age, district = quotas.dimensions
    assert {group.category: group.completes for group in age.groups} == {"18–29": 1, "30–64": 1, "65+": 1}
    assert {group.category: group.completes for group in district.groups} == {"Keskusta": 2, "Kylät": 1}


def test_the_dialer_stops_calling_the_known_contacts_of_a_full_group(make_campaign):
    campaign = quota_campaign(make_campaign, **UNPACED_AT_NOON)  # 18-29: 2 completes
    for _done in range(2):
        complete(add_contact(campaign, birth_year=YOUNG, postal_code="01900"))
    campaign.contacts.update(status=ContactStatus.FINISHED)
    young_fresh = add_contact(campaign, birth_year=YOUNG)
    young_waiting = add_contact(campaign, birth_year=YOUNG)
    retry = queued_attempt(young_waiting, status=CallStatus.PENDING, scheduled_for=NOON - timedelta(hours=3))
    middle = add_contact(campaign, birth_year=MIDDLE)
    unknown = add_contact(campaign)

    queued = dial_tick(campaign=campaign, now=NOON)

    assert queued == 2
    called = set(CallAttempt.objects.filter(status=CallStatus.QUEUED).values_list("contact", flat=True))
    assert called == {middle.pk, unknown.pk}
    for closed in (young_fresh, young_waiting):
        closed.refresh_from_db()
        assert closed.status == ContactStatus.FINISHED
        assert closed.quota_closed_at == NOON
    retry.refresh_from_db()
    assert (retry.status, retry.ended_at) == (CallStatus.CANCELED, NOON)


def test_calling_stops_when_every_group_of_a_dimension_is_full(make_campaign):
    campaign = quota_campaign(make_campaign, target_completes=2)  # 18-29: 0, 30-64: 1, 65+: 1
    complete(add_contact(campaign, birth_year=MIDDLE, postal_code="01900"))
    complete(add_contact(campaign, birth_year=1950, postal_code="01980"))
    campaign.contacts.update(status=ContactStatus.FINISHED)
    unknown = add_contact(campaign)
    middle_waiting = add_contact(campaign, postal_code="01990")

    queued = dial_tick(campaign=campaign, now=NOON)

    assert queued == 0
    for closed in (unknown, middle_waiting):
        closed.refresh_from_db()
        assert (closed.status, closed.quota_closed_at) == (ContactStatus.FINISHED, NOON)
    assert contact_screening(campaign=campaign, contact=add_contact(campaign)).full_dimension == "age_group"


def test_a_district_fills_by_postal_code_and_its_contacts_stop_too(make_campaign):
    campaign = quota_campaign(make_campaign, target_completes=5)  # Kylät: 2
    for _done in range(2):
        contact = add_contact(campaign, birth_year=MIDDLE, postal_code="01980")
        contact.status = ContactStatus.FINISHED
        contact.save()
        complete(contact)
    rural = add_contact(campaign, birth_year=MIDDLE, postal_code="01990")
    centre = add_contact(campaign, birth_year=MIDDLE, postal_code="01900")

    dial_tick(campaign=campaign, now=NOON)

    assert set(CallAttempt.objects.values_list("contact", flat=True)) == {centre.pk}
    rural.refresh_from_db()
    assert rural.quota_closed_at == NOON


def test_quotas_off_call_everyone(make_campaign):
    campaign = quota_campaign(make_campaign)
    campaign.quotas_enabled = False
    campaign.save()
    for _done in range(3):
        complete(add_contact(campaign, birth_year=YOUNG))
    campaign.contacts.update(status=ContactStatus.FINISHED)
    add_contact(campaign, birth_year=YOUNG)

    assert dial_tick(campaign=campaign, now=NOON) == 1


def test_numbers_closed_by_a_quota_are_not_eligible_and_shown_as_such(make_campaign):
    campaign = quota_campaign(make_campaign)
    for _done in range(2):
        done = add_contact(campaign, birth_year=YOUNG)
        done.status = ContactStatus.FINISHED
        done.save()
        complete(done)
    add_contact(campaign, birth_year=YOUNG)
    dial_tick(campaign=campaign, now=NOON)

    dispositions = campaign_dispositions(campaign=campaign)
    progress = campaign_progress(campaign)

    assert (dispositions["I"], dispositions[NOT_ELIGIBLE]) == (2, 1)
    assert dispositions.rr1 == 1.0
    assert progress.coverage[0].reasons[QUOTA_FILLED] == 1


def test_a_screened_out_response_is_not_eligible_and_no_break_off(make_campaign):
    campaign = quota_campaign(make_campaign)
    contact = add_contact(campaign)
    # Asked the age first, and let go: the group was full.
    screened = complete(contact, answers={1: None, 2: "18–29", 3: None, 4: None})
    Response.objects.filter(pk=screened.pk).update(status=ResponseStatus.PARTIAL)
    response_screen_out(contact=contact, now=NOON)

    dispositions = campaign_dispositions(campaign=campaign)
    progress = campaign_progress(campaign)

    assert dispositions[NOT_ELIGIBLE] == 1
    assert dispositions["R"] == 0
    assert (progress.complete, progress.partial, progress.break_offs) == (0, 0, 0)


def test_district_targets_keep_their_postal_codes():
    targets = population_targets_replace(
        dimension=TargetDimension.DISTRICT,
        rows=[
            TargetRow("Keskusta", Decimal("0.6"), ("01900", "01910")),
            TargetRow("Kylät", Decimal("0.4"), ("01980",)),
        ],
        by=None,
    )

    assert [target.postal_codes for target in targets] == [["01900", "01910"], ["01980"]]


@pytest.mark.parametrize(
    ("dimension", "rows", "problem"),
    [
        (
            TargetDimension.DISTRICT,
            [TargetRow("Keskusta", Decimal("0.6"), ("1900",)), TargetRow("Kylät", Decimal("0.4"))],
            "Postinumero 1900 (Keskusta) ei ole viisinumeroinen.",
        ),
        (
            TargetDimension.DISTRICT,
            [TargetRow("Keskusta", Decimal("0.6"), ("01900",)), TargetRow("Kylät", Decimal("0.4"), ("01900",))],
            "Postinumero 01900 on annettu sekä alueelle Keskusta että alueelle Kylät.",
        ),
        (
            TargetDimension.AGE_GROUP,
            [TargetRow("18–64", Decimal("0.6"), ("01900",)), TargetRow("65+", Decimal("0.4"))],
            "Postinumeroita on vain alueilla; ryhmällä 18–64 on niitä.",
        ),
    ],
)
def test_postal_codes_that_cannot_tell_a_district_are_refused(dimension, rows, problem):
    with pytest.raises(TargetsInvalid) as refused:
        population_targets_replace(dimension=dimension, rows=rows, by=None)

    assert problem in refused.value.problems


def test_quotas_that_no_group_has_are_a_launch_warning(make_campaign):
    campaign = make_campaign("ilman-kohteita", quotas_enabled=True, target_completes=100)

    warnings = campaign_launch_warnings(campaign=campaign)

    assert warnings == [
        "Kiintiöt ovat käytössä, mutta millään ryhmällä ei ole kiintiötä, joten ne eivät estä yhtään soittoa: "
        "Ikäryhmä: väestöosuuksia ei ole asetettu. Kaupunginosa tai postinumeroalue: väestöosuuksia ei ole asetettu."
    ]
    assert campaign_launch_warnings(campaign=quota_campaign(make_campaign)) == []
