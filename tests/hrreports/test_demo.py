from datetime import date

from hrreports.demo import hr_demo_seed
from hrreports.models import Alert, FetchRun, SalaryPayment, Source, Subscription
from hrreports.selectors import units_visible_to
from kuntaportaali.roles import Role
from tests.conftest import make_user


def test_demo_fetches_the_last_full_months_and_assigns_two_supervisors(db):
    first = make_user("esihenkilo", Role.SUPERVISOR)
    second = make_user("esihenkilo2", Role.SUPERVISOR)
    Source.objects.create(name="simulaattori", kind="simulator", config={"seed": 3, "employees": 150})

    summary = hr_demo_seed(months=2, today=date(2026, 11, 28))
    alerts = set(Alert.objects.values_list("pk", flat=True))
    again = hr_demo_seed(months=2, today=date(2026, 11, 28))

    assert summary.startswith("source=simulaattori periods=2026-09..2026-10 ")
    assert summary.endswith("supervisors=2 subscriptions=2 failed=none")
    assert again == summary
    assert FetchRun.objects.filter(status="done").count() == 4
    assert set(SalaryPayment.objects.values_list("pay_period", flat=True)) == {date(2026, 9, 1), date(2026, 10, 1)}
    on = date(2026, 11, 1)
    mine, theirs = set(units_visible_to(first, on=on)), set(units_visible_to(second, on=on))
    subscribed = set(Subscription.objects.values_list("user__username", "unit__code"))
    assert subscribed == {("esihenkilo", "2010"), ("esihenkilo2", "3010")}
    assert mine and theirs and not mine & theirs
    formats = dict(Subscription.objects.values_list("user__username", "format"))
    assert formats == {"esihenkilo": "pdf", "esihenkilo2": "xlsx"}
    # The seeded months' early-support alerts are raised as the monthly runs would; re-seeding raises none twice.
    assert alerts and set(Alert.objects.values_list("pk", flat=True)) == alerts
    assert f" alerts={len(alerts)} " in summary
    assert set(Alert.objects.values_list("period", flat=True)) == {date(2026, 9, 1), date(2026, 10, 1)}
