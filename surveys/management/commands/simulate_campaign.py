import json

from django.core.management.base import BaseCommand, CommandError

from surveys.models import Campaign, CampaignStatus
from surveys.services.synthetic_contacts import synthetic_contacts_add
from surveys.simulation import simulate
from surveys.simulation_report import simulation_report


class Command(BaseCommand):
    help = (
        "Run a running campaign from its first to its last calling day on a virtual clock, through the "
        "simulator carrier, the real dialer and the real webhook views, and print its funnel (its completes are "
        "AAPOR's complete interviews, at least 80 % of the questions that applied answered, as the results count "
        "them). With --json the "
        "summary also holds the completes by age group and by mode (phone, web), the text messages sent, the cost "
        "and, per opinion question, the truth of the "
        "synthetic population against the unweighted and weighted estimates (see surveys.simulation_report)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--campaign", required=True, metavar="SLUG", help="Short name of a running campaign.")
        parser.add_argument("--contacts", type=int, default=0, metavar="N", help="First add N synthetic contacts.")
        parser.add_argument("--seed", type=int, default=1, metavar="S", help="Seed of the synthetic population.")
        parser.add_argument("--json", dest="as_json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, campaign: str, contacts: int, seed: int, as_json: bool, **options):
        found = Campaign.objects.filter(slug=campaign).first()
        if found is None:
            raise CommandError(f"No campaign has the short name {campaign!r}.")
        if found.status != CampaignStatus.RUNNING:
            raise CommandError(f"Campaign {campaign!r} is {found.status}: start it first (start_campaign {campaign}).")
        if found.telephony_provider != "simulator":
            raise CommandError(f"Campaign {campaign!r} calls through {found.telephony_provider!r}, not the simulator.")
        if contacts:
            synthetic_contacts_add(campaign=found, count=contacts, seed=seed)
        result = simulate(found, seed=seed)
        if as_json:
            self.stdout.write(json.dumps(result.as_dict() | simulation_report(found, seed=seed).as_dict()))
        else:
            self.stdout.write(result.summary_line())
