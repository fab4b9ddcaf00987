"""The HR administration pages: who may open them, and what they do."""

import re
from datetime import UTC, date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from hrreports.jobs import fetch_run_job
from hrreports.models import AbsenceType, Employee, FetchRun, Source, SupervisorAssignment, WorkUnit
from hrreports.models.fetching import RunStatus
from hrreports.services.fetch import populus_fetch
from kuntaportaali.roles import Role
from kuntaportaali.tabular.problems import problem_message
from tests.conftest import make_user
from tests.hrreports.conftest import SAMPLE_PERIOD, SAMPLES
from tests.kuntaportaali.test_heartbeat_jobs import run_worker_burst

HR = Role.HR_ADMIN


@pytest.fixture
def fetched(sample_source):
    populus_fetch(source=sample_source, period=SAMPLE_PERIOD)
    return sample_source


def object_urls(source: Source) -> list[str]:
    run = source.runs.first()
    unit = WorkUnit.objects.get(code="1010")
    employee = Employee.objects.first()
    assignment = SupervisorAssignment.objects.create(
        unit=unit, user=make_user("someone", Role.SUPERVISOR), valid_from=date(2026, 1, 1)
    )
    return [
        reverse("hrreports:source-edit", args=[source.pk]),
        reverse("hrreports:source-columns", args=[source.pk, "absences"]),
        reverse("hrreports:source-preview", args=[source.pk]),
        reverse("hrreports:source-upload", args=[source.pk]),
        reverse("hrreports:run-detail", args=[run.pk]),
        reverse("hrreports:run-status", args=[run.pk]),
        reverse("hrreports:unit-detail", args=[unit.pk]),
        reverse("hrreports:unit-edit", args=[unit.pk]),
        reverse("hrreports:employee-detail", args=[employee.pk]),
        reverse("hrreports:absence-type-edit", args=[AbsenceType.objects.first().pk]),
        reverse("hrreports:assignment-end", args=[assignment.pk]),
    ]


def test_object_pages_are_for_hr_admin_and_admin_only(client_as, fetched):
    urls = object_urls(fetched)
    for role in Role:
        client = client_as(role)
        for url in urls:
            status = client.get(url).status_code
            if url.endswith("/end/"):
                assert status == (405 if role in (Role.ADMIN, HR) else 403), (role, url)
            else:
                assert status == (200 if role in (Role.ADMIN, HR) else 403), (role, url)


def test_admin_home_links_every_hr_page(client_as, fetched):
    response = client_as(HR).get(reverse("hrreports:admin"))

    for name in ("sources", "runs", "units", "employees", "codes"):
        assert f'href="{reverse(f"hrreports:{name}")}"' in response.text
    assert "tiedostot" in response.text


def test_create_a_file_source_and_edit_its_column_map(client_as, file_root):
    client = client_as(HR)
    response = client.post(
        reverse("hrreports:source-create"),
        {
            "name": "populus-raportit",
            "kind": "files",
            "active": "on",
            "folder": "exports",
            "encoding": "windows-1252",
            "delimiter": ";",
            "has_header": "on",
            "files_employments": "ps_{yyyymm}*",
            "files_absences": "pois_{yyyymm}*",
            "files_salaries": "palkat_{yyyymm}*",
        },
    )
    source = Source.objects.get(name="populus-raportit")
    assert response.status_code == 302
    assert source.config["encoding"] == "windows-1252"
    assert source.config["files"] == {
        "units": "",
        "employments": "ps_{yyyymm}*",
        "absences": "pois_{yyyymm}*",
        "salaries": "palkat_{yyyymm}*",
    }

    response = client.post(
        reverse("hrreports:source-columns", args=[source.pk, "absences"]),
        {
            "person_number": "Hetu",
            "employment_id": "3",
            "unit_code": "Kustannuspaikka",
            "absence_code": "Koodi",
            "start": "Alku",
            "end": "Loppu",
        },
    )

    assert response.status_code == 302
    source.refresh_from_db()
    assert source.config["columns"]["absences"]["employment_id"] == 3
    assert source.config["columns"]["absences"]["person_number"] == "Hetu"


