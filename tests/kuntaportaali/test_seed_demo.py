import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

from hrreports.models import Alert
from hrreports.selectors import alerts_visible_to
from kuntaportaali.roles import Role, user_roles
from tests.kuntaportaali.test_settings import PRODUCTION_ENV, manage

EXPECTED = {
    "admin": Role.ADMIN,
    "kyselyvastaava": Role.SURVEY_MANAGER,
    "viestinta": Role.COMMUNICATIONS,
    "valtuutettu": Role.COUNCILLOR,
    "hrhallinto": Role.HR_ADMIN,
    "esihenkilo": Role.SUPERVISOR,
    "esihenkilo2": Role.SUPERVISOR,
}


@pytest.mark.slow
@pytest.mark.django_db
def test_seed_demo_creates_one_user_per_role_and_is_idempotent(capsys):
    call_command("seed_demo", "--password", "demo-salasana-1")
    first = capsys.readouterr().out
    alerts_after_first = Alert.objects.count()
    call_command("seed_demo", "--password", "demo-salasana-2")
    second = capsys.readouterr().out

    users = get_user_model().objects.filter(username__in=EXPECTED)
    assert users.count() == 7 == get_user_model().objects.count()
    for user in users:
        assert user_roles(user) == [EXPECTED[user.username]]
        assert user.check_password("demo-salasana-2")
        assert user.is_staff == (user.username == "admin")
    assert first.strip().splitlines()[-1] == "seed_demo: users=7 created=7 updated=0"
    assert second.strip().splitlines()[-1] == "seed_demo: users=7 created=0 updated=7"
    for username in EXPECTED:
        assert f"  {username} " in second
    assert "  two-factor login: required of admin, hr_admin, supervisor; each sets it up at the first login" in second
    # Both demo supervisors see open early-support alerts of their units at once, and re-seeding
    # raised none twice.
    for username in ("esihenkilo", "esihenkilo2"):
        assert alerts_visible_to(users.get(username=username), open_only=True).exists()
    assert Alert.objects.count() == alerts_after_first


@pytest.mark.django_db
def test_seed_demo_refuses_the_well_known_password_when_debug_is_off():
    with pytest.raises(CommandError, match="explicit --password"):
        call_command("seed_demo")
    assert not get_user_model().objects.exists()


@pytest.mark.django_db(transaction=True)
def test_production_refuses_to_seed_the_demo_before_writing_anything():
    database = connection.settings_dict
    on_this_database = {
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "REDIS_URL": os.environ["REDIS_URL"],
    }

    result = manage("seed_demo", "--password", "demo-salasana-1", env=PRODUCTION_ENV | on_this_database)

    assert result.returncode == 1
    assert "CommandError: seed_demo is for the demo and development only" in result.stderr
    assert not get_user_model().objects.exists()
