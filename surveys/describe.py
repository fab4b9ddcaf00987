"""Campaign facts in words residents read: calling days, hours, the caller number, and whether the
answers are simulated."""

from django.utils.dates import WEEKDAYS
from django.utils.formats import time_format
from django.utils.translation import gettext as _

from surveys.models import Campaign
from surveys.phone_numbers import phone_display

ALL_DAYS = list(range(7))
MONDAY_TO_FRIDAY = list(range(5))


def calling_days_text(campaign: Campaign) -> str:
    days = sorted(campaign.weekdays)
    if days == ALL_DAYS:
        text = _("every day")
    elif days == MONDAY_TO_FRIDAY:
        text = _("on weekdays (Monday to Friday)")
    else:
        text = ", ".join(str(WEEKDAYS[day]) for day in days)
    if campaign.exclude_holidays:
        text = _("%(days)s, not on public holidays") % {"days": text}
    return text


def calling_hours_text(campaign: Campaign) -> str:
    return _("%(start)s-%(end)s") % {
        "start": time_format(campaign.daily_start, "TIME_FORMAT"),
        "end": time_format(campaign.daily_end, "TIME_FORMAT"),
    }


def caller_number_text(campaign: Campaign) -> str:
    return phone_display(campaign.caller_number)


def simulated_notice(campaign: Campaign) -> str:
    """What the campaign's pages and reports say first when its answers are simulated; empty when its
    calls reach real people."""
    if not campaign.is_simulated:
        return ""
    return _(
        "Simulated campaign: its calls go to the telephony simulator and its answers come from synthetic "
        "residents, not from real people."
    )
