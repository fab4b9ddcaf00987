from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkerHeartbeat(models.Model):
    """The last time a worker ran the heartbeat job of a queue.

    A stale row means that queue has no live worker, or that the cron scheduler is down.
    """

    queue = models.CharField(_("queue"), max_length=50, unique=True)
    beat_at = models.DateTimeField(_("last heartbeat"))
    worker_host = models.CharField(_("worker host"), max_length=255, blank=True)

    class Meta:
        ordering = ["queue"]
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")
        permissions = [("view_system_status", _("Can view system status and ping the workers"))]

    def __str__(self):
        return f"{self.queue} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
