"""A small simulated campaign with quotas: the real dialer, IVR and webhook views, the synthetic
residents answering the screening questions truthfully."""

from decimal import Decimal

import pytest
from django.db.models import Q

from surveys.demo import QUESTIONS
from surveys.demo_results import demo_population_targets
from surveys.models import CallAttempt, CallStatus, CampaignStatus, Contact, ContactStatus, Response, ResponseStatus
from surveys.services import surveys as survey_services
from surveys.services.dispositions import NOT_ELIGIBLE, campaign_dispositions
from surveys.services.quotas import campaign_quotas
from surveys.services.surveys import OptionText
from surveys.services.synthetic_contacts import synthetic_contacts_add
from surveys.simulation import simulate
from tests.surveys.interview_codes import assert_stored_interview_codes_agree

pytestmark = pytest.mark.django_db(transaction=True)
CONTACTS = 150
TARGET_COMPLETES = 12


@pytest.fixture
def campaign(make_campaign, rq_queues):
    campaign = make_campaign(
        "kiintiosimulaatio",
        quotas_enabled=True,
        target_completes=TARGET_COMPLETES,
        max_concurrent_calls=6,
        calls_per_second=Decimal(1),
        min_gap_minutes=120,
        max_attempts=2,
    )
    survey = campaign.survey_version.survey
    for spec in QUESTIONS:
        fields = {key: value for key, value in spec.items() if key != "options"}
        survey_services.question_create(
            survey=survey, options=[OptionText(fi, sv) for fi, sv in spec.get("options", [])], **fields
        )
    demo_population_targets()  # the demo town's ages and districts, with the districts' postal codes
    synthetic_contacts_add(campaign=campaign, count=CONTACTS, seed=5)
    # A third of the list without birth years and a sixth without postal codes: asked on the line.
    ids = list(campaign.contacts.order_by("pk").values_list("pk", flat=True))
    Contact.objects.filter(pk__in=ids[::3]).update(birth_year=None)
    Contact.objects.filter(pk__in=ids[1::6]).update(postal_code="")
    campaign.status = CampaignStatus.RUNNING
    campaign.save(update_fields=["status"])
    return campaign


@pytest.mark.slow
def test_no_group_exceeds_its_quota_by_more_than_the_calls_in_flight(campaign):
    # Seed 6: this small run's residents of unknown age include some of full groups who tell their
    # age (one who gives no valid answer goes on with the group unknown, never screened out).
    simulate(campaign, seed=6, workers=0)

    quotas = campaign_quotas(campaign)
    groups = [group for dimension in quotas.dimensions for group in dimension.groups]
    assert [dimension.dimension for dimension in quotas.dimensions] == ["age_group", "district"]
    assert sum(group.quota for group in quotas.dimensions[0].groups) == TARGET_COMPLETES
    assert any(group.is_full for group in groups)
    for group in groups:
        assert group.completes <= group.quota + campaign.max_concurrent_calls, group
    # The quotas stopped numbers and screened people out, and every one of them ended.
    screened = Response.objects.filter(campaign=campaign, status=ResponseStatus.SCREENED_OUT)
    assert screened.exists()
    closed = Contact.objects.filter(campaign=campaign, quota_closed_at__isnull=False)
    assert closed.filter(pseudonym__in=screened.values("pseudonym")).count() == screened.count()
    assert closed.exclude(pseudonym__in=screened.values("pseudonym")).exists()  # no longer called
    assert not closed.filter(status__in=[ContactStatus.PENDING, ContactStatus.IN_PROGRESS]).exists()
    assert not CallAttempt.objects.filter(
        Q(contact__in=closed), status__in=[CallStatus.PENDING, CallStatus.QUEUED]
    ).exists()
    # Screened out after answering a screening question on the line, never counted as a break-off.
    screened_calls = CallAttempt.objects.filter(contact__campaign=campaign, current_step="screened_out")
    assert screened_calls.count() == screened.count()
    # The quotas counted the completes of the report (AAPOR I) as the calls went on.
    assert_stored_interview_codes_agree(campaign)
    dispositions = campaign_dispositions(campaign=campaign)
    # A closed number is NE unless a person was reached before its group filled (contact_disposition).
    assert dispositions[NOT_ELIGIBLE] >= closed.exclude(attempts__answered_at__isnull=False).count()
