"""RQ jobs of the portal itself. Jobs stay thin: they call a service."""

from .heartbeat import heartbeat_record


def heartbeat(queue: str) -> None:
    heartbeat_record(queue=queue)
