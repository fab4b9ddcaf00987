"""django-tables2 tables of the surveys app, rendered with a caption and column-scoped headers."""

from dataclasses import dataclass
from datetime import date

import django_tables2 as tables
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kuntaportaali.language_parts import in_language
from kuntaportaali.tables import EMPTY_CELL, CaptionedTable
from kuntaportaali.tabular.problems import problem_message
from kuntaportaali.templatetags.portal_format import number
from surveys.models import (
    Campaign,
    CampaignStatusChange,
    ConsentEvent,
    ContactImport,
    ReportFile,
    SurveyVersion,
)
from surveys.services.announcements import ChannelPlan, LanguagePublication

HASH_SHOWN = 12


def link_with_tags(url: str, text: str, tags: list[str]) -> SafeString:
    """A link followed by the tags that set its row apart (a simulated campaign, a demo window)."""
    tag_spans = format_html_join("", ' <span class="tag">{}</span>', ((tag,) for tag in tags))
    return format_html('<a href="{}">{}</a>{}', url, text, tag_spans)


def calling_days(campaign: Campaign) -> str:
    first, last = (date_format(day, "SHORT_DATE_FORMAT") for day in (campaign.start_date, campaign.end_date))
    return f"{first}–{last}"


class ActionsColumn(tables.TemplateColumn):
    """A column of buttons that name themselves, so its heading is for screen readers only."""

    @property
    def header(self) -> SafeString:
        return format_html('<span class="visually-hidden">{}</span>', self.verbose_name)


def problem_reason(problem: dict) -> str:
    """An invalid row's reason in the reader's language (imports before reasons had codes stored their text)."""
    if "code" in problem:
        return problem_message(problem["code"], problem.get("params"))
    return problem.get("reason", "")


class ContactImportProblemTable(CaptionedTable):
    """The rows of one contact file that were left out as invalid (from ContactImport.problems)."""

    row = tables.Column(verbose_name=_("Row"), attrs={"td": {"class": "numeric"}})
    column = tables.Column(verbose_name=_("Column"), default=EMPTY_CELL)
    value = tables.Column(verbose_name=_("Value"), empty_values=())
    reason = tables.Column(verbose_name=_("Reason"), accessor=tables.A("row"), empty_values=())

    def render_reason(self, record: dict) -> str:
        return problem_reason(record)

    class Meta(CaptionedTable.Meta):
        empty_text = _("No invalid rows.")


class ContactImportTable(CaptionedTable):
    imported_at = tables.DateTimeColumn(
        verbose_name=_("Imported"),
        linkify=("surveys:contact-import", {"slug": tables.A("campaign__slug"), "pk": tables.A("pk")}),
    )
    filename = tables.Column(verbose_name=_("File"))
    imported_by = tables.Column(verbose_name=_("By"), default=EMPTY_CELL)
    status = tables.Column(verbose_name=_("Status"))
    rows_read = tables.Column(verbose_name=_("Rows"))
    imported = tables.Column(verbose_name=_("Imported contacts"))
    duplicates = tables.Column(verbose_name=_("Duplicates"))
    invalid = tables.Column(verbose_name=_("Invalid"))
    opted_out = tables.Column(verbose_name=_("On the do-not-call registry"))

    class Meta(CaptionedTable.Meta):
        model = ContactImport
        fields = (
            "imported_at",
            "filename",
            "imported_by",
            "status",
            "rows_read",
            "imported",
            "duplicates",
            "invalid",
            "opted_out",
        )
        empty_text = _("No contact files have been imported into this campaign.")


class ConsentEventTable(CaptionedTable):
    occurred_at = tables.DateTimeColumn(verbose_name=_("Time"))
    kind = tables.Column(verbose_name=_("Event"))
    channel = tables.Column(verbose_name=_("Channel"))
    campaign = tables.Column(verbose_name=_("Campaign"), order_by=("campaign__slug",), default=EMPTY_CELL)
    contact_ref = tables.Column(verbose_name=_("Pseudonymous contact"), default=EMPTY_CELL)
    intro_hash = tables.Column(verbose_name=_("Introduction hash"), default=EMPTY_CELL)

    def render_intro_hash(self, value: str) -> str:
        # The start identifies the introduction on screen; the exports carry the whole hash.
        return f"{value[:HASH_SHOWN]}\u2026" if len(value) > HASH_SHOWN else value

    class Meta(CaptionedTable.Meta):
        model = ConsentEvent
        fields = ("occurred_at", "kind", "channel", "campaign", "contact_ref", "intro_hash")
        orderable = True
        order_by = ("-occurred_at",)
        empty_text = _("No consent events match.")


