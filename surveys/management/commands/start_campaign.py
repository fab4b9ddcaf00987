from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from surveys.errors import LaunchRefused, SurveyError
from surveys.models import Campaign, LaunchChecklist
from surveys.services.campaigns import campaign_launch_problems, campaign_start


class Command(BaseCommand):
    help = "Start a campaign through the launch gate; lists every unmet condition and exits 1 when refused."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The campaign's short name.")
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="Who starts it, for the status history (default: whoever confirmed the launch checklist).",
        )

    def handle(self, *args, slug, by=None, **options):
        campaign = Campaign.objects.filter(slug=slug).first()
        if campaign is None:
            raise CommandError(f"No campaign called {slug!r}.")
        problems = campaign_launch_problems(campaign=campaign)
        if problems and campaign.status != "paused":
            self._refuse(slug, problems)
        user = self._starter(campaign, by)
        try:
            campaign = campaign_start(campaign=campaign, by=user)
        except LaunchRefused as refusal:
            self._refuse(slug, refusal.problems)
        except SurveyError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"campaign={campaign.slug} status={campaign.status} by={user.get_username()}")

    def _starter(self, campaign, username):
        if username:
            user = get_user_model().objects.filter(username=username, is_active=True).first()
            if user is None:
                raise CommandError(f"No active user called {username!r}.")
            if not user.has_perm("surveys.manage_surveys"):
                raise CommandError(f"User {username!r} may not start campaigns (no survey manager role).")
            return user
        return LaunchChecklist.objects.get(campaign=campaign).confirmed_by

    def _refuse(self, slug, problems):
        for problem in problems:
            self.stderr.write(f"- {problem}")
        self.stdout.write(f"campaign={slug} status=refused problems={len(problems)}")
        raise SystemExit(1)
