"""Every UI string is translated to Finnish and Swedish, and the compiled catalogs are current."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
TRANSLATED_LANGUAGES = ("fi", "sv")
SOURCE_DIRS = ("kuntaportaali", "surveys", "hrreports", "templates")


def catalog_path(language: str, suffix: str = "po") -> str:
    return str(PROJECT_DIR / "locale" / language / "LC_MESSAGES" / f"django.{suffix}")


def catalog(language: str) -> polib.POFile:
    return polib.pofile(catalog_path(language))


def entry_key(entry) -> tuple[str, str, str]:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


@pytest.mark.parametrize(("language", "label"), [("fi", "Valmis"), ("sv", "Fullständig")])
def test_a_complete_response_is_named_so_not_told_to_finish(language, label):
    """The response status "Complete" was translated as the verb ("Päätä", "Avsluta": finish it) in the
    anonymous responses and the admin, beside "Osittainen" / "Delvis" (partial)."""
    from django.utils import translation

    from surveys.models import ResponseStatus

    with translation.override(language):
        assert str(ResponseStatus.COMPLETE.label) == label


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_catalog_has_no_untranslated_or_fuzzy_entries(language):
    po = catalog(language)

    untranslated = [entry.msgid for entry in po.untranslated_entries()]
    fuzzy = [entry.msgid for entry in po.fuzzy_entries()]
    assert untranslated == [], f"{language}: untranslated msgids"
    assert fuzzy == [], f"{language}: fuzzy msgids"
    assert len(po) > 50


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_compiled_catalog_matches_its_source(language):
    po = catalog(language)
    mo = polib.mofile(catalog_path(language, "mo"))

    compiled = {entry_key(e): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get(entry_key(entry)) == (entry.msgstr, entry.msgstr_plural), (
            f"{language}: {entry.msgid!r} differs in django.mo - run `make messages`"
        )


def test_swedish_names_populus_codes_with_one_term_each():
    """Populus's poissaololaji and palkkalaji are frånvaroslag and lönart in Finland-Swedish, as the code
    lists call them: a report headed "lönart" with a section "per lönetyp" reads as two different things."""
    mixed = [
        (entry.msgid, text)
        for entry in catalog("sv").translated_entries()
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if any(term in text.lower() for term in ("frånvarotyp", "lönetyp"))
    ]

    assert mixed == []


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_placeholders_survive_translation(language):
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", "/dev/null", catalog_path(language)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_catalogs_hold_every_string_of_the_source(tmp_path):
    """Extract the msgids afresh from a copy of the source and compare with the committed catalogs."""
    for name in SOURCE_DIRS:
        shutil.copytree(PROJECT_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "manage.py", tmp_path)
    (tmp_path / "locale").mkdir()

    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "fi", "--no-location"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "kuntaportaali.settings.local"},
    )

    fresh = {entry_key(e) for e in polib.pofile(str(tmp_path / "locale" / "fi" / "LC_MESSAGES" / "django.po"))}
    for language in TRANSLATED_LANGUAGES:
        committed = {entry_key(e) for e in catalog(language) if not e.obsolete}
        assert sorted(fresh - committed) == [], f"{language}: strings missing from the catalog - run `make messages`"
        assert sorted(committed - fresh) == [], f"{language}: catalog holds strings no longer in the source"
