"""The consent evidence log for administrators: read, filter, download. Nothing here changes it."""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tables2 import RequestConfig

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.downloads import attachment, file_name
from kuntaportaali.spreadsheets import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Column,
    csv_bytes,
    xlsx_bytes,
)
from surveys.filters import ConsentEventFilter
from surveys.models import ConsentEvent
from surveys.tables import ConsentEventTable

EVENTS_PER_PAGE = 50
view_consent = staff_permission_required("surveys.view_consentevent")


def _filtered(request) -> ConsentEventFilter:
    return ConsentEventFilter(request.GET or None, queryset=ConsentEvent.objects.select_related("campaign"))


@view_consent
def consent_log(request):
    events = _filtered(request)
    table = ConsentEventTable(events.qs, caption=_("Consent events"))
    RequestConfig(request, paginate={"per_page": EVENTS_PER_PAGE}).configure(table)
    query = events.form.data.urlencode() if events.is_bound else ""
    return render(request, "surveys/consent/log.html", {"filter": events, "table": table, "query": query})


def _export_columns() -> list[Column]:
    return [
        Column(_("Time (Helsinki)"), width=20),
        Column(_("Event"), width=14),
        Column(_("Channel"), width=10),
        Column(_("Campaign"), width=24),
        Column(_("Pseudonymous contact"), width=38),
        Column(_("Introduction hash"), width=66),
    ]


def _export_rows(request):
    for event in _filtered(request).qs.order_by("occurred_at", "pk").iterator(chunk_size=2_000):
        yield [
            event.occurred_at,
            event.get_kind_display(),
            event.get_channel_display(),
            event.campaign.slug if event.campaign else "",
            str(event.contact_ref) if event.contact_ref else "",
            event.intro_hash,
        ]


def _download(content: bytes, content_type: str, extension: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y-%m-%d-%H%M")
    name = file_name(pgettext("file name", "consent-events"), stamp, extension=extension)
    return attachment(content, content_type=content_type, filename=name)


@view_consent
def consent_export_csv(request):
    return _download(csv_bytes(columns=_export_columns(), rows=_export_rows(request)), CSV_CONTENT_TYPE, "csv")


@view_consent
def consent_export_xlsx(request):
    content = xlsx_bytes(title=_("Consent events"), columns=_export_columns(), rows=_export_rows(request))
    return _download(content, XLSX_CONTENT_TYPE, "xlsx")