def test_an_http_source_on_a_host_not_allowed_gets_a_field_error_naming_the_setting(client_as, settings):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]

    response = client_as(HR).post(
        reverse("hrreports:source-create"),
        {"name": "sisaverkko", "kind": "http", "base_url": "http://169.254.169.254/latest", "timeout": 5, "retries": 1},
    )

    assert response.status_code == 200
    [error] = response.context["form"].errors["base_url"]
    assert "POPULUS_HTTP_ALLOWED_HOSTS" in error and "169.254.169.254" in error
    assert not Source.objects.filter(name="sisaverkko").exists()


def test_a_typed_token_that_the_form_cannot_show_again_is_asked_for_again(client_as, settings):
    """A token is never sent back to the browser; saving the form again as it came back would store the
    source without it, and its first fetch would be refused."""
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    data = {"name": "rajapinta", "kind": "http", "base_url": "https://populus.example.fi/api", "retries": 1}

    response = client_as(HR).post(reverse("hrreports:source-create"), data | {"token": "s3cret", "timeout": "0"})
    untyped = client_as(HR).post(reverse("hrreports:source-create"), data | {"timeout": "0"})

    form = response.context["form"]
    assert list(form.errors) == ["timeout", "token"]
    assert form.errors["token"] == ["Kirjoita käyttöavain uudelleen: avainta ei lähetetä takaisin selaimeen."]
    assert "s3cret" not in response.text
    assert list(untyped.context["form"].errors) == ["timeout"]
    assert not Source.objects.exists()


def test_source_outside_the_file_root_is_refused_with_the_reason(client_as, file_root):
    response = client_as(HR).post(
        reverse("hrreports:source-create"),
        {
            "name": "ulos",
            "kind": "files",
            "folder": "../..",
            "encoding": "utf-8",
            "delimiter": ";",
            "files_absences": "a",
            "files_salaries": "b",
            "files_employments": "c",
        },
    )

    assert response.status_code == 200
    assert "on sallitun tiedostokansion" in response.text
    # On the field it is about: marked invalid for a screen reader, the reason next to the folder.
    assert "on sallitun tiedostokansion" in response.context["form"].errors["folder"][0]
    assert re.search(r'<input type="text" name="folder" value="../.."[^>]*aria-invalid="true"', response.text)
    assert not Source.objects.exists()


def test_preview_shows_how_the_first_rows_map(client_as, sample_source):
    upload = SimpleUploadedFile("poissaolot.csv", (SAMPLES / "poissaolot_202603.csv").read_bytes())

    response = client_as(HR).post(
        reverse("hrreports:source-preview", args=[sample_source.pk]),
        {"report_type": "absences", "file": upload, "period": "2026-03"},
    )

    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.error is None
    assert (preview.total, preview.stored, preview.rejected_rows) == (7, 7, 0)
    # Nothing was fetched yet: the month's units and employments files are read first, as a fetch does.
    assert preview.companion_files == ["yksikot.csv", "palvelussuhteet_202603.xlsx"]
    assert "Mäkinen Aino" in response.text
    assert "column: Poissaolokoodi" in response.text or "sarake: Poissaolokoodi" in response.text
    # Each value as the page's language writes it: "kyllä" for a paid absence, never Python's "True".
    [first] = re.findall(r"<tr[^>]*>\s*<td[^>]*>010175-901V</td>.*?</tr>", response.text, re.S)[:1]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", first, re.S)
    assert cells[6:11] == ["2.3.2026", "3.3.2026", "2", "2", "kyllä"]
    assert "True" not in response.text
    assert not FetchRun.objects.exists()


def test_preview_of_a_broken_file_explains_the_problem(client_as, sample_source, settings):
    upload = SimpleUploadedFile("palkat.xlsx", b"PK\x03\x04 truncated")
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("hrreports:source-preview", args=[sample_source.pk]),
        {"report_type": "salaries", "file": upload, "period": "2026-03"},
    )

    assert "palkat.xlsx: The Excel file is damaged or truncated and cannot be read." in response.text