class SurveyTable(CaptionedTable):
    """The editor's surveys (selectors.surveys_for_editor), each named by its current version's title."""

    title = tables.Column(
        verbose_name=_("Survey"),
        accessor="current_version__title_fi",
        linkify=("surveys:survey", {"slug": tables.A("slug")}),
    )
    organiser = tables.Column(verbose_name=_("Organiser"))
    version = tables.Column(verbose_name=_("Version"), accessor="current_version")
    campaign_count = tables.Column(verbose_name=_("Campaigns"))
    row_header = "title"

    # Staff pages name a survey by its Finnish title and organiser (the columns without a suffix are Finnish).
    def render_title(self, value: str) -> str:
        return in_language(value, "fi")

    def render_organiser(self, value: str) -> str:
        return in_language(value, "fi")

    def render_version(self, value: SurveyVersion) -> str:
        return f"{value.number} ({gettext('frozen')})" if value.is_frozen else str(value.number)

    class Meta(CaptionedTable.Meta):
        pass


class AnnouncedCampaignTable(CaptionedTable):
    """The campaigns whose pre-announcements the communications team prepares."""

    name = tables.Column(
        verbose_name=_("Campaign"), linkify=("surveys:campaign-announcements", {"slug": tables.A("slug")})
    )
    start_date = tables.DateColumn(verbose_name=_("First calling day"))
    is_public = tables.Column(verbose_name=_("Questions on the residents' page"))
    row_header = "name"

    def render_name(self, value: str) -> str:
        return in_language(value, "fi")

    def render_is_public(self, value: bool) -> str:
        return gettext("published") if value else gettext("not published")

    class Meta(CaptionedTable.Meta):
        pass


class CampaignTable(CaptionedTable):
    """The calling campaigns of the survey managers' list (selectors.campaigns_for_staff)."""

    name = tables.Column(verbose_name=_("Campaign"))
    survey_version = tables.Column(verbose_name=_("Survey"))
    calling_days = tables.Column(verbose_name=_("Calling days"), accessor="start_date")
    contact_count = tables.Column(verbose_name=_("Numbers"))
    status = tables.Column(verbose_name=_("Status"))
    row_header = "name"

    def render_name(self, record: Campaign) -> SafeString:
        tags = []
        if record.is_simulated:
            tags.append(gettext("simulated"))
        if record.calls_at_any_hour:
            tags.append(gettext("demo"))
        return link_with_tags(reverse("surveys:campaign", args=[record.slug]), in_language(record.name, "fi"), tags)

    def render_calling_days(self, record: Campaign) -> str:
        return calling_days(record)

    def render_contact_count(self, value: int) -> str:
        return number(value)

    def render_status(self, record: Campaign) -> SafeString:
        return format_html('<span class="status status--{}">{}</span>', record.status, record.get_status_display())

    class Meta(CaptionedTable.Meta):
        pass


class PublishableCampaignTable(CaptionedTable):
    """Completed campaigns whose results summary may go on the residents' page (campaigns_for_publication)."""

    name = tables.Column(verbose_name=_("Campaign"))
    calling_days = tables.Column(verbose_name=_("Calling days"), accessor="start_date")
    complete_count = tables.Column(
        verbose_name=_("Complete answers"), attrs={"th": {"class": "num"}, "td": {"class": "num"}}
    )
    summary_published = tables.Column(verbose_name=_("Summary on the residents' page"))
    row_header = "name"

    def render_name(self, record: Campaign) -> SafeString:
        tags = [gettext("simulated")] if record.is_simulated else []
        return link_with_tags(reverse("surveys:summary", args=[record.slug]), in_language(record.name, "fi"), tags)

    def render_calling_days(self, record: Campaign) -> str:
        return calling_days(record)

    def render_complete_count(self, value: int) -> str:
        return number(value)

    def render_summary_published(self, value: bool) -> str:
        return gettext("published") if value else gettext("not published")

    class Meta(CaptionedTable.Meta):
        pass


