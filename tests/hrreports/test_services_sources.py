"""Configuring sources: settings per kind, the token, column maps."""

import pytest

from hrreports.errors import PopulusError
from hrreports.services.sources import source_columns_set, source_save


def test_http_source_keeps_its_token_when_the_form_leaves_it_empty(db, settings):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = ["populus.example.fi"]
    settings = {"base_url": "https://populus.example.fi/api", "token": "abc", "timeout": 5, "retries": 2}
    source = source_save(source=None, name="rajapinta", kind="http", active=True, settings=settings)

    source = source_save(source=source, name="rajapinta", kind="http", active=False, settings=settings | {"token": ""})

    assert source.config["token"] == "abc"
    assert source.config["timeout"] == 5
    assert source.active is False


@pytest.mark.parametrize(
    ("kind", "values", "message"),
    [
        ("http", {"base_url": "ftp://populus"}, "must start with https://"),
        ("files", {"folder": "../../etc"}, "outside the permitted file root"),
        ("files", {"encoding": "latin-9"}, "automatic, UTF-8, UTF-16 or Windows-1252"),
        ("files", {"delimiter": ":"}, "a semicolon, a comma, a tab or a vertical bar"),
        ("files", {"title_rows": 51}, "between 0 and 50"),
        ("simulator", {"employees": 0}, "1 to 10,000 employees"),
        ("sftp", {}, "Unknown source kind"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(db, file_root, kind, values, message, english):
    with pytest.raises(PopulusError, match=message):
        source_save(source=None, name="x", kind=kind, active=True, settings=values)


def test_column_map_needs_positions_when_files_have_no_header(db, file_root):
    source = source_save(source=None, name="siirto", kind="files", active=True, settings={"has_header": False})

    with pytest.raises(PopulusError, match="as a column number"):
        source_columns_set(source=source, report_type="units", columns={"code": "Yksikkö", "name": "2"})

    source_columns_set(source=source, report_type="units", columns={"code": "1", "name": "2"})
    assert source.config["columns"]["units"] == {"code": 1, "name": 2}


def test_a_required_column_cannot_be_left_out(db, file_root):
    source = source_save(source=None, name="raportit", kind="files", active=True, settings={})

    with pytest.raises(PopulusError, match="is required"):
        source_columns_set(source=source, report_type="units", columns={"code": "Yksikkö"})


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
        (["10.0.0.5"], "http://10.0.0.5/api"),
        (["[fd00::5]:8080"], "http://[fd00::5]:8080/api"),
    ],
)
def test_an_http_source_on_an_allowed_host_is_saved(db, settings, allowed, base_url):
    settings.POPULUS_HTTP_ALLOWED_HOSTS = allowed

    source = source_save(source=None, name="rajapinta", kind="http", active=True, settings={"base_url": base_url})

    assert source.config["base_url"] == base_url
