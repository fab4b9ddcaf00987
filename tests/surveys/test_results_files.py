"""Report files generated in the background: the request, the RQ job on the `reports` queue with its
progress, a job delivered twice, a failure, and the pages that start, follow and download them."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_rq import get_worker
from rq import SimpleWorker

from kuntaportaali.roles import Role
from surveys.jobs import generate_report_file
from surveys.models import ReportFile, ReportFileStatus
from surveys.reports import files
from surveys.reports.responses import anonymous_answers
from surveys.services.report_files import report_file_request
from tests.surveys.results_factory import small_campaign


@pytest.fixture
def campaign(role_users):
    return small_campaign(role_users[Role.SURVEY_MANAGER])


@pytest.mark.django_db
def test_request_enqueues_one_job_on_the_reports_queue(
    campaign, role_users, rq_queues, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = report_file_request(campaign=campaign, file_format="pdf", language="sv", by=role_users[Role.COUNCILLOR])
        again = report_file_request(campaign=campaign, file_format="pdf", language="sv", by=role_users[Role.COUNCILLOR])

    assert again == first and first.status == ReportFileStatus.PENDING
    jobs = rq_queues["reports"].jobs
    assert [(job.func_name, job.args) for job in jobs] == [("surveys.jobs.generate_report_file", (first.pk,))]


@pytest.mark.django_db
def test_building_tells_its_progress(campaign):
    seen = []

    files.report_build(campaign=campaign, file_format="xlsx", language="fi", progress=seen.append)

    assert seen == sorted(seen) and seen[0] == 5 and seen[-1] == 100
    assert 40 in seen and 65 in seen  # results computed; the summary sheets written


@pytest.mark.django_db
def test_job_builds_the_file_and_does_nothing_when_delivered_again(campaign):
    report_file = report_file_request(campaign=campaign, file_format="xlsx", language="fi", by=None)

    assert generate_report_file(report_file.pk) == "done"

    report_file.refresh_from_db()
    assert (report_file.status, report_file.progress) == ("done", 100)
    assert bytes(report_file.content).startswith(b"PK") and report_file.size == len(report_file.content)
    assert generate_report_file(report_file.pk) == "done"  # a second delivery changes nothing
    assert report_file.finished_at == ReportFile.objects.get(pk=report_file.pk).finished_at


@pytest.mark.django_db
def test_only_the_newest_finished_file_is_kept(campaign):
    older = report_file_request(campaign=campaign, file_format="pdf", language="fi", by=None)
    generate_report_file(older.pk)
    newer = report_file_request(campaign=campaign, file_format="pdf", language="fi", by=None)
    generate_report_file(newer.pk)

    assert list(ReportFile.objects.values_list("pk", flat=True)) == [newer.pk]


@pytest.mark.django_db
def test_a_failing_build_is_recorded(campaign, monkeypatch):
    report_file = report_file_request(campaign=campaign, file_format="pdf", language="fi", by=None)

    def broken(results):
        raise RuntimeError("WeasyPrint ran out of fonts")

    monkeypatch.setattr(files.pdf, "render", broken)

    assert generate_report_file(report_file.pk) == "failed"
    report_file.refresh_from_db()
    assert (report_file.status, report_file.error) == ("failed", "WeasyPrint ran out of fonts")


@pytest.mark.django_db
def test_a_failing_builds_error_is_recorded_with_numbers_masked(campaign, monkeypatch):
    report_file = report_file_request(campaign=campaign, file_format="pdf", language="fi", by=None)

    def broken(results):
        raise ValueError("No respondent +358401234567 in the weights")

    monkeypatch.setattr(files.pdf, "render", broken)

    assert generate_report_file(report_file.pk) == "failed"
    report_file.refresh_from_db()
    assert report_file.error == "No respondent +35840*****67 in the weights"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_builds_the_requested_report(role_users, rq_queues):
    campaign = small_campaign(role_users[Role.SURVEY_MANAGER], slug="tyontekija")
    with transaction.atomic():
        report_file = report_file_request(campaign=campaign, file_format="pdf", language="en", by=None)

    get_worker("reports", worker_class=SimpleWorker).work(burst=True)

    report_file.refresh_from_db()
    assert report_file.status == ReportFileStatus.DONE
    assert bytes(report_file.content).startswith(b"%PDF-")


@pytest.mark.django_db
def test_page_starts_follows_and_downloads_a_report(client_as, campaign, rq_queues, django_capture_on_commit_callbacks):
    client = client_as(Role.COUNCILLOR)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("surveys:report-file-create", args=[campaign.slug]), {"file_format": "pdf", "language": "fi"}
        )
    report_file = ReportFile.objects.get()
    status_url = reverse("surveys:report-file-status", args=[campaign.slug, report_file.pk])
    download_url = reverse("surveys:report-file", args=[campaign.slug, report_file.pk])

    assert response.status_code == 302 and response.url.endswith("#reports")
    assert client.get(status_url).json() | {"status_label": ""} == {
        "status": "pending", "status_label": "", "progress": 0, "finished": False,
    }  # fmt: skip
    page = client.get(reverse("surveys:campaign-results", args=[campaign.slug])).text
    assert f'data-status-url="{status_url}"' in page and '<progress max="100" value="0"' in page
    assert client.get(download_url).status_code == 404

    generate_report_file(report_file.pk)

    assert client.get(status_url).json()["finished"] is True
    download = client.get(download_url)
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="pieni-raportti.pdf"'
    assert download.content.startswith(b"%PDF-")
    assert download_url in client.get(reverse("surveys:campaign-results", args=[campaign.slug])).text


@pytest.mark.django_db
def test_large_campaigns_are_not_built_in_the_request(client_as, campaign, monkeypatch):
    monkeypatch.setattr(files, "DIRECT_DOWNLOAD_MAX_COMPLETES", 7)
    client = client_as(Role.COUNCILLOR)

    response = client.get(reverse("surveys:report-download", args=[campaign.slug, "pdf"]))

    assert response.status_code == 302 and response.url.endswith("#reports")
    page = client.get(reverse("surveys:campaign-results", args=[campaign.slug])).text
    assert reverse("surveys:report-download", args=[campaign.slug, "pdf"]) not in page


@pytest.mark.django_db
def test_report_files_of_another_campaign_are_not_found(client_as, campaign, role_users):
    other = small_campaign(role_users[Role.SURVEY_MANAGER], slug="toinen")
    report_file = report_file_request(campaign=other, file_format="pdf", language="fi", by=None)
    client = client_as(Role.COUNCILLOR)

    assert client.get(reverse("surveys:report-file", args=[campaign.slug, report_file.pk])).status_code == 404
    assert client.get(reverse("surveys:report-file-status", args=[campaign.slug, report_file.pk])).status_code == 404


@pytest.mark.django_db
def test_only_an_unfinished_report_row_is_followed_by_the_page_script(client_as, campaign):
    pending = report_file_request(campaign=campaign, file_format="pdf", language="fi", by=None)
    failed = report_file_request(campaign=campaign, file_format="xlsx", language="fi", by=None)
    ReportFile.objects.filter(pk=failed.pk).update(status=ReportFileStatus.FAILED, error="Levy täynnä")

    page = client_as(Role.COUNCILLOR).get(reverse("surveys:campaign-results", args=[campaign.slug])).text

    status_url = reverse("surveys:report-file-status", args=[campaign.slug, pending.pk])
    assert f'<tr data-status-url="{status_url}" class="even"><th scope="row" >PDF-raportti (suomi)</th>' in page
    assert '<tr class="odd"><th scope="row" >Excel-työkirja (suomi)</th>' in page
    assert '<span class="hint">Levy täynnä</span>' in page
    assert page.count('<progress max="100"') == 1


@pytest.mark.django_db
def test_the_responses_sheet_reads_the_responses_once(campaign):
    """Their outcomes (complete, partial...) and their rows come from one read of the responses, however
    many there are: a second read of a large campaign's responses doubled the work for nothing."""
    with CaptureQueriesContext(connection) as queries:
        answers = anonymous_answers(campaign=campaign, language="fi", weights={}, minimum=1)

    assert answers.responses
    assert sum('FROM "surveys_response"' in query["sql"] for query in queries.captured_queries) == 1
