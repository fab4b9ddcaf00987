"""Demo population targets: a Finnish town of about 16,000 residents, in the categories of the demo
survey's demographic questions (surveys/demo.py).

They are the shares of the simulator's synthetic residents (surveys/synthetic_population.py:
AGE_BRACKETS, which are AGE_GROUPS 18-29 0.15, 30-64 0.50, 65+ 0.35 in the survey's five groups,
and DISTRICTS), so weighting a simulated campaign to them can be checked against the truth. The
districts follow a town with a centre, four suburbs and a rural area, each with the postal codes the
synthetic residents of DISTRICTS have (so a demo campaign with quotas knows its contacts' districts).
"""

from decimal import Decimal

from django.db import transaction

from surveys.models import Campaign, CampaignFixedCost, PopulationTarget, TargetDimension
from surveys.services.result_settings import TargetRow, population_targets_replace
from surveys.synthetic_population import DISTRICTS

DEMO_TARGETS = {
    TargetDimension.AGE_GROUP: [
        ("18–29", "0.15"),
        ("30–44", "0.22"),
        ("45–64", "0.28"),
        ("65–74", "0.19"),
        ("75 tai yli", "0.16"),
    ],
    TargetDimension.DISTRICT: [
        ("Keskusta", "0.30"),
        ("Pohjoinen", "0.18"),
        ("Etelä", "0.17"),
        ("Itä", "0.14"),
        ("Länsi", "0.13"),
        ("Haja-asutusalue", "0.08"),
    ],
}
# The pilot bought its numbers from a data broker on a 2,100 EUR annual contract.
PILOT_NUMBER_LIST = ("Numerolista (tietopalveluyhtiön vuosisopimus)", Decimal("2100.00"))


@transaction.atomic
def demo_population_targets() -> int:
    """Set the demo targets of each dimension that has none yet (an administrator's are kept).
    Returns the number of targets created."""
    created = 0
    for dimension, rows in DEMO_TARGETS.items():
        if PopulationTarget.objects.filter(dimension=dimension).exists():
            continue
        targets = population_targets_replace(
            dimension=dimension,
            rows=[
                TargetRow(
                    category=category,
                    share=Decimal(share),
                    postal_codes=DISTRICTS[category][1] if dimension == TargetDimension.DISTRICT else (),
                )
                for category, share in rows
            ],
            by=None,
        )
        created += len(targets)
    return created


def demo_fixed_costs(*, campaign: Campaign) -> int:
    """Give a pilot-like campaign the pilot's number list cost, once. Returns the costs created."""
    description, amount = PILOT_NUMBER_LIST
    _cost, created = CampaignFixedCost.objects.get_or_create(
        campaign=campaign, description=description, defaults={"amount": amount}
    )
    return int(created)


def results_demo_seed() -> str:
    """The demo town's population targets and the number list cost of the two pilot-like campaigns."""
    targets = demo_population_targets()
    costs = sum(
        demo_fixed_costs(campaign=campaign)
        for campaign in Campaign.objects.filter(slug__in=["pilotti", "pilotti-plus"])
    )
    return f"targets={targets} fixed_costs={costs}"