class CampaignStatusChangeTable(CaptionedTable):
    """A campaign's status history, oldest change first."""

    changed_at = tables.DateTimeColumn(verbose_name=_("Time"))
    change = tables.Column(verbose_name=_("Change"), accessor="to_status")
    changed_by = tables.Column(verbose_name=_("By"), default=_("the portal"))
    note = tables.Column(verbose_name=_("Reason"), default=EMPTY_CELL)

    def render_change(self, record: CampaignStatusChange) -> str:
        if record.from_status:
            return f"{record.get_from_status_display()} → {record.get_to_status_display()}"
        return record.get_to_status_display()

    class Meta(CaptionedTable.Meta):
        pass


class FixedCostTable(CaptionedTable):
    """A campaign's costs besides the calls, each with its remove button."""

    description = tables.Column(verbose_name=_("Description"))
    amount = tables.Column(verbose_name=_("Amount (EUR)"))
    created_by = tables.Column(verbose_name=_("Added by"), default=EMPTY_CELL)
    actions = ActionsColumn(
        verbose_name=_("Actions"), template_name="surveys/results_settings/_cost_remove.html", empty_values=()
    )

    class Meta(CaptionedTable.Meta):
        pass


@dataclass(frozen=True)
class AnnouncementRow:
    """A channel's pre-announcement in one language of the survey, with what its cells say of it."""

    channel: ChannelPlan
    publication: LanguagePublication
    deadline: date  # announcement_deadline: published after it, the announcement is late
    out_of_date: bool  # the campaign's facts changed after its text was written


def announcement_rows(plan: list[ChannelPlan], *, deadline: date, out_of_date_ids: set[int]) -> list[AnnouncementRow]:
    return [
        AnnouncementRow(channel, publication, deadline, publication.announcement.pk in out_of_date_ids)
        for channel in plan
        for publication in channel.languages
    ]


class AnnouncementTable(CaptionedTable):
    """A campaign's pre-announcements by channel and language (announcement_rows), each row marked
    with its channel and language, its publication cell with its state."""

    channel = tables.Column(
        verbose_name=_("Channel"),
        accessor="channel__label",
        linkify=lambda record: reverse("surveys:announcement", args=[record.publication.announcement.pk]),
    )
    language = tables.Column(verbose_name=_("Language"), accessor="publication__language_name")
    planned = tables.Column(verbose_name=_("Planned"), accessor="channel__planned")
    published = tables.TemplateColumn(
        verbose_name=_("Published"),
        template_name="surveys/announcements/_published_cell.html",
        attrs={"td": {"data-state": lambda record: record.publication.state}},
        empty_values=(),
    )
    facts = tables.TemplateColumn(
        verbose_name=_("Campaign facts"),
        template_name="surveys/announcements/_facts_cell.html",
        empty_values=(),
    )
    row_header = "channel"

    def render_planned(self, value: bool) -> str:
        return gettext("planned") if value else gettext("not planned")

    class Meta(CaptionedTable.Meta):
        row_attrs = {
            "data-channel": lambda record: record.channel.channel.value,
            "data-language": lambda record: record.publication.language,
        }


def report_file_status_url(record: ReportFile) -> str | None:
    """Where report-files.js asks how an unfinished report is getting on (a finished one is not asked)."""
    if record.is_finished:
        return None
    return reverse("surveys:report-file-status", args=[record.campaign.slug, record.pk])


class ReportFileTable(CaptionedTable):
    """A campaign's reports generated in the background (report_files_latest), followed by report-files.js
    through their rows' status URLs."""

    report = tables.Column(verbose_name=_("Report"), accessor="file_format")
    status = tables.TemplateColumn(verbose_name=_("Status"), template_name="surveys/results/_report_file_status.html")
    requested = tables.TemplateColumn(
        verbose_name=_("Requested"),
        accessor="created_at",
        template_code=(
            '{{ record.created_at|date:"SHORT_DATETIME_FORMAT" }}'
            "{% if record.created_by %}, {{ record.created_by }}{% endif %}"
        ),
    )
    file = tables.TemplateColumn(
        verbose_name=_("File"), template_name="surveys/results/_report_file_link.html", empty_values=()
    )
    row_header = "report"

    def render_report(self, record: ReportFile) -> str:
        return f"{record.get_file_format_display()} ({record.get_language_display()})"

    class Meta(CaptionedTable.Meta):
        attrs = {"class": "table report-files"}
        row_attrs = {"data-status-url": report_file_status_url}
