# ruff: noqa: S311 (simulated HR data needs reproducible pseudo-random numbers, not secrets)
"""The embedded default source: a deterministic (by seed) simulated municipality.

About 150 work units in three levels (divisions, sections, teams) and 2,500 employee "slots".
Each slot is held by a chain of employments over the years (permanent ones lasting years,
fixed-term ones months), so every month has hires and leavers while the headcount stays steady.
Absences follow KVTES-style patterns: seasonal short sick leaves (more in winter, none while on
annual leave), a few long sick leaves of months, a few people with repeated short spells, temporary
child-care leave for parents, summer annual leave, and rare accidents, unpaid and family leaves.
Payroll is monthly.

Everything is generated on the fly for the requested month from integer seeds derived from
(seed, slot, employment, month), so any month can be fetched in any order with the same result.
"""

import bisect
import math
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

import holidays

from ..periods import period_last_day, period_shift
from ..workdays import working_days
from .base import PopulusSource, SourceBatch

DIVISIONS = (
    ("10", "Konsernipalvelut", ("Hallinto", "Talous", "Henkilöstö", "Tietohallinto", "Viestintä"), "toimistosihteeri"),
    (
        "20",
        "Sivistyspalvelut",
        ("Keskustan koulu", "Kirkonkylän koulu", "Lukio", "Kansalaisopisto", "Kirjasto"),
        "opettaja",
    ),
    (
        "30",
        "Varhaiskasvatus",
        ("Päiväkoti Satakieli", "Päiväkoti Myllynkivi", "Päiväkoti Tuulikki", "Perhepäivähoito", "Esiopetus"),
        "varhaiskasvatuksen lastenhoitaja",
    ),
    (
        "40",
        "Tekniset palvelut",
        ("Kiinteistöt", "Kadut ja puistot", "Ruokapalvelut", "Siivouspalvelut", "Vesihuolto"),
        "kiinteistönhoitaja",
    ),
    (
        "50",
        "Elinvoima- ja vapaa-aikapalvelut",
        ("Liikunta", "Nuorisotyö", "Kulttuuri", "Elinkeinot", "Matkailu"),
        "vapaa-aikaohjaaja",
    ),
    (
        "60",
        "Ympäristö- ja rakennusvalvonta",
        ("Rakennusvalvonta", "Ympäristönsuojelu", "Maankäyttö", "Mittaus", "Lupapalvelut"),
        "tarkastaja",
    ),
)
TEAMS = ("Tiimi Aamu", "Tiimi Ilta", "Tiimi Pohjoinen", "Tiimi Etelä", "Tiimi Keskusta", "Tiimi Länsi", "Tiimi Itä")
TITLES = {
    "10": (
        ("toimistosihteeri", 2650),
        ("talousasiantuntija", 3600),
        ("HR-asiantuntija", 3550),
        ("IT-tukihenkilö", 3100),
    ),
    "20": (("luokanopettaja", 3900), ("lehtori", 4300), ("koulunkäynninohjaaja", 2350), ("kirjastovirkailija", 2550)),
    "30": (
        ("varhaiskasvatuksen lastenhoitaja", 2450),
        ("varhaiskasvatuksen opettaja", 3050),
        ("perhepäivähoitaja", 2300),
    ),
    "40": (("kiinteistönhoitaja", 2650), ("kokki", 2400), ("laitoshuoltaja", 2200), ("puistotyöntekijä", 2350)),
    "50": (
        ("vapaa-aikaohjaaja", 2700),
        ("nuoriso-ohjaaja", 2750),
        ("kulttuurituottaja", 3200),
        ("uinninvalvoja", 2400),
    ),
    "60": (
        ("rakennustarkastaja", 4100),
        ("ympäristötarkastaja", 3700),
        ("mittausteknikko", 3150),
        ("lupasihteeri", 2750),
    ),
}
SHIFT_DIVISIONS = {"30", "40", "50"}
DIVISION_WEIGHTS = (8, 30, 30, 16, 10, 6)
FIRST_NAMES = (
    "Aino",
    "Anna",
    "Emma",
    "Elina",
    "Helmi",
    "Johanna",
    "Katja",
    "Laura",
    "Maria",
    "Minna",
    "Noora",
    "Päivi",
    "Riikka",
    "Sanna",
    "Satu",
    "Tiina",
    "Ulla",
    "Veera",
    "Sofia",
    "Ella",
    "Antti",
    "Eero",
    "Heikki",
    "Janne",
    "Jukka",
    "Juha",
    "Kalle",
    "Lauri",
    "Markku",
    "Matti",
    "Mikko",
    "Olli",
    "Pekka",
    "Sami",
    "Timo",
    "Ville",
    "Erik",
    "Johan",
    "Linnea",
    "Stina",
)
LAST_NAMES = (
    "Korhonen",
    "Virtanen",
    "Mäkinen",
    "Nieminen",
    "Mäkelä",
    "Hämäläinen",
    "Laine",
    "Heikkinen",
    "Koskinen",
    "Järvinen",
    "Lehtonen",
    "Lehtinen",
    "Saarinen",
    "Salminen",
    "Heinonen",
    "Niemi",
    "Heikkilä",
    "Kinnunen",
    "Salonen",
    "Turunen",
    "Salo",
    "Laitinen",
    "Tuominen",
    "Rantanen",
    "Karjalainen",
    "Jokinen",
    "Mattila",
    "Savolainen",
    "Lahtinen",
    "Ahonen",
    "Lindqvist",
    "Nyström",
    "Holmberg",
    "Eskola",
    "Kivelä",
    "Peltonen",
)
CHECK_CHARS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
# Calibrated to Finnish municipal employers: sick leave about 4-5 % of planned working time over a
# year (~6 % in winter, ~2 % in July), about 1.8 sick spells per person a year, some 8-10 % of staff
# reaching the early-support discussion (5 spells or 20 days in 12 months) and a handful of people
# passing the 30/60/90-day checkpoints every month (tests/hrreports/test_simulator.py measures it).
# The month of a short sick spell: the flu season in winter, fewest in July.
SICK_SEASON = (2.1, 2.2, 1.6, 1.0, 0.7, 0.45, 0.2, 0.45, 0.9, 1.25, 1.6, 1.9)
# Short sick spells a year: weights of 0, 1, 2, ... spells; the few frequent-sick people have 10-18.
# Most are self-reported (KVTES: up to 5 days without a doctor's certificate), mostly 1-3 days; the
# rest are certified spells of about a week.
SICK_COUNTS = (18, 27, 30, 17, 8)
SICK_FREQUENT_COUNTS = (0,) * 10 + (1,) * 9
FREQUENT_SICK_SHARE = 0.03
SELF_REPORTED_SHARE = 0.7
SELF_REPORTED_DAYS = (1, 2, 3, 4, 5)
SELF_REPORTED_WEIGHTS = (22, 36, 32, 5, 5)
CERTIFIED_MIN, CERTIFIED_MAX = 4, 8  # calendar days
# Long sick leave: starts per person and month (times LONG_SICK_PRONE for the few prone to it),
# lasting LONG_SICK_MIN to LONG_SICK_MAX - 1 calendar days: they pass the 30/60/90-day checkpoints.
LONG_SICK_RATE = 0.0018
LONG_SICK_PRONE = 15
LONG_SICK_MIN, LONG_SICK_MAX = 60, 366
CHILD_CARE_SEASON = (1.5, 1.6, 1.3, 1.0, 0.8, 0.4, 0.2, 0.6, 1.2, 1.3, 1.4, 1.4)
LOOKBACK_MONTHS = 12  # the longest leaves (long sick leave, family leave) span at most this many months
CHAIN_START = date(1990, 1, 1)
CHAIN_END = date(2060, 12, 31)
PERSON_DAYS = 16000  # birth dates spread over ~44 years from 1960


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    parent_code: str
    division: str


