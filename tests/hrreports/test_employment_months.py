"""A month's report keeps the staff it had: the sick-leave rate of a month is counted over the employments
as that month's employments file gave them (unit and working time), and its employments started and ended
are those of the unit then, so a later month's file - a move to another unit, a new working time - does not
change the figures of the months already reported. A move is told to the unit left and the unit joined."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import translation

from hrreports.models import Employment, EmploymentMonth, Source, WorkUnit
from hrreports.models.fetching import RunStatus
from hrreports.models.organisation import SupervisorRole
from hrreports.reports import absence_summary, employment_events, employment_report
from hrreports.services.delivery import subscription_save, unit_reports_send
from hrreports.services.fetch import populus_fetch
from hrreports.services.organisation import supervisor_assign
from kuntaportaali.roles import Role
from tests.conftest import make_user
from tests.hrreports.conftest import absence_line, salary_line
from tests.hrreports.pdf_text import pdf_text
from tests.hrreports.report_data import _employment, build_report_data

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)
EMPLOYMENTS_HEADER = (
    "Henkilötunnus;Nimi;Palvelussuhde;Kustannuspaikka;Nimike;Palvelussuhteen laji;Alkupvm;Loppupvm;Työaika-%"
)
# The samples' employments (docs/samples/populus/palvelussuhteet_202603.xlsx) but Mäkinen Aino's, given apart.
OTHERS = [
    "120388-902Y;Järvinen Eero;2001002;101020;lehtori;vakinainen;1.8.2012;;100",
    "050592-9034;Heikkilä Sanna;2001003;101010;koulunkäynninohjaaja;määräaikainen;1.8.2025;31.5.2026;80",
    "230469-9041;Lindqvist Johan;2001004;2010;kokki;vakinainen;15.3.1999;;100",
    "300981-905P;Nieminen Päivi;2001005;2010;ravitsemistyöntekijä;vakinainen;1.3.2026;;60",
    "171290-9063;Salo Ville;2001006;2020;kiinteistönhoitaja;vakinainen;1.6.2010;31.3.2026;100",
]


@pytest.fixture
def march(sample_source, month_files):
    """March fetched: Aino (101010, 100 %) sick 9.-13.3. (5 working days); Heikkilä (101010, 80 %)."""
    month_files(
        MARCH,
        absences=[absence_line("101", "9.3.2026", "13.3.2026", "5", "5")],
        salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40")],
    )
    fetched(sample_source, MARCH)
    return WorkUnit.objects.get(code="101010")


def fetched(source, period):
    run = populus_fetch(source=source, period=period)
    assert run.status == RunStatus.DONE, run.error


def april_with_aino_as(month_files, file_root, sample_source, aino: str) -> None:
    month_files(
        APRIL,
        absences=[absence_line("102", "1.4.2026", "1.4.2026", "1", "1")],
        salaries=[salary_line("04/2026", "15.4.2026", "1001", "3 912,40")],
    )
    folder = file_root / "samples"
    (folder / "palvelussuhteet_202604.xlsx").unlink()
    lines = [EMPLOYMENTS_HEADER, f"010175-901V;Mäkinen Aino;2001001;{aino}", *OTHERS]
    (folder / "palvelussuhteet_202604.csv").write_text("\n".join(lines) + "\n")
    fetched(sample_source, APRIL)


def rate(unit, period):
    summary = absence_summary(unit, period)
    return summary.planned_working_days, summary.sick_rate


def test_a_move_to_another_unit_leaves_the_months_before_as_they_were(march, month_files, file_root, sample_source):
    # 22 working days in March: Aino 22 + Heikkilä 22 x 0,8 = 39,6 planned; 5 sick days = 12,6 %.
    assert rate(march, MARCH) == (Decimal("39.6"), Decimal("12.6"))

    april_with_aino_as(month_files, file_root, sample_source, "101020;luokanopettaja;vakinainen;1.8.2005;;100")

    assert rate(march, MARCH) == (Decimal("39.6"), Decimal("12.6"))
    # Her new unit did not have her in March (Järvinen alone: 22), and has her from April.
    new_unit = WorkUnit.objects.get(code="101020")
    assert absence_summary(new_unit, MARCH).planned_working_days == Decimal("22")
    assert absence_summary(new_unit, APRIL).planned_working_days == Decimal("40")


def test_a_new_working_time_leaves_the_months_before_as_they_were(march, month_files, file_root, sample_source):
    april_with_aino_as(month_files, file_root, sample_source, "101010;luokanopettaja;vakinainen;1.8.2005;;60")

    assert rate(march, MARCH) == (Decimal("39.6"), Decimal("12.6"))
    # April (20 working days after Good Friday and Easter Monday): Aino 20 x 0,6 + Heikkilä 20 x 0,8 = 28
    # planned; Aino's 1 sick day at 60 % = 0,6 days: 2,1 %.
    assert rate(march, APRIL) == (Decimal("28"), Decimal("2.1"))


def events(unit_code: str, period) -> list[tuple]:
    with translation.override("en"):
        report = employment_report(WorkUnit.objects.get(code=unit_code), period)
        return [(event.event, event.employee_name, event.unit_code) for event in employment_events(report)]


def test_a_move_to_another_unit_is_told_to_both_units(march, month_files, file_root, sample_source):
    april_with_aino_as(month_files, file_root, sample_source, "101020;luokanopettaja;vakinainen;1.8.2005;;100")

    # Each report's Unit column names its own unit, the one left or joined; the event names the other.
    assert events("101010", APRIL) == [("Moved out to 101020", "Mäkinen Aino", "101010")]
    assert events("101020", APRIL) == [("Moved in from 101010", "Mäkinen Aino", "101020")]
    # Within the school (1010 with its sub-units) she did not come or go.
    with translation.override("en"):
        school = employment_report(WorkUnit.objects.get(code="1010"), APRIL, include_subunits=True)
        assert employment_events(school) == []


def test_a_move_out_of_a_sub_unit_names_the_sub_unit_left(march, month_files, file_root, sample_source):
    april_with_aino_as(month_files, file_root, sample_source, "2010;kokki;vakinainen;1.8.2005;;100")

    with translation.override("en"):
        school = employment_report(WorkUnit.objects.get(code="1010"), APRIL, include_subunits=True)
        events = [(event.event, event.employee_name, event.unit_code) for event in employment_events(school)]
    assert events == [("Moved out to 2010", "Mäkinen Aino", "101010")]


def test_who_started_in_a_unit_stays_in_its_months_report_after_moving_on(march, month_files, file_root, sample_source):
    # Nieminen Päivi started in 2010 on 1.3.2026 and Salo Ville's employment in 2020 ended on 31.3.2026.
    assert events("2010", MARCH) == [("Started", "Nieminen Päivi", "2010")]
    assert events("2020", MARCH) == [("Ended", "Salo Ville", "2020")]
    month_files(
        APRIL,
        absences=[absence_line("102", "1.4.2026", "1.4.2026", "1", "1")],
        salaries=[salary_line("04/2026", "15.4.2026", "1001", "3 912,40")],
    )
    folder = file_root / "samples"
    (folder / "palvelussuhteet_202604.xlsx").unlink()
    moved = [line.replace(";2010;ravitsemistyöntekijä", ";2020;ravitsemistyöntekijä") for line in OTHERS]
    lines = [EMPLOYMENTS_HEADER, "010175-901V;Mäkinen Aino;2001001;101010;luokanopettaja;vakinainen;1.8.2005;;100"]
    (folder / "palvelussuhteet_202604.csv").write_text("\n".join([*lines, *moved]) + "\n")
    fetched(sample_source, APRIL)

    assert events("2010", MARCH) == [("Started", "Nieminen Päivi", "2010")]
    assert events("2020", MARCH) == [("Ended", "Salo Ville", "2020")]
    assert events("2020", APRIL) == [("Moved in from 2010", "Nieminen Päivi", "2020")]


def test_a_payment_to_someone_not_in_the_months_employments_file_adds_no_staff(sample_source, month_files):
    # A former employee's holiday compensation, paid in March: the employment is in no employments file.
    final_pay = "111150-9999;Entinen Erkki;2009999;101010;03/2026;13.3.2026;3101;Lomakorvaus;1 204,55"
    month_files(
        MARCH,
        absences=[absence_line("101", "9.3.2026", "13.3.2026", "5", "5")],
        salaries=[salary_line("03/2026", "13.3.2026", "1001", "3 912,40"), final_pay],
    )
    fetched(sample_source, MARCH)
    unit = WorkUnit.objects.get(code="101010")

    # Aino 22 + Heikkilä 22 x 0,8 = 39,6 planned, as without the payment; 5 sick days = 12,6 %.
    assert rate(unit, MARCH) == (Decimal("39.6"), Decimal("12.6"))


def test_a_month_stored_by_a_source_switched_off_counts_its_staff_once(march, sample_source):
    # The samples' employments pass to another source, which has not fetched March: March's file of the
    # first source still tells its staff, once.
    sample_source.active = False
    sample_source.save(update_fields=["active"])
    Employment.objects.update(source=Source.objects.create(name="rajapinta", kind="simulator"))

    assert rate(march, MARCH) == (Decimal("39.6"), Decimal("12.6"))


def test_the_email_and_the_pdf_count_the_moves_beside_the_starts_and_ends(
    march, month_files, file_root, sample_source, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    april_with_aino_as(month_files, file_root, sample_source, "101020;luokanopettaja;vakinainen;1.8.2005;;100")
    unit = WorkUnit.objects.get(code="101010")
    user = make_user("esihenkilo-siirto", Role.SUPERVISOR)
    supervisor_assign(unit=unit, user=user, role=SupervisorRole.SUPERVISOR, valid_from=date(2025, 1, 1))
    subscription_save(user=user, unit=unit, reports=["employments"], format="pdf", language="en")

    unit_reports_send(period=APRIL)

    [message] = mail.outbox
    assert "Employments started: 0, ended: 0. Moved in: 0, moved out: 1." in message.body
    [(_name, content, _mime)] = message.attachments
    assert "Employments started: 0, ended: 0. Moved in: 0, moved out: 1." in pdf_text(content)


@pytest.fixture
def file_of_last_days_staff(unit_tree):
    """report_data.py's March with an employments file of those in force on 31.3. (EmploymentMonth): Aalto and
    Berg. Cedergren (101010, 100 %) left on 10.3. and is not in it; Dahl (1010, permanent since 2020, no end
    known) is in no file of March either - she left before it, her end never reached Populus' file."""
    data = build_report_data(unit_tree)
    source = Source.objects.get(name="testi")
    dahl = _employment(4, "Dahl Doris", unit_tree["1010"], start=date(2020, 1, 1))
    Employment.objects.update(source=source)
    for employment in (data["aalto"], data["berg"]):
        EmploymentMonth.objects.create(
            employment=employment,
            period=MARCH,
            unit=employment.unit,
            start=employment.start,
            end=employment.end,
            working_time_percent=employment.working_time_percent,
            source=source,
        )
    return data | {"dahl": dahl}


def test_the_absence_report_counts_the_staff_the_employments_report_lists(file_of_last_days_staff, unit_tree):
    """Both reports count anyone in force on a day of the month: Cedergren, whom the employments report lists
    as ended on 10.3., is on the absence report's staff for 2.-10.3. (7 working days), as her sick days
    5.-6.3. are; Dahl, in neither report, is on neither."""
    unit = unit_tree["1010"]
    report = employment_report(unit, MARCH, include_subunits=True)
    assert [row.employee_name for row in report.ended] == ["Cedergren Cecilia"]
    assert [row.employee_name for row in report.started] == ["Berg Bertil"]

    summary = absence_summary(unit, MARCH, include_subunits=True)

    # Aalto 22 + Berg 12 x 0.5 + Cedergren 7 = 35; sick Aalto 4 + Berg 1 + Cedergren 2 = 7: 20.0 %.
    assert (summary.planned_working_days, summary.sick_planned_days, summary.sick_rate) == (
        Decimal(35),
        Decimal(7),
        Decimal("20.0"),
    )
