"""HR demo data for `manage.py seed_demo`: the simulator source, the last full months fetched from
it, their early-support alerts, and the demo supervisors assigned to different units. Idempotent:
re-running re-fetches (an upsert) and raises no alert twice."""

from datetime import date

from django.contrib.auth import get_user_model
from django.utils import timezone

from .models import Alert, Source, Subscription, SupervisorAssignment, WorkUnit
from .models.delivery import DeliveryFormat, ReportKind
from .models.fetching import RunStatus, RunTrigger
from .models.organisation import SupervisorRole
from .periods import period_label, period_last_full, period_shift
from .services.delivery import subscription_save
from .services.early_support import alerts_evaluate, rule_defaults_ensure
from .services.fetch import populus_fetch
from .sources.simulator import SimulatorSource

DEMO_SOURCE = "simulaattori"
# Two level-2 units in different divisions: a school and a day-care centre; one supervisor gets the
# reports as PDF attachments, the other as Excel, so the demo's mails in var/mail/ show both.
DEMO_SUPERVISORS = (("esihenkilo", "2010", DeliveryFormat.PDF), ("esihenkilo2", "3010", DeliveryFormat.XLSX))


def hr_demo_seed(*, months: int = 3, today: date | None = None) -> str:
    """Configure the simulator, fetch the last `months` full months and raise their early-support
    alerts month by month (as the monthly runs would have), assign the demo supervisors and subscribe
    them to their units' monthly reports."""
    source, _created = Source.objects.get_or_create(
        name=DEMO_SOURCE, defaults={"kind": SimulatorSource.kind, "config": SimulatorSource.config_defaults()}
    )
    last = period_last_full(today or timezone.localdate())
    periods = [period_shift(last, -offset) for offset in reversed(range(months))]
    totals = {"absences": 0, "salaries": 0, "employments": 0}
    failed = []
    for period in periods:
        run = populus_fetch(source=source, period=period, trigger=RunTrigger.DEMO)
        if run.status != RunStatus.DONE:
            failed.append(period_label(period))
        for report in totals:
            totals[report] += run.count(report)
    rule_defaults_ensure()
    for period in periods:
        alerts_evaluate(period=period)
    users = get_user_model().objects.in_bulk(
        [username for username, _code, _format in DEMO_SUPERVISORS], field_name="username"
    )
    assigned = 0
    for username, code, delivery_format in DEMO_SUPERVISORS:
        unit = WorkUnit.objects.filter(code=code).first()
        if unit is None or username not in users:
            continue
        SupervisorAssignment.objects.get_or_create(
            unit=unit, user=users[username], role=SupervisorRole.SUPERVISOR, defaults={"valid_from": periods[0]}
        )
        assigned += 1
        if not Subscription.objects.filter(user=users[username], unit=unit).exists():
            subscription_save(user=users[username], unit=unit, reports=list(ReportKind.values), format=delivery_format)
    return (
        f"source={source.name} periods={period_label(periods[0])}..{period_label(periods[-1])} "
        f"absences={totals['absences']} salaries={totals['salaries']} employments={totals['employments']} "
        f"alerts={Alert.objects.count()} "
        f"supervisors={assigned} subscriptions={Subscription.objects.count()} failed={','.join(failed) or 'none'}"
    )
