"""Consent evidence: append-only in the model, the queryset and PostgreSQL; read and exported by admins only."""

import csv
import io
import uuid

import pytest
from django.contrib.admin.sites import site
from django.db import IntegrityError, InternalError, connection, transaction
from django.db.utils import DatabaseError
from django.urls import reverse
from openpyxl import load_workbook

from kuntaportaali.roles import Role
from surveys.errors import SurveyError
from surveys.models import ConsentEvent, ConsentKind
from surveys.services.consent import consent_record

pytestmark = pytest.mark.usefixtures("english")

INTRO_HASH = "a" * 64


@pytest.fixture
def event(campaign) -> ConsentEvent:
    return consent_record(
        kind=ConsentKind.INFORMED, channel="call", campaign=campaign, contact_ref=uuid.uuid4(), intro_hash=INTRO_HASH
    )


def test_record_appends_an_event(event, campaign):
    assert ConsentEvent.objects.get() == event
    assert (event.kind, event.channel, event.campaign, event.intro_hash) == ("informed", "call", campaign, INTRO_HASH)
    assert event.occurred_at is not None


def test_informed_needs_the_hash_of_the_introduction(campaign):
    with pytest.raises(SurveyError, match="hash of the introduction"):
        consent_record(kind=ConsentKind.INFORMED, channel="call", campaign=campaign)


@pytest.mark.parametrize(("kind", "channel"), [("maybe", "call"), ("consented", "letter")])
def test_unknown_kinds_and_channels_are_refused(db, kind, channel):
    with pytest.raises(SurveyError):
        consent_record(kind=kind, channel=channel)
    assert not ConsentEvent.objects.exists()


def test_model_refuses_change_and_delete(event):
    event.kind = ConsentKind.DECLINED
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()


def test_queryset_refuses_update_and_delete(event):
    with pytest.raises(TypeError, match="append-only"):
        ConsentEvent.objects.filter(pk=event.pk).update(kind=ConsentKind.DECLINED)
    with pytest.raises(TypeError, match="append-only"):
        ConsentEvent.objects.all().delete()


@pytest.mark.parametrize(
    "sql",
    ["UPDATE surveys_consentevent SET kind = 'declined'", "DELETE FROM surveys_consentevent"],
    ids=["update", "delete"],
)
def test_postgresql_refuses_raw_update_and_delete(event, sql):
    assert connection.vendor == "postgresql", "the suite runs on PostgreSQL"
    with (
        pytest.raises((InternalError, IntegrityError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert ConsentEvent.objects.get().kind == ConsentKind.INFORMED


def test_admin_is_read_only(event, rf, role_users):
    model_admin = site._registry[ConsentEvent]
    request = rf.get("/admin/")
    request.user = role_users[Role.ADMIN]

    assert model_admin.has_view_permission(request, event)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


def test_admin_pages_show_but_do_not_change(event, client_as):
    client = client_as(Role.ADMIN)

    assert client.get(reverse("admin:surveys_consentevent_changelist")).status_code == 200
    assert client.get(reverse("admin:surveys_consentevent_change", args=[event.pk])).status_code == 200
    assert client.get(reverse("admin:surveys_consentevent_add")).status_code == 403
    assert client.post(reverse("admin:surveys_consentevent_delete", args=[event.pk])).status_code == 403
    assert ConsentEvent.objects.count() == 1


@pytest.mark.parametrize(
    "url_name", ["surveys:consent-log", "surveys:consent-export-csv", "surveys:consent-export-xlsx"]
)
@pytest.mark.parametrize("role", list(Role))
def test_only_admin_opens_the_log_and_its_exports(client_as, event, url_name, role):
    response = client_as(role).get(reverse(url_name))

    assert response.status_code == (200 if role == Role.ADMIN else 403)


def test_log_lists_filters_and_sorts(client_as, event, make_campaign):
    other = make_campaign("toinen")
    consent_record(kind=ConsentKind.DECLINED, channel="call", campaign=other, contact_ref=uuid.uuid4())
    client = client_as(Role.ADMIN)

    everything = client.get(reverse("surveys:consent-log"))
    declined = client.get(reverse("surveys:consent-log"), {"kind": "declined"})
    by_campaign = client.get(reverse("surveys:consent-log"), {"campaign": other.pk, "sort": "kind"})

    assert len(everything.context["table"].rows) == 2
    assert [row.record.kind for row in declined.context["table"].rows] == ["declined"]
    assert [row.record.campaign for row in by_campaign.context["table"].rows] == [other]
    assert "<caption>" in everything.text
    assert 'scope="col"' in everything.text
    assert "kind=declined" in declined.text  # the download links keep the filter


@pytest.fixture
def hostile_event(make_campaign):
    campaign = make_campaign("-2-plus-3")
    return consent_record(
        kind=ConsentKind.INFORMED, channel="call", campaign=campaign, intro_hash='=HYPERLINK("http://x.example")'
    )


def test_csv_export_escapes_formula_cells(client_as, hostile_event):
    response = client_as(Role.ADMIN).get(reverse("surveys:consent-export-csv"))

    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 2
    assert rows[1][3] == "'-2-plus-3"
    assert rows[1][5] == '\'=HYPERLINK("http://x.example")'


def test_xlsx_export_has_typed_and_escaped_cells(client_as, hostile_event):
    response = client_as(Role.ADMIN).get(reverse("surveys:consent-export-xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet.auto_filter.ref == "A1:F2"
    assert sheet["A2"].is_date
    assert sheet["A2"].value.tzinfo is None
    assert sheet["D2"].value == "-2-plus-3"
    assert sheet["F2"].value == '=HYPERLINK("http://x.example")'
    assert sheet["F2"].quotePrefix
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
