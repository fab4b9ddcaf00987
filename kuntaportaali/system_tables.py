"""Tables of the project's own staff pages (the system status page), made with the portal's table kit."""

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .health import QueueHeartbeat
from .tables import CaptionedTable


class WorkerHeartbeatTable(CaptionedTable):
    """The system status page's queues (HealthReport.queues), each with its worker's last heartbeat."""

    label = tables.Column(verbose_name=_("Queue"))
    age = tables.Column(verbose_name=_("Seconds since last heartbeat"), default=_("never"))
    row_header = "label"

    def render_label(self, record: QueueHeartbeat) -> SafeString:
        return format_html('{} <span class="code">({})</span>', record.label, record.queue)

    class Meta(CaptionedTable.Meta):
        empty_text = _("Heartbeats cannot be read while the database is down.")
