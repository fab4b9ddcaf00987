"""A refusal of the HR services that is about one field is shown on that field, as the form's own errors
are: the field is marked invalid and described by the reason, and the summary of errors links to it.
At the top of the form instead, the user had to find the field themselves (WCAG 3.3.1)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from hrreports.models.organisation import SupervisorRole
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.error_summary import assert_errors_summarised

HR = Role.HR_ADMIN


@pytest.fixture(autouse=True)
def finnish():
    with translation.override("fi"):
        yield


def refused_at(response, field: str) -> None:
    """The response is the form again, its only error at `field`, summarised and linked to it."""
    errors = response.context["form"].errors
    assert list(errors) == [field], errors
    assert_errors_summarised(response.content.decode(), {f"id_{field}": errors[field][0]})


def test_a_teams_address_on_a_host_not_allowed_is_refused_at_the_address(client_as, unit_tree):
    response = client_as(HR).post(
        reverse("hrreports:teams-channel-create"),
        {"unit": unit_tree["1010"].pk, "webhook_url": "https://hooks.example.com/x", "active": "on"},
    )

    refused_at(response, "webhook_url")


def test_an_upload_of_a_file_kind_the_source_does_not_read_is_refused_at_the_file(client_as, sample_source):
    upload = SimpleUploadedFile("poissaolot.pdf", b"%PDF-1.7")

    response = client_as(HR).post(
        reverse("hrreports:source-upload", args=[sample_source.pk]),
        {"report_type": "absences", "period": "2026-04", "file": upload},
    )

    refused_at(response, "file")


def test_a_column_named_when_the_files_have_no_header_is_refused_at_that_column(client_as, sample_source):
    sample_source.config = {**sample_source.config, "has_header": False}
    sample_source.save(update_fields=["config"])
    columns = {"code": "1", "name": "Nimi", "parent_code": "", "active": ""}

    response = client_as(HR).post(reverse("hrreports:source-columns", args=[sample_source.pk, "units"]), columns)

    refused_at(response, "name")


def test_a_subscription_to_a_unit_the_user_does_not_supervise_is_refused_at_the_unit(client_as, unit_tree):
    supervisor = make_user("esihenkilo", Role.SUPERVISOR)
    supervisor_assign(
        unit=unit_tree["1010"], user=supervisor, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1)
    )

    response = client_as(HR).post(
        reverse("hrreports:subscription-create"),
        {
            "user": supervisor.pk,
            "unit": unit_tree["2010"].pk,
            "reports": ["absences"],
            "format": "link",
            "language": "fi",
            "active": "on",
        },
    )

    refused_at(response, "unit")