@dataclass
class Link:
    """One employment held in a slot: one person, from `start` to `end` (None: still employed)."""

    slot: int
    index: int
    start: date
    end: date | None
    fixed_term: bool
    person: dict[str, Any] = field(default_factory=dict)

    def overlaps(self, first: date, last: date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


@dataclass
class World:
    units: list[Unit]
    slot_units: list[Unit]
    chains: list[list[Link]]


_MASK64 = (1 << 64) - 1


def _mix(*numbers: int) -> int:
    """A 64-bit hash of `numbers` whose every bit is well mixed (splitmix64 steps).

    The rare absences read independent 16-bit slices of one hash, so each slice must be uniform.
    """
    value = 0x9E3779B97F4A7C15
    for number in numbers:
        value = ((value ^ (number & _MASK64)) + 0x9E3779B97F4A7C15) & _MASK64
        value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & _MASK64
        value ^= value >> 31
    return value


@lru_cache(maxsize=4)
def world_build(seed: int, employees: int, sections: int, teams: int) -> World:
    rng = random.Random(_mix(seed, 1))
    units: list[Unit] = []
    leaves: list[list[Unit]] = []
    for code, name, section_names, _title in DIVISIONS:
        units.append(Unit(code, name, "", code))
        division_leaves: list[Unit] = []
        for s in range(sections):
            section_code = f"{code}{(s + 1) * 10:02d}"
            section_name = section_names[s % len(section_names)] + (
                f" {s // len(section_names) + 1}" if s >= len(section_names) else ""
            )
            section = Unit(section_code, section_name, code, code)
            units.append(section)
            team_names = rng.sample(TEAMS, k=min(teams, len(TEAMS)))
            section_teams = []
            for t in range(teams):
                team_name = team_names[t % len(team_names)] + (
                    f" {t // len(team_names) + 1}" if t >= len(team_names) else ""
                )
                team = Unit(f"{section_code}{(t + 1) * 10:02d}", f"{section_name}, {team_name}", section_code, code)
                units.append(team)
                section_teams.append(team)
            # Most people work in teams; a few sit directly in the section.
            division_leaves.extend(section_teams or [section])
            division_leaves.append(section)
        leaves.append(division_leaves)
    slot_units = []
    for _slot in range(employees):
        division = rng.choices(range(len(DIVISIONS)), weights=DIVISION_WEIGHTS)[0]
        slot_units.append(rng.choice(leaves[division]))
    blocks = max(1, math.ceil(employees / 100))
    max_links = max(1, (PERSON_DAYS // blocks) // 25)
    chains = [_chain(seed, slot, max_links) for slot in range(employees)]
    return World(units=units, slot_units=slot_units, chains=chains)


def _chain(seed: int, slot: int, max_links: int) -> list[Link]:
    rng = random.Random(_mix(seed, 2, slot))
    start = CHAIN_START - timedelta(days=rng.randrange(0, 12 * 365))
    links = []
    while start <= CHAIN_END:
        index = len(links)
        fixed = rng.random() < 0.22
        if index == max_links - 1:
            end = None
        elif fixed:
            end = start + timedelta(days=rng.randrange(90, 540))
        else:
            end = start + timedelta(days=365 + int(rng.expovariate(1 / (8 * 365))))
        links.append(Link(slot, index, start, end, fixed))
        if end is None:
            break
        start = end + timedelta(days=rng.randrange(1, 60))
    return links


def _person(seed: int, world: World, link: Link, employees: int) -> dict[str, Any]:
    if link.person:
        return link.person
    rng = random.Random(_mix(seed, 3, link.slot, link.index))
    blocks = max(1, math.ceil(employees / 100))
    span = PERSON_DAYS // blocks
    offset = (link.slot // 100) * span + link.index * 25 + rng.randrange(25)
    birth = date(1960, 1, 1) + timedelta(days=offset)
    individual = 900 + link.slot % 100  # 900-999: the range of temporary/test identity codes
    digits = f"{birth:%d%m%y}{individual:03d}"
    century = "-" if birth.year < 2000 else "A"
    unit = world.slot_units[link.slot]
    title, base = rng.choice(TITLES[unit.division])
    link.person = {
        "person_number": f"{birth:%d%m%y}{century}{individual:03d}{CHECK_CHARS[int(digits) % 31]}",
        "employee_name": f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
        "employment_id": f"{1_000_000 + link.slot * 100 + link.index}",
        "unit_code": unit.code,
        "title": title,
        "base_salary": base * (1 + rng.uniform(-0.05, 0.15)),
        "working_time_percent": rng.choices((100, 80, 60, 50), weights=(85, 8, 4, 3))[0],
        "frequent_sick": rng.random() < FREQUENT_SICK_SHARE,
        "long_sick_prone": rng.random() < 0.05,
        "has_children": rng.random() < 0.28,
        "personal_supplement": round(rng.uniform(50, 300), 2) if rng.random() < 0.3 else 0,
        "experience_rate": rng.choice((0, 0, 0.03, 0.05, 0.08, 0.10)),
        "shift": unit.division in SHIFT_DIVISIONS and rng.random() < 0.4,
        "birth_year": birth.year,
    }
    return link.person


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _rare_spells(seed: int, link: Link, person: dict[str, Any], month: date) -> list[tuple[str, date, date]]:
    """Long or rare absences starting in `month`: long sick leave, accidents, unpaid and family leave.

    Decided from one hash per employment and month (no generator unless something happens), so the
    months before the requested one are cheap to look back over.
    """
    roll = _mix(seed, 7, link.slot, link.index, month.year * 12 + month.month)
    long_sick = (roll & 0xFFFF) / 65536 < LONG_SICK_RATE * (LONG_SICK_PRONE if person["long_sick_prone"] else 1)
    accident = (roll >> 16 & 0xFFFF) / 65536 < 0.0006
    unpaid = (roll >> 32 & 0xFFFF) / 65536 < 0.001
    family = person["birth_year"] > month.year - 42 and (roll >> 48 & 0xFFFF) / 65536 < 0.0012
    if not (long_sick or accident or unpaid or family):
        return []
    rng = random.Random(roll)
    days = period_last_day(month).day
    spells = []
    if long_sick:
        start = _weekday_on_or_after(month + timedelta(days=rng.randrange(days)))
        spells.append(("101", start, start + timedelta(days=rng.randrange(LONG_SICK_MIN, LONG_SICK_MAX))))
    if accident:
        start = _weekday_on_or_after(month + timedelta(days=rng.randrange(days)))
        spells.append(("110", start, start + timedelta(days=rng.randrange(3, 31))))
    if unpaid:
        start = month + timedelta(days=rng.randrange(days))
        spells.append(("500", start, start + timedelta(days=rng.randrange(5, 61))))
    if family:
        start = month + timedelta(days=rng.randrange(days))
        spells.append(("410", start, start + timedelta(days=rng.randrange(100, 300))))
    return spells


def _common_spells(seed: int, link: Link, person: dict[str, Any], month: date) -> list[tuple[str, date, date]]:
    """Short absences starting in `month` (at most 4 weeks long): sick leave, child-care leave, annual leave."""
    rng = random.Random(_mix(seed, 4, link.slot, link.index, month.year * 12 + month.month))
    days = period_last_day(month).day
    spells: list[tuple[str, date, date]] = []
    annual = _annual_leave(seed, link, month)
    for start, code, length in _short_sick_year(seed, link, person, month):
        if annual and annual[1] <= start <= annual[2]:
            continue  # falling ill on annual leave is no sick leave from work (the holiday is moved)
        spells.append((code, start, start + timedelta(days=length - 1)))
    if person["has_children"] and rng.random() < 0.11 * CHILD_CARE_SEASON[month.month - 1]:
        start = _weekday_on_or_after(month + timedelta(days=rng.randrange(days)))
        spells.append(("300", start, start + timedelta(days=rng.randrange(0, 4))))
    if annual:
        spells.append(annual)
    return spells


def _short_sick_year(seed: int, link: Link, person: dict[str, Any], month: date) -> list[tuple[date, str, int]]:
    """The short sick spells starting in `month`: (start, code, calendar days)."""
    days = period_last_day(month).day
    year = _sick_year(seed, link.slot, link.index, month.year, person["frequent_sick"])
    return [
        (_weekday_on_or_after(month + timedelta(days=int(share * days))), code, length)
        for spell_month, share, code, length in year
        if spell_month == month.month
    ]


@lru_cache(maxsize=16384)
def _sick_year(seed: int, slot: int, index: int, year: int, frequent: bool) -> tuple[tuple[int, float, str, int], ...]:
    """One employment's short sick spells of a year: (month, start as a share of the month, code, calendar days).

    The spells of a whole year are drawn at once (how many, then each one's month by the season), so
    most people have a few spells a year and only the frequent-sick ones five or more.
    """
    rng = random.Random(_mix(seed, 8, slot, index, year))
    counts = SICK_FREQUENT_COUNTS if frequent else SICK_COUNTS
    spells = []
    for _ in range(rng.choices(range(len(counts)), weights=counts)[0]):
        month = rng.choices(range(1, 13), weights=SICK_SEASON)[0]
        day = rng.random()
        if rng.random() >= SELF_REPORTED_SHARE:
            spells.append((month, day, "101", rng.randrange(CERTIFIED_MIN, CERTIFIED_MAX + 1)))
        else:
            spells.append((month, day, "102", rng.choices(SELF_REPORTED_DAYS, weights=SELF_REPORTED_WEIGHTS)[0]))
    return tuple(spells)


def _spells(
    seed: int, link: Link, person: dict[str, Any], month: date, *, common: bool
) -> list[tuple[str, date, date]]:
    """The absences that start in `month` for one employment: (code, start, end), within the employment."""
    spells = _rare_spells(seed, link, person, month)
    if common:
        spells += _common_spells(seed, link, person, month)
    if link.end is not None:
        spells = [(code, start, min(end, link.end)) for code, start, end in spells if start <= link.end]
    return [spell for spell in spells if spell[1] >= link.start]


def _annual_leave(seed: int, link: Link, month: date) -> tuple[str, date, date] | None:
    rng = random.Random(_mix(seed, 5, link.slot, link.index, month.year))
    summer_month = rng.choices((6, 7, 8), weights=(40, 50, 10))[0]
    summer_start = _weekday_on_or_after(date(month.year, summer_month, 1 + rng.randrange(0, 20)))
    summer_days = rng.choice((13, 20, 27))
    winter = rng.random() < 0.3
    winter_start = _weekday_on_or_after(date(month.year, rng.choice((2, 3)), 1 + rng.randrange(0, 20)))
    christmas = rng.random() < 0.25
    if month.month == summer_month:
        return ("200", summer_start, summer_start + timedelta(days=summer_days))
    if winter and month.month == winter_start.month:
        return ("200", winter_start, winter_start + timedelta(days=4))
    if christmas and month.month == 12:
        return ("200", date(month.year, 12, 23), date(month.year, 12, 31))
    return None


def _payday(month: date) -> date:
    day = date(month.year, month.month, 15)
    off = holidays.country_holidays("FI", years=month.year)
    while day.weekday() >= 5 or day in off:
        day -= timedelta(days=1)
    return day


def _money(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


class SimulatorSource(PopulusSource):
    kind = "simulator"

    @classmethod
    def config_defaults(cls) -> dict[str, Any]:
        return {"seed": 2026, "employees": 2500, "sections_per_division": 4, "teams_per_section": 5}

    @property
    def world(self) -> World:
        return world_build(self.seed, self.employees, self.sections, self.teams)

    @property
    def seed(self) -> int:
        return int(self.config.get("seed", 2026))

    @property
    def employees(self) -> int:
        return max(1, min(int(self.config.get("employees", 2500)), 10_000))

    @property
    def sections(self) -> int:
        return max(1, min(int(self.config.get("sections_per_division", 4)), 20))

    @property
    def teams(self) -> int:
        return max(0, min(int(self.config.get("teams_per_section", 5)), 20))

    def _links(self, first: date, last: date) -> list[Link]:
        result = []
        for chain in self.world.chains:
            starts = [link.start for link in chain]
            position = bisect.bisect_right(starts, last)
            for link in chain[max(0, position - 2) : position]:
                if link.overlaps(first, last):
                    result.append(link)
        return result

    def fetch(self, report_type: str, period: date) -> SourceBatch:
        raw_rows = getattr(self, f"_{report_type}")(period)
        batch = SourceBatch(report_type=report_type, files=[f"simulator seed {self.seed}"])
        for number, raw in enumerate(raw_rows, start=1):
            batch.row_add(raw, file=batch.files[0], row=number)
        return batch

    def _units(self, period: date) -> list[dict[str, Any]]:
        return [
            {"code": u.code, "name": u.name, "parent_code": u.parent_code, "active": True} for u in self.world.units
        ]

    def _employments(self, period: date) -> list[dict[str, Any]]:
        rows = []
        for link in self._links(period, period_last_day(period)):
            person = _person(self.seed, self.world, link, self.employees)
            rows.append(
                {
                    "person_number": person["person_number"],
                    "employee_name": person["employee_name"],
                    "employment_id": person["employment_id"],
                    "unit_code": person["unit_code"],
                    "title": person["title"],
                    "kind": "fixed_term" if link.fixed_term else "permanent",
                    "start": link.start,
                    "end": _known_end(link, period),
                    "working_time_percent": person["working_time_percent"],
                }
            )
        return rows

    def _absences(self, period: date) -> list[dict[str, Any]]:
        first, last = period, period_last_day(period)
        lookback = period_shift(period, -LOOKBACK_MONTHS)
        rows = []
        for link in self._links(lookback, last):
            person = _person(self.seed, self.world, link, self.employees)
            month = max(lookback, link.start.replace(day=1))
            recent = period_shift(period, -1)
            while month <= period:
                for code, start, end in _spells(self.seed, link, person, month, common=month >= recent):
                    if start <= last and end >= first:
                        rows.append(
                            {
                                "person_number": person["person_number"],
                                "employee_name": person["employee_name"],
                                "employment_id": person["employment_id"],
                                "unit_code": person["unit_code"],
                                "absence_code": code,
                                "start": start,
                                "end": end,
                                "calendar_days": (end - start).days + 1,
                                "working_days": working_days(start, end),
                                "paid": code not in ("420", "500"),
                            }
                        )
                month = period_shift(month, 1)
        return _without_same_start(rows)

    def _salaries(self, period: date) -> list[dict[str, Any]]:
        first, last = period, period_last_day(period)
        payday = _payday(period)
        rows = []
        for link in self._links(first, last):
            person = _person(self.seed, self.world, link, self.employees)
            rng = random.Random(_mix(self.seed, 6, link.slot, link.index, period.year * 12 + period.month))
            employed_from = max(first, link.start)
            employed_to = min(last, link.end) if link.end else last
            share = ((employed_to - employed_from).days + 1) / last.day
            base = person["base_salary"] * person["working_time_percent"] / 100 * share
            lines = [("1001", base)]
            if person["personal_supplement"]:
                lines.append(("1101", person["personal_supplement"] * share))
            if person["experience_rate"]:
                lines.append(("1201", base * person["experience_rate"]))
            if person["shift"]:
                lines.append(("2001", rng.uniform(40, 260) * share))
                if rng.random() < 0.5:
                    lines.append(("2004", rng.uniform(60, 240) * share))
            if rng.random() < 0.05:
                lines.append(("2101", rng.uniform(80, 600)))
            if period.month == 7 and link.start < first:
                lines.append(("3001", person["base_salary"] * person["working_time_percent"] / 100 * 0.45))
            if link.end is not None and first <= link.end <= last:
                lines.append(("3101", base * rng.uniform(0.3, 1.4)))
            for code, amount in lines:
                rows.append(
                    {
                        "person_number": person["person_number"],
                        "employee_name": person["employee_name"],
                        "employment_id": person["employment_id"],
                        "unit_code": person["unit_code"],
                        "pay_period": period,
                        "payment_date": payday,
                        "salary_type_code": code,
                        "amount": _money(amount),
                    }
                )
        return rows


def _known_end(link: Link, period: date) -> date | None:
    """A fixed-term end is known from the start; a permanent one only once notice is given (~2 months)."""
    if link.end is None or link.fixed_term or link.end <= period_shift(period, 3):
        return link.end
    return None


def _without_same_start(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Two simulated spells of one type starting on the same day are one absence: keep the longer."""
    best: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        key = (row["employment_id"], row["absence_code"], row["start"])
        if key not in best or row["end"] > best[key]["end"]:
            best[key] = row
    return list(best.values())
