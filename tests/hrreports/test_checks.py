"""The system check that names the Populus sources a site would refuse to fetch (the demo's simulator in production)."""

from django.core import checks

from hrreports.models import Source


def demo_kinds_left_out(settings) -> None:
    settings.POPULUS_SOURCE_KINDS = {
        kind: path for kind, path in settings.POPULUS_SOURCE_KINDS.items() if kind != "simulator"
    }


def source_warnings(**kwargs) -> list[checks.CheckMessage]:
    return [message for message in checks.run_checks(**kwargs) if message.id == "hrreports.W001"]


def test_a_simulator_source_of_a_site_that_offers_none_is_named_with_what_to_do(simulator_source, settings):
    Source.objects.create(name="vanha-demo", kind="simulator", active=False, config={})
    demo_kinds_left_out(settings)

    [warning] = source_warnings(databases=["default"])

    assert warning.level == checks.WARNING
    assert warning.msg == (
        "Populus sources of a kind this site does not fetch: simulaattori (simulator, active), "
        "vanha-demo (simulator). Every fetch of them fails."
    )
    assert "HR administration" in warning.hint
