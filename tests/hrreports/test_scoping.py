"""units_visible_to: a supervisor sees the units of their current assignments and all sub-units."""

from datetime import date

import pytest

from hrreports.errors import PopulusError
from hrreports.models import WorkUnit
from hrreports.models.organisation import SupervisorRole
from hrreports.selectors import units_visible_to
from hrreports.services.organisation import supervisor_assign, supervisor_assignment_end, unit_save
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.conftest import make_unit

TODAY = date(2026, 3, 15)


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


@pytest.fixture
def supervisor(db):
    return make_user("esihenkilo-test", Role.SUPERVISOR)


def test_supervisor_sees_assigned_unit_and_all_descendants(unit_tree, supervisor):
    supervisor_assign(
        unit=unit_tree["1010"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )

    assert codes(units_visible_to(supervisor, on=TODAY)) == {"1010", "101010", "101020"}


def test_deputy_sees_the_same_and_several_assignments_add_up(unit_tree, supervisor):
    supervisor_assign(unit=unit_tree["1020"], user=supervisor, role=SupervisorRole.DEPUTY, valid_from=date(2025, 1, 1))
    supervisor_assign(
        unit=unit_tree["20"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )

    assert codes(units_visible_to(supervisor, on=TODAY)) == {"1020", "20", "2010"}


def test_a_prefix_of_a_code_is_not_a_descendant(unit_tree, supervisor):
    make_unit("101")  # "/101/" must not match "/10/..." nor the other way round
    supervisor_assign(
        unit=unit_tree["10"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )

    assert "101" not in codes(units_visible_to(supervisor, on=TODAY))


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "visible"),
    [
        (date(2026, 3, 15), None, True),
        (date(2026, 3, 16), None, False),
        (date(2025, 1, 1), date(2026, 3, 15), True),
        (date(2025, 1, 1), date(2026, 3, 14), False),
    ],
)
def test_only_currently_valid_assignments_count(unit_tree, supervisor, valid_from, valid_until, visible):
    supervisor_assign(
        unit=unit_tree["2010"],
        user=supervisor,
        role=SupervisorRole.SUPERVISOR,
        valid_from=valid_from,
        valid_until=valid_until,
    )

    assert codes(units_visible_to(supervisor, on=TODAY)) == ({"2010"} if visible else set())


def test_ending_an_assignment_removes_the_scope(unit_tree, supervisor):
    assignment = supervisor_assign(
        unit=unit_tree["10"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )
    supervisor_assignment_end(assignment=assignment)

    assert not units_visible_to(supervisor).exists()


def test_hr_admin_and_admin_see_every_unit_other_roles_none(unit_tree):
    for role in (Role.HR_ADMIN, Role.ADMIN):
        assert codes(units_visible_to(make_user(f"u-{role.value}", role), on=TODAY)) == set(unit_tree)
    for role in (Role.SURVEY_MANAGER, Role.COUNCILLOR, Role.SUPERVISOR):
        assert not units_visible_to(make_user(f"u-{role.value}", role), on=TODAY).exists()


def test_inactive_or_anonymous_users_see_nothing(unit_tree, supervisor):
    from django.contrib.auth.models import AnonymousUser

    supervisor_assign(
        unit=unit_tree["10"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )
    supervisor.is_active = False

    assert not units_visible_to(supervisor, on=TODAY).exists()
    assert not units_visible_to(AnonymousUser(), on=TODAY).exists()


def test_moving_a_unit_moves_its_subtree_into_the_new_scope(unit_tree, supervisor):
    supervisor_assign(
        unit=unit_tree["20"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )
    moved = unit_tree["1010"]
    moved.parent = unit_tree["20"]
    unit_save(unit=moved)

    assert WorkUnit.objects.get(code="101020").path == "/20/1010/101020/"
    assert codes(units_visible_to(supervisor, on=TODAY)) == {"20", "2010", "1010", "101010", "101020"}


def test_a_unit_cannot_become_its_own_ancestor(unit_tree):
    top = unit_tree["10"]
    top.parent = unit_tree["101010"]

    with pytest.raises(PopulusError) as error:
        unit_save(unit=top)

    assert error.value.code == "unit_parent_cycle"


def test_scope_query_count_does_not_grow_with_assignments(unit_tree, supervisor, django_assert_max_num_queries):
    for code in ("1010", "1020", "20"):
        supervisor_assign(
            unit=unit_tree[code], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
        )

    with django_assert_max_num_queries(4):
        assert len(list(units_visible_to(supervisor, on=TODAY))) == 6


def test_records_follow_the_unit_scope(fetched_samples, supervisor):
    from hrreports.selectors import absences_visible_to, employments_visible_to, salary_payments_visible_to

    supervisor_assign(
        unit=WorkUnit.objects.get(code="1010"), user=supervisor, role=SupervisorRole.DEPUTY, valid_from=date(2025, 1, 1)
    )

    assert set(employments_visible_to(supervisor, on=TODAY).values_list("employment_id", flat=True)) == {
        "2001001",
        "2001002",
        "2001003",
    }
    assert {a.unit.code for a in absences_visible_to(supervisor, on=TODAY)} == {"101010", "101020"}
    assert salary_payments_visible_to(supervisor, on=TODAY).count() == 4
    assert not absences_visible_to(supervisor, on=date(2024, 12, 31)).exists()


@pytest.fixture
def fetched_samples(sample_source):
    from hrreports.services.fetch import populus_fetch
    from tests.hrreports.conftest import SAMPLE_PERIOD

    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)


def test_a_unit_code_with_a_slash_cannot_reach_into_another_scope(unit_tree, supervisor):
    # "/10/x/" would start with the path "/10/" of unit 10 although the unit is a root.
    with pytest.raises(PopulusError) as error:
        make_unit("10/x")

    assert error.value.code == "unit_code_slash_refused"

    assert not WorkUnit.objects.filter(code="10/x").exists()
