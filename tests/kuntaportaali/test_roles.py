import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from kuntaportaali.roles import ROLE_PERMISSIONS, Role, roles_sync, user_set_roles
from tests.conftest import make_user


def group_permissions(role: Role) -> set[str]:
    group = Group.objects.get(name=role.value)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


@pytest.mark.django_db
def test_migrations_create_every_role_group_with_its_permissions():
    assert set(Group.objects.values_list("name", flat=True)) >= {role.value for role in Role}
    for role, wanted in ROLE_PERMISSIONS.items():
        if role is not Role.ADMIN:
            assert group_permissions(role) == set(wanted)


@pytest.mark.django_db
def test_admin_group_holds_every_permission():
    admin_perms = group_permissions(Role.ADMIN)

    assert {"auth.change_user", "django_rq.admin", "axes.delete_accessattempt"} <= admin_perms
    assert all(set(wanted) <= admin_perms for wanted in ROLE_PERMISSIONS.values() if isinstance(wanted, tuple))


@pytest.mark.django_db
def test_sync_restores_a_tampered_group():
    councillor = Group.objects.get(name=Role.COUNCILLOR.value)
    councillor.permissions.clear()
    Group.objects.filter(name=Role.SUPERVISOR.value).delete()

    roles_sync()

    assert group_permissions(Role.COUNCILLOR) == {"surveys.view_results"}
    assert group_permissions(Role.SUPERVISOR) == {"hrreports.view_unit_reports"}


@pytest.mark.django_db
def test_sync_roles_command_prints_one_line_summary(capsys):
    call_command("sync_roles")
    call_command("sync_roles")

    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1].startswith("sync_roles: groups=6 permissions: admin=")
    assert "councillor=1 hr_admin=3 supervisor=1" in lines[-1]
    assert Group.objects.filter(name__in=[r.value for r in Role]).count() == 6


@pytest.mark.django_db
def test_only_administrators_are_staff():
    user = make_user("alice", Role.SURVEY_MANAGER)
    assert not user.is_staff

    user_set_roles(user=user, roles=[Role.SURVEY_MANAGER, Role.ADMIN])
    assert user.is_staff

    user_set_roles(user=user, roles=[Role.COUNCILLOR])
    assert not user.is_staff


@pytest.mark.django_db
def test_staff_flag_without_admin_role_does_not_open_django_admin(client):
    user = make_user("sneaky", Role.HR_ADMIN)
    user.is_staff = True
    user.save()
    client.force_login(user)

    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/django_rq/dashboard/").status_code == 302


@pytest.mark.django_db
def test_granting_admin_role_in_django_admin_makes_user_staff(client_as):
    client = client_as(Role.ADMIN)
    target = make_user("newcomer")
    admin_group = Group.objects.get(name=Role.ADMIN.value)

    response = client.post(
        f"/admin/auth/user/{target.pk}/change/",
        {
            "username": "newcomer",
            "first_name": "New",
            "last_name": "Comer",
            "email": "newcomer@example.invalid",
            "is_active": "on",
            "groups": [admin_group.pk],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "12:00:00",
        },
    )

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.is_staff


@pytest.mark.django_db(transaction=True)
def test_flushing_the_database_brings_the_role_groups_back():
    call_command("flush", "--noinput", verbosity=0)

    assert group_permissions(Role.SUPERVISOR) == {"hrreports.view_unit_reports"}
    assert "auth.change_user" in group_permissions(Role.ADMIN)
