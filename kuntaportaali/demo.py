"""Demo data for `manage.py seed_demo`: one user per role (later features add their own data)."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .roles import Role, user_set_roles

DEMO_PASSWORD = "kuntaportaali-demo"  # noqa: S105 (demo only: seed_demo refuses it with DEBUG off)


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: Role


DEMO_USERS = (
    DemoUser("admin", "Aino", "Ahonen", Role.ADMIN),
    DemoUser("kyselyvastaava", "Kalle", "Kivelä", Role.SURVEY_MANAGER),
    DemoUser("viestinta", "Veera", "Virtanen", Role.COMMUNICATIONS),
    DemoUser("valtuutettu", "Ville", "Valkama", Role.COUNCILLOR),
    DemoUser("hrhallinto", "Hanna", "Heikkilä", Role.HR_ADMIN),
    DemoUser("esihenkilo", "Eero", "Eskola", Role.SUPERVISOR),
    DemoUser("esihenkilo2", "Elina", "Erkkilä", Role.SUPERVISOR),
)


@transaction.atomic
def demo_users_seed(*, password: str) -> tuple[int, int]:
    """Create or reset the demo users; returns (created, updated)."""
    User = get_user_model()
    created_count = 0
    for demo in DEMO_USERS:
        user, created = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@demo.kuntaportaali.invalid",
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        user_set_roles(user=user, roles=[demo.role])
        created_count += created
    return created_count, len(DEMO_USERS) - created_count
