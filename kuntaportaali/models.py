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


class LoginFailure(models.Model):
    """A login try for a user name, from wherever, recorded before its password is checked and deleted
    when the user logs in: the guesses spread over many addresses, which the per-address lockout does
    not see, slow down that user name (kuntaportaali/login_throttle.py).

    Only the name and the moment are kept, and only for LOGIN_THROTTLE_WINDOW_MINUTES."""

    username = models.CharField(_("user name"), max_length=150)
    failed_at = models.DateTimeField(_("failed at"), db_index=True)

    class Meta:
        verbose_name = _("failed login")
        verbose_name_plural = _("failed logins")
        indexes = [models.Index(fields=["username", "failed_at"], name="login_failure_username")]

    def __str__(self):
        return f"{self.username} @ {self.failed_at:%Y-%m-%d %H:%M:%S}"
