"""The completes by mode and group cannot be worked out from what the results publish: each mode's
completes (the rates by mode), every shown group's completes and everyone's (the main results), and
the shown cells of the table itself. Groups the main results hide are hidden here too, with their
complements chosen in the same pass; zero cells are shown and protect nothing."""

import random
from fractions import Fraction

from surveys.services.disclosure import COMPLEMENTARY, SMALL, group_privacy
from surveys.services.results_by_mode import completes_by_group

MINIMUM = 5
MODES = ("phone", "web")


def table_of(phone: list[int], web: list[int], keys: list[str], hidden_groups: dict[str, str]):
    groups = [key for key, count in zip(keys, phone, strict=True) for _ in range(count)]
    groups += [key for key, count in zip(keys, web, strict=True) for _ in range(count)]
    modes = ["phone"] * sum(phone) + ["web"] * sum(web)
    return completes_by_group(
        dimension="district",
        categories=[(key, key.upper()) for key in keys],
        groups=groups,
        modes=modes,
        not_answered_label="-",
        hidden_groups=hidden_groups,
        minimum=MINIMUM,
    )


def main_hidden_groups(phone: list[int], web: list[int], keys: list[str]) -> dict[str, str]:
    """The groups the main results hide among all respondents (the same rules, the same minimum)."""
    groups = [key for key, count in zip(keys, phone, strict=True) for _ in range(count)]
    groups += [key for key, count in zip(keys, web, strict=True) for _ in range(count)]
    privacy = group_privacy({"district": groups}, {"district": keys}, respondents=len(groups), minimum=MINIMUM)
    return {key: why for key in keys if (why := privacy.hidden({"district": key}))}


def determined(phone: list[int], web: list[int], keys: list[str], hidden_groups: dict[str, str], table) -> set:
    """The unknowns a reader can solve for exactly: the table's hidden cells and the main results'
    hidden group totals, from every sum published (each mode's total, each shown group's total,
    everyone's total, the table's shown cells). Exact elimination over the rationals."""
    truth = {("phone", key): count for key, count in zip(keys, phone, strict=True)}
    truth |= {("web", key): count for key, count in zip(keys, web, strict=True)}
    unknowns = [cell for cell in truth if table.counts[cell[0]][keys.index(cell[1])] is None]
    unknowns += [("total", key) for key in hidden_groups]
    truth |= {("total", key): phone[i] + web[i] for i, key in enumerate(keys)}
    index = {cell: position for position, cell in enumerate(unknowns)}
    equations = []

    def equation(members, total):
        row = [Fraction(0)] * (len(unknowns) + 1)
        constant = 0
        for cell in members:
            if cell in index:
                row[index[cell]] += 1
            else:
                constant -= truth[cell]
        if total in index:
            row[index[total]] -= 1
        else:
            constant += truth[total]
        row[-1] = Fraction(constant)
        equations.append(row)

    for mode in MODES:
        truth[(mode, "total")] = sum(truth[(mode, key)] for key in keys)
        equation([(mode, key) for key in keys], (mode, "total"))
    for key in keys:
        equation([(mode, key) for mode in MODES], ("total", key))
    truth[("total", "total")] = sum(phone) + sum(web)
    equation([("total", key) for key in keys], ("total", "total"))
    # Row reduction; an unknown is determined when a reduced row names it alone.
    rows, pivot_row = equations, 0
    for column in range(len(unknowns)):
        pivot = next((r for r in range(pivot_row, len(rows)) if rows[r][column] != 0), None)
        if pivot is None:
            continue
        rows[pivot_row], rows[pivot] = rows[pivot], rows[pivot_row]
        rows[pivot_row] = [value / rows[pivot_row][column] for value in rows[pivot_row]]
        for r in range(len(rows)):
            if r != pivot_row and rows[r][column] != 0:
                factor = rows[r][column]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[pivot_row], strict=True)]
        pivot_row += 1
    found = set()
    for row in rows:
        named = [unknowns[i] for i, value in enumerate(row[:-1]) if value != 0]
        if len(named) == 1 and truth[named[0]] > 0:
            found.add(named[0])
    return found


def test_the_reviews_seven_districts_reveal_no_hidden_group():
    # The main results hide a (complementary) and g (3, small). Before: the phone's row hid only a,
    # so a = 116 - 108 = 8, and g = 77 - 66 - 8 = 3 through the zero of the phone's b.
    keys = list("abcdefg")
    phone, web = [8, 0, 60, 30, 10, 8, 0], [0, 8, 30, 8, 20, 8, 3]
    hidden_groups = main_hidden_groups(phone, web, keys)
    assert hidden_groups == {"a": COMPLEMENTARY, "g": SMALL}

    table = table_of(phone, web, keys, hidden_groups)

    assert table.counts["phone"][0] is None and table.counts["web"][6] is None
    assert sum(1 for count in table.counts["phone"] if count is None) >= 2
    assert determined(phone, web, keys, hidden_groups, table) == set()


def test_a_column_whose_other_cell_is_zero_never_has_its_lone_cell_hidden():
    # The web's row must hide a complement for its small c; b's phone cell is 0 and b's total is
    # published, so hiding the web's b would hide nothing: another cell is taken.
    keys = list("abcd")
    phone, web = [40, 0, 30, 20], [10, 8, 2, 30]
    hidden_groups = main_hidden_groups(phone, web, keys)

    table = table_of(phone, web, keys, hidden_groups)

    assert table.counts["web"][1] == 8
    assert table.counts["web"][2] is None
    assert determined(phone, web, keys, hidden_groups, table) == set()


def test_no_hidden_cell_of_random_tables_can_be_derived():
    generator = random.Random(20261206)  # noqa: S311 - seeded tables, no secret
    sizes = (0, 0, 1, 2, 3, 4, 6, 8, 10, 15, 30, 60)
    checked = 0
    for _trial in range(1500):
        keys = list("abcdefg"[: generator.choice((2, 3, 4, 7))])
        phone = [generator.choice(sizes) for _key in keys]
        web = [generator.choice(sizes) for _key in keys]
        if not sum(phone) or not sum(web):
            continue
        hidden_groups = main_hidden_groups(phone, web, keys)
        table = table_of(phone, web, keys, hidden_groups)
        for mode, counts in (("phone", phone), ("web", web)):
            for index, key in enumerate(keys):
                if key in hidden_groups and counts[index]:
                    assert table.counts[mode][index] is None, (phone, web, hidden_groups)
                if table.counts[mode][index] is not None:
                    assert table.counts[mode][index] == counts[index]
                    assert not 0 < counts[index] < MINIMUM
        assert determined(phone, web, keys, hidden_groups, table) == set(), (phone, web, hidden_groups, table.counts)
        checked += 1
    assert checked > 1000