def test_upload_saves_the_file_where_the_fetch_finds_it(client_as, sample_source, file_root):
    data = (SAMPLES / "poissaolot_202603.csv").read_bytes()
    upload = SimpleUploadedFile("export.csv", data)

    response = client_as(HR).post(
        reverse("hrreports:source-upload", args=[sample_source.pk]),
        {"report_type": "absences", "period": "2026-04", "file": upload},
    )

    assert response.status_code == 302
    assert (file_root / "samples" / "poissaolot_202604.csv").read_bytes() == data


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ("Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Palkkakausi;Maksupäivä;Palkkalaji;Summa\n", "no data rows"),
        ((SAMPLES / "yksikot.csv").read_text(), "has no column"),
    ],
    ids=["header-only", "units-file-as-salaries"],
)
def test_an_upload_that_cannot_be_read_keeps_the_months_earlier_file(
    client_as, sample_source, file_root, settings, data, reason
):
    """The month's export delivered over SFTP was deleted for a file the fetch could not read at all."""
    earlier = (file_root / "samples" / "palkat_202603.csv").read_bytes()
    upload = SimpleUploadedFile("palkat.csv", data.encode())
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("hrreports:source-upload", args=[sample_source.pk]),
        {"report_type": "salaries", "period": "2026-03", "file": upload},
    )

    assert response.status_code == 200
    assert reason in response.text
    assert (file_root / "samples" / "palkat_202603.csv").read_bytes() == earlier


def test_starting_a_fetch_enqueues_a_job_that_a_worker_runs(
    client_as, simulator_source, rq_queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(HR).post(
            reverse("hrreports:run-create"), {"source": simulator_source.pk, "period": "2026-02"}
        )
    run = FetchRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hrreports:run-detail", args=[run.pk])
    assert run.status == RunStatus.PENDING
    assert rq_queues["populus"].count == 1

    run_worker_burst({"populus": rq_queues["populus"]})

    run.refresh_from_db()
    assert run.status == RunStatus.DONE
    status = client_as(HR).get(reverse("hrreports:run-status", args=[run.pk])).json()
    assert status["finished"] is True
    assert fetch_run_job(run.pk) == RunStatus.DONE  # delivered again: nothing happens


@pytest.mark.parametrize("written", ["2026-13", "13/2026", "3/26", "03-2026"])
def test_bad_period_is_a_form_error(client_as, simulator_source, written):
    response = client_as(HR).post(reverse("hrreports:run-create"), {"source": simulator_source.pk, "period": written})

    assert response.status_code == 400
    assert "Anna kuukausi ja vuosi, esim. 3/2026." in response.content.decode()
    assert not FetchRun.objects.exists()


@pytest.mark.parametrize("written", ["3/2026", "03/2026", " 3 / 2026 ", "2026-03"])
def test_a_month_is_read_as_people_write_it_and_as_machines_do(client_as, simulator_source, written):
    client_as(HR).post(reverse("hrreports:run-create"), {"source": simulator_source.pk, "period": written})

    assert FetchRun.objects.get().period == date(2026, 3, 1)


def test_the_fetch_form_offers_last_month_as_people_write_it(client_as, simulator_source, time_machine):
    time_machine.move_to(datetime(2026, 12, 6, 12, tzinfo=UTC))

    page = client_as(HR).get(reverse("hrreports:runs")).content.decode()

    assert 'name="period" value="11/2026"' in page


def test_run_page_lists_rejected_rows(client_as, fetched, file_root, settings):
    settings.POPULUS_REJECT_THRESHOLD = 1
    path = file_root / "samples" / "poissaolot_202603.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";102;", ";999;", 1), encoding="utf-8")
    run = populus_fetch(source=fetched, period=SAMPLE_PERIOD)

    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("hrreports:run-detail", args=[run.pk]))

    assert "unknown absence code: add it to the absence types first" in response.text
    assert "<caption>" in response.text


