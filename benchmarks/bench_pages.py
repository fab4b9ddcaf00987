"""Request latency of the pages every visitor and monitor hits: /healthz, the front page and the
staff home of the role with the most sections. Figures go to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kuntaportaali python -m benchmarks.bench_pages
"""

from benchmarks.harness import benchmark_database, describe_machine, measure, setup_django


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from kuntaportaali.models import WorkerHeartbeat
    from kuntaportaali.roles import Role, user_set_roles

    with benchmark_database():
        for queue in settings.WORKER_QUEUES:
            WorkerHeartbeat.objects.update_or_create(queue=queue, defaults={"beat_at": timezone.now()})
        admin = get_user_model().objects.create_user("bench-admin")
        user_set_roles(user=admin, roles=[Role.ADMIN])
        anonymous, signed_in = Client(), Client()
        signed_in.force_login(admin)

        print(describe_machine())
        measure("GET /healthz (database, Redis, heartbeats)", lambda: anonymous.get("/healthz"), repeat=200)
        measure("GET / (residents' front page)", lambda: anonymous.get("/"), repeat=200)
        measure("GET /staff/ as admin (all sections)", lambda: signed_in.get("/staff/"), repeat=200)


if __name__ == "__main__":
    main()
