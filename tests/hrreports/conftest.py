"""Fixtures of the HR tests: a small simulated organisation, sources of every kind, and a unit tree."""

from datetime import date
from pathlib import Path

import pytest

from hrreports.models import Source, WorkUnit
from hrreports.services.organisation import unit_save

SAMPLES = Path(__file__).resolve().parents[2] / "docs" / "samples" / "populus"
SAMPLE_PERIOD = date(2026, 3, 1)
SMALL_SIMULATION = {"seed": 7, "employees": 120, "sections_per_division": 2, "teams_per_section": 2}


@pytest.fixture
def simulator_source(db) -> Source:
    return Source.objects.create(name="simulaattori", kind="simulator", config=dict(SMALL_SIMULATION))


@pytest.fixture
def file_root(settings, tmp_path) -> Path:
    settings.POPULUS_FILE_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def sample_source(db, file_root) -> Source:
    """A file source reading copies of docs/samples/populus/ (Populus' default Finnish headers)."""
    folder = file_root / "samples"
    folder.mkdir()
    for sample in SAMPLES.iterdir():
        if sample.is_file():
            (folder / sample.name).write_bytes(sample.read_bytes())
    from hrreports.sources.files import FileSource

    config = FileSource.config_defaults() | {"folder": "samples"}
    return Source.objects.create(name="tiedostot", kind="files", config=config)


def make_unit(code: str, parent: WorkUnit | None = None, name: str | None = None) -> WorkUnit:
    return unit_save(unit=WorkUnit(code=code, name=name or f"Yksikkö {code}", parent=parent))


@pytest.fixture
def unit_tree(db) -> dict[str, WorkUnit]:
    """10 > 1010 > (101010, 101020); 10 > 1020; 20 > 2010."""
    units = {}
    units["10"] = make_unit("10")
    units["1010"] = make_unit("1010", units["10"])
    units["101010"] = make_unit("101010", units["1010"])
    units["101020"] = make_unit("101020", units["1010"])
    units["1020"] = make_unit("1020", units["10"])
    units["20"] = make_unit("20")
    units["2010"] = make_unit("2010", units["20"])
    return units


@pytest.fixture
def default_rules(db):
    """The default early-support rules (seeded by a data migration, which transactional tests flush)."""
    from hrreports.services.early_support import rule_defaults_ensure

    rule_defaults_ensure()


AINO = "010175-901V;Mäkinen Aino;2001001;101010"  # the first employee of the samples
ABSENCES_HEADER = (
    "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Poissaolokoodi;Poissaolon nimi;"
    "Alkupvm;Loppupvm;Kalenteripäivät;Työpäivät;Palkallinen"
)
SALARIES_HEADER = (
    "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Palkkakausi;Maksupäivä;Palkkalaji;Palkkalajin nimi;Summa"
)


def absence_line(code: str, start: str, end: str, calendar_days: str, working_days: str) -> str:
    """Mäkinen Aino's absence as a line of an absences export."""
    return f"{AINO};{code};Poissaolo;{start};{end};{calendar_days};{working_days};K"


def salary_line(pay_period: str, paid: str, code: str, amount: str) -> str:
    """Mäkinen Aino's payment as a line of a salaries export."""
    return f"{AINO};{pay_period};{paid};{code};Palkkalaji;{amount}"


@pytest.fixture
def month_files(sample_source, file_root):
    """`month_files(period, absences=[...], salaries=[...])` writes the month's export files of the sample
    source (the samples' employments and units, and the given absence and salary lines)."""
    folder = file_root / "samples"
    employments = (folder / "palvelussuhteet_202603.xlsx").read_bytes()

    def write(period: date, *, absences: list[str], salaries: list[str]) -> None:
        month = f"{period:%Y%m}"
        (folder / f"palvelussuhteet_{month}.xlsx").write_bytes(employments)
        (folder / f"poissaolot_{month}.csv").write_text("\n".join([ABSENCES_HEADER, *absences]) + "\n")
        (folder / f"palkat_{month}.csv").write_text("\n".join([SALARIES_HEADER, *salaries]) + "\n")

    return write