def test_run_counts_are_grouped_alike_on_the_list_and_the_run_page_and_the_reason_heading_is_capitalised(
    client_as, fetched, file_root, settings
):
    settings.POPULUS_REJECT_THRESHOLD = 1
    path = file_root / "samples" / "poissaolot_202603.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";102;", ";999;", 1), encoding="utf-8")
    run = populus_fetch(source=fetched, period=SAMPLE_PERIOD)
    FetchRun.objects.filter(pk=run.pk).update(rows_read=9199, rejected_count=1204)
    client = client_as(HR)

    runs = client.get(reverse("hrreports:runs"))
    detail = client.get(reverse("hrreports:run-detail", args=[run.pk]))

    assert '<td class="numeric">9\xa0199</td><td class="numeric">1\xa0204</td>' in runs.text.replace("\n", "")
    assert "<td>9\xa0199</td>" in detail.text
    [rejected_header] = re.findall(r"<thead>.*?</thead>", detail.text, re.S)[-1:]
    assert re.findall(r"<th scope=\"col\" >\s*(\S+)\s*</th>", rejected_header) == [
        "Raportti",
        "Tiedosto",
        "Rivi",
        "Kenttä",
        "Arvo",
        "Syy",
    ]


def test_unit_tree_shows_supervisors_and_assignment_works(client_as, fetched):
    supervisor = make_user("esihenkilo-x", Role.SUPERVISOR)
    unit = WorkUnit.objects.get(code="2010")
    client = client_as(HR)

    response = client.post(
        reverse("hrreports:unit-detail", args=[unit.pk]),
        {"user": supervisor.pk, "role": "deputy", "valid_from": "2026-01-01"},
    )
    assert response.status_code == 302
    tree = client.get(reverse("hrreports:units"))

    assert tree.status_code == 200
    assert "Esihenkilo-X" in tree.text
    assignment = SupervisorAssignment.objects.get(user=supervisor)
    client.post(reverse("hrreports:assignment-end", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert assignment.valid_until is not None


def test_unit_names_from_populus_are_marked_finnish_on_swedish_pages(client_as, fetched):
    """WCAG 3.1.2: Populus names the units in Finnish; on a Swedish page a screen reader reads them so."""
    client = client_as(HR)
    unit = WorkUnit.objects.get(code="1010")

    tree = client.get(reverse("hrreports:units"), HTTP_ACCEPT_LANGUAGE="sv")
    detail = client.get(reverse("hrreports:unit-detail", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE="sv")
    finnish = client.get(reverse("hrreports:unit-detail", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE="fi")

    marked = f'<span lang="fi">1010 {unit.name}</span>'
    assert f'<a href="{reverse("hrreports:unit-detail", args=[unit.pk])}">{marked}</a>' in tree.text
    assert f"<h1>{marked}</h1>" in detail.text
    child = WorkUnit.objects.get(code="101010")
    assert f'<span lang="fi">101010 {child.name}</span></a></li>' in detail.text
    assert f"<h1>1010 {unit.name}</h1>" in finnish.text


def test_employee_lookup_by_name_and_employment_id(client_as, fetched):
    client = client_as(HR)

    by_name = client.get(reverse("hrreports:employees"), {"q": "mäkinen"})
    by_id = client.get(reverse("hrreports:employees"), {"q": "2001004"})

    assert "Mäkinen Aino" in by_name.text
    assert "Lindqvist Johan" in by_id.text
    employee = Employee.objects.get(name="Mäkinen Aino")
    detail = client.get(reverse("hrreports:employee-detail", args=[employee.pk]))
    assert "3912.40" in detail.text.replace(",", ".").replace("\xa0", "")


def test_supervisor_sees_their_units_on_the_reports_page(client, fetched):
    supervisor = make_user("esihenkilo-y", Role.SUPERVISOR)
    SupervisorAssignment.objects.create(
        unit=WorkUnit.objects.get(code="1010"), user=supervisor, valid_from=date(2020, 1, 1)
    )
    client.force_login(supervisor)

    response = client.get(reverse("hrreports:reports"))

    assert [row.record.code for row in response.context["units_table"].rows] == ["1010", "101010", "101020"]


def test_code_lists_can_be_edited(client_as, db):
    client = client_as(HR)
    response = client.post(
        reverse("hrreports:absence-type-create"),
        {"code": "800", "name_fi": "Opintovapaa", "name_sv": "Studieledighet", "category": "other", "active": "on"},
    )

    assert response.status_code == 302
    assert AbsenceType.objects.get(code="800").name_sv == "Studieledighet"


def test_a_required_file_name_left_empty_is_explained(client_as, file_root):
    response = client_as(HR).post(
        reverse("hrreports:source-create"),
        {"name": "puuttuu", "kind": "files", "folder": "", "encoding": "utf-8", "delimiter": ";"},
    )

    assert response.status_code == 200
    assert response.wsgi_request.LANGUAGE_CODE == "fi"
    with translation.override("fi"):
        refusal = problem_message("source_file_name_missing", {"report": {"code": "report_employments"}})
    assert escape(refusal) in response.text
    assert response.context["form"].errors["files_employments"] == [refusal]
    assert not Source.objects.exists()


def test_run_status_names_the_stage(client_as, simulator_source, settings):
    run = FetchRun.objects.create(source=simulator_source, period=date(2026, 2, 1), stage="fetching absences")
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    status = client.get(reverse("hrreports:run-status", args=[run.pk])).json()

    assert status == {"status": "pending", "status_label": "Waiting", "stage": "Fetching: Absences", "finished": False}


def test_sources_page_queries_do_not_grow_with_sources_and_name_the_kind(client_as, fetched, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("hrreports:sources"))
    for number in range(5):
        extra = Source.objects.create(name=f"lisa-{number}", kind="simulator", config={})
        FetchRun.objects.create(source=extra, period=SAMPLE_PERIOD)
    with CaptureQueriesContext(connection) as six:
        response = client.get(reverse("hrreports:sources"))

    assert len(six.captured_queries) == len(one.captured_queries)
    assert "Export files (CSV or Excel)" in response.text
    assert "Simulator (demo data)" in response.text
    latest_runs = [row.record[1] for row in response.context["table"].rows]
    assert [run.source.name if run else None for run in latest_runs] == [
        "lisa-0",
        "lisa-1",
        "lisa-2",
        "lisa-3",
        "lisa-4",
        "tiedostot",
    ]


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(client_as, sample_source, monkeypatch):
    monkeypatch.setattr("hrreports.forms.MAX_UPLOAD_BYTES", 10)
    upload = SimpleUploadedFile("poissaolot.csv", (SAMPLES / "poissaolot_202603.csv").read_bytes())

    response = client_as(HR).post(
        reverse("hrreports:source-preview", args=[sample_source.pk]), {"report_type": "absences", "file": upload}
    )

    assert response.context["preview"] is None
    assert "Tiedosto on suurempi kuin 50 Mt." in response.text


def test_rejected_rows_name_the_field_in_the_readers_language(client_as, fetched, file_root, settings):
    settings.POPULUS_REJECT_THRESHOLD = 1
    path = file_root / "samples" / "poissaolot_202603.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(";102;", ";999;", 1), encoding="utf-8")
    run = populus_fetch(source=fetched, period=SAMPLE_PERIOD)
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("hrreports:run-detail", args=[run.pk]))

    assert ">absence code<" in response.text
    assert ">absence_code<" not in response.text


def test_the_source_form_offers_every_encoding_delimiter_and_title_rows(client_as, file_root):
    response = client_as(HR).get(reverse("hrreports:source-create"))

    form = response.context["form"]
    assert [value for value, _label in form.fields["encoding"].choices] == ["auto", "utf-8", "utf-16", "windows-1252"]
    assert [value for value, _label in form.fields["delimiter"].choices] == ["auto", ";", ",", "\t", "|"]
    assert (form.initial["encoding"], form.initial["delimiter"]) == ("auto", "auto")
    assert 'name="title_rows"' in response.text


def test_the_employee_page_shows_the_kind_and_relationship_of_each_employment(client_as, fetched, settings):
    from hrreports.models import Employment

    Employment.objects.filter(employment_id="2001001").update(kind="permanent", relationship="public_office")
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("hrreports:employee-detail", args=[Employee.objects.get(name="Mäkinen Aino").pk]))

    assert "<td >Permanent</td><td >Public office (virkasuhde)</td>" in response.text
    aino = Employment.objects.get(employment_id="2001001")
    assert f'<td ><span lang="fi">{aino.unit}</span></td><td ><span lang="fi">{aino.title}</span></td>' in response.text


def test_the_employee_page_lists_each_absence_with_the_month_whose_file_reported_it(client_as, fetched, settings):
    from hrreports.models import Absence

    absence = Absence.objects.get(employment__employment_id="2001001", start=date(2026, 3, 2))
    Absence.objects.filter(pk=absence.pk).update(working_days="1.50")
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.get(reverse("hrreports:employee-detail", args=[absence.employment.employee_id]))

    assert "<td >Mar 2026</td><td >02/03/2026</td><td >03/03/2026</td><td >2</td><td >1.5</td>" in response.text


def test_the_preview_says_what_a_fetch_would_store_and_reject_and_stores_nothing(
    client_as, fetched, file_root, settings
):
    from hrreports.models import Absence

    lines = (file_root / "samples" / "poissaolot_202603.csv").read_text(encoding="utf-8").splitlines()
    bad = [
        lines[1].replace(";101010;", ";777777;"),  # unknown unit
        lines[2].replace(";101;", ";999;"),  # unknown absence code
        lines[3].replace("16.3.2026;17.3.2026", "16.4.2026;17.4.2026"),  # April's absence in March's file
        lines[4].replace("230469-9041;", "010175-901V;"),  # employment 2001004 is Lindqvist's
        lines[5],
        lines[5],  # the same absence twice
        lines[6].replace("2.3.2026", "31.2.2026"),  # no such date
    ]
    upload = SimpleUploadedFile("poissaolot.csv", "\n".join([lines[0], *bad, lines[7]]).encode())
    before = Absence.objects.count()
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("hrreports:source-preview", args=[fetched.pk]),
        {"report_type": "absences", "file": upload, "period": "2026-03"},
    )

    preview = response.context["preview"]
    assert (preview.total, preview.stored, preview.rejected_rows) == (8, 2, 6)
    assert [(r.row, r.problem.code) for r in preview.rejected] == [
        (2, "unit_unknown"),
        (3, "absence_code_unknown"),
        (4, "absence_outside_month"),
        (5, "employment_of_another_person"),
        (7, "absence_duplicate"),
        (8, "value_not_a_real_date"),
    ]
    assert "2 rows would be stored." in response.text and "6 rows would be rejected." in response.text
    assert "A fetch would fail: more than 5 % of the rows would be rejected" in response.text
    assert "the absence 16/04/2026–17/04/2026 has no day in Mar 2026, the month fetched" in response.text
    assert Absence.objects.count() == before
    assert FetchRun.objects.count() == 1


def test_the_preview_says_so_when_the_database_refuses_the_rows(client_as, sample_source, settings, monkeypatch):
    from django.db import DataError

    def refused(**kwargs):
        raise DataError("value refused")

    monkeypatch.setattr("hrreports.services.preview.batches_store", refused)
    upload = SimpleUploadedFile("poissaolot.csv", (SAMPLES / "poissaolot_202603.csv").read_bytes())
    client = client_as(HR)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    response = client.post(
        reverse("hrreports:source-preview", args=[sample_source.pk]),
        {"report_type": "absences", "file": upload, "period": "2026-03"},
    )

    assert response.status_code == 200
    assert "The database refused the file&#x27;s rows (DataError): a fetch of it would fail too." in response.text
