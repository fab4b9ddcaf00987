"""Configuring sources: settings per kind, the token, column maps."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from hrreports.errors import PopulusError
from hrreports.models import Source
from hrreports.services.sources import source_columns_set, source_save
from kuntaportaali.credentials import credential_decrypt
from kuntaportaali.roles import Role


def test_http_source_keeps_its_token_when_the_form_leaves_it_empty(db, settings):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    settings = {"base_url": "https://populus.example.fi/api", "token": "abc", "timeout": 5, "retries": 2}
    source = source_save(source=None, name="rajapinta", kind="http", active=True, settings=settings)

    source = source_save(source=source, name="rajapinta", kind="http", active=False, settings=settings | {"token": ""})

    assert credential_decrypt(source.config["token_encrypted"], what="the token") == "abc"
    assert source.config["timeout"] == 5
    assert source.active is False


@pytest.mark.parametrize(
    ("kind", "values", "code", "params"),
    [
        ("http", {"base_url": "ftp://populus"}, "source_endpoint_address_invalid", {}),
        ("files", {"encoding": "latin-9"}, "source_encoding_unknown", {}),
        ("files", {"delimiter": ":"}, "source_delimiter_unknown", {}),
        ("files", {"title_rows": 51}, "source_title_rows_out_of_range", {"limit": 50}),
        ("simulator", {"employees": 0}, "source_simulated_size_out_of_range", {}),
        ("sftp", {}, "source_kind_unknown", {"kind": "sftp", "known": "files, http, simulator"}),
    ],
)
def test_bad_settings_are_refused_with_the_reason(db, file_root, kind, values, code, params):
    with pytest.raises(PopulusError) as error:
        source_save(source=None, name="x", kind=kind, active=True, settings=values)

    assert (error.value.code, error.value.params) == (code, params)


def test_a_folder_outside_the_file_root_is_refused(db, file_root, english):
    with pytest.raises(PopulusError, match="outside the permitted file root") as error:
        source_save(source=None, name="x", kind="files", active=True, settings={"folder": "../../etc"})

    assert error.value.code == "folder_outside_root"


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"employments": "../palvelussuhteet*"}, "source_file_name_not_plain"),
        ({"employments": ""}, "source_file_name_missing"),
    ],
)
def test_a_file_name_names_its_report_in_the_readers_language(db, file_root, files, code):
    with pytest.raises(PopulusError) as error:
        source_save(source=None, name="x", kind="files", active=True, settings={"files": files})

    assert (error.value.code, error.value.params) == (code, {"report": {"code": "report_employments", "params": {}}})
    with translation.override("fi"):
        assert gettext("employments") in str(error.value)


@pytest.mark.parametrize("files", [{"palkat": "palkat*.csv"}, {"palkat": "../palkat*"}, {"": ""}])
def test_a_file_name_for_a_report_the_portal_does_not_know_is_refused_naming_it(db, file_root, files):
    with pytest.raises(PopulusError) as error:
        source_save(source=None, name="x", kind="files", active=True, settings={"files": files})

    [report] = files
    assert (error.value.code, error.value.params) == (
        "source_file_report_unknown",
        {"report": report, "known": "units, employments, absences, salaries"},
    )
    assert not Source.objects.exists()


def test_a_source_refusal_reads_in_finnish_on_a_finnish_page(db, file_root):
    with pytest.raises(PopulusError) as error:
        source_save(source=None, name="x", kind="files", active=True, settings={"encoding": "latin-9"})

    with translation.override("fi"):
        shown = str(error.value)
        expected = gettext("The encoding must be automatic, UTF-8, UTF-16 or Windows-1252.")
    assert shown == expected
    with translation.override("en"):
        assert str(error.value) == "The encoding must be automatic, UTF-8, UTF-16 or Windows-1252."


def test_a_second_source_of_the_same_name_is_refused(db, file_root):
    source_save(source=None, name="tiedostot", kind="files", active=True, settings={})

    with pytest.raises(PopulusError) as error:
        source_save(source=None, name="tiedostot", kind="files", active=True, settings={})

    assert (error.value.code, error.value.params) == ("source_name_taken", {"name": "tiedostot"})


def test_column_map_needs_positions_when_files_have_no_header(db, file_root):
    source = source_save(source=None, name="siirto", kind="files", active=True, settings={"has_header": False})

    with pytest.raises(PopulusError) as error:
        source_columns_set(source=source, report_type="units", columns={"code": "Yksikkö", "name": "2"})
    assert (error.value.code, error.value.params) == (
        "source_column_number_needed",
        {"field": {"code": "field_code", "params": {}}},
    )

    source_columns_set(source=source, report_type="units", columns={"code": "1", "name": "2"})
    assert source.config["columns"]["units"] == {"code": 1, "name": 2}


def test_a_required_column_cannot_be_left_out(db, file_root):
    source = source_save(source=None, name="raportit", kind="files", active=True, settings={})

    with pytest.raises(PopulusError) as error:
        source_columns_set(source=source, report_type="units", columns={"code": "Yksikkö"})

    assert (error.value.code, error.value.params) == (
        "source_column_missing",
        {"field": {"code": "field_name", "params": {}}},
    )


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("auto", "auto"), ("utf-16", "\t"), ("windows-1252", "|"), ("utf-8", ",")]
)
def test_file_sources_take_every_encoding_and_delimiter_the_reader_knows(db, file_root, encoding, delimiter):
    settings = {"encoding": encoding, "delimiter": delimiter, "has_header": False, "title_rows": 2}

    source = source_save(source=None, name="tiedostot", kind="files", active=True, settings=settings)

    assert {key: source.config[key] for key in settings} == settings


@pytest.mark.parametrize(
    ("allowed", "base_url", "code"),
    [
        ([], "https://populus.example.fi/api", "http_no_hosts_allowed"),
        (["populus.example.fi"], "https://metadata.internal/api", "http_host_not_allowed"),
        (["populus.example.fi:8443"], "https://populus.example.fi/api", "http_host_not_allowed"),
        (["populus.example.fi"], "https://populus.example.fi.evil.example/api", "http_host_not_allowed"),
    ],
)
def test_an_http_source_outside_the_allow_list_is_refused_naming_the_setting(
    db, settings, english, allowed, base_url, code
):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = allowed

    with pytest.raises(PopulusError) as error:
        source_save(source=None, name="rajapinta", kind="http", active=True, settings={"base_url": base_url})

    assert error.value.problem.code == code
    assert error.value.field == "base_url"
    assert "POPULUS_HTTP_ALLOWED_HOSTS" in str(error.value)


@pytest.mark.parametrize(
    ("allowed", "base_url"),
    [
        (["populus.example.fi"], "https://populus.example.fi/api"),
        (["POPULUS.example.fi"], "https://populus.EXAMPLE.fi:8443/api"),
        (["populus.example.fi:8443"], "https://populus.example.fi:8443/api"),
        (["10.0.0.5"], "https://10.0.0.5/api"),
        (["[fd00::5]:8443"], "https://[fd00::5]:8443/api"),
        (["127.0.0.1:8080"], "http://127.0.0.1:8080/api"),
    ],
)
def test_an_http_source_on_an_allowed_host_is_saved(db, settings, allowed, base_url):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = allowed

    source = source_save(source=None, name="rajapinta", kind="http", active=True, settings={"base_url": base_url})

    assert source.config["base_url"] == base_url


@pytest.mark.parametrize("base_url", ["http://10.0.0.5/api", "http://populus.example.fi:8080/api"])
def test_an_http_source_that_would_send_its_token_unencrypted_is_refused(db, settings, english, base_url):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["10.0.0.5", "populus.example.fi:8080"]

    with pytest.raises(PopulusError) as error:
        source_save(
            source=None, name="rajapinta", kind="http", active=True, settings={"base_url": base_url, "token": "t"}
        )

    assert error.value.problem.code == "http_not_encrypted"
    assert error.value.field == "base_url"
    assert str(error.value).startswith(f"The address {base_url} is plain http:")
    assert not Source.objects.exists()


def test_the_admin_shows_an_http_source_without_its_token(client_as, settings):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    source = source_save(
        source=None,
        name="rajapinta",
        kind="http",
        active=True,
        settings={"base_url": "https://populus.example.fi/api", "token": "salainen-avain-123"},
    )

    page = client_as(Role.ADMIN).get(reverse("admin:hrreports_source_change", args=[source.pk]))

    assert page.status_code == 200
    assert "https://populus.example.fi/api" in page.content.decode()
    assert "salainen-avain-123" not in page.content.decode()
