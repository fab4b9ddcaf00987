"""Issue 14, item 2: no output lets a reader learn one resident's answers.

A completed campaign of 15 respondents: one aged 18-29, six aged 30-64 and eight aged 65+. The
18-29 group is below the minimum of 5 and hidden; 30-64 is hidden with it (complementary
suppression), or everyone minus 30-64 minus 65+ would be the one young respondent. Each output is
checked end to end, as a councillor (who may read results) or a survey manager sees it.
"""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import openpyxl
import pypdf
import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from kuntaportaali.roles import Role
from surveys.models import CampaignStatus, ResultSummary
from surveys.reports.files import report_build
from surveys.services import campaigns as campaign_services
from tests.surveys.factories import build_campaign, build_survey, skip_from_no_to_last
from tests.surveys.test_results_service import answer, respond, set_age_targets

pytestmark = pytest.mark.django_db

FINISHED = datetime(2025, 12, 10, 14, 37, 12, 345000, tzinfo=ZoneInfo("Europe/Helsinki"))
YOUNG_ANSWER = "Nuoren oma salaisuus"
# (age option digit, exercises weekly: 1 yes / 2 no, open answer)
RESPONDENTS = (
    [(1, 1, YOUNG_ANSWER)]
    + [(2, 1, "Pyöräteitä keskustaan")] * 4
    + [(2, 2, "Kirjasto auki")] * 2
    + [(3, 1, "Penkkejä puistoihin")] * 2
    + [(3, 2, "")] * 6
)
# As people read them in English: 1/15, 6/15 (hidden) and 8/15 (shown) of the respondents.
YOUNG_SHARE, MIDDLE_SHARE, OLD_SHARE = "6.7\xa0%", "40.0\xa0%", "53.3\xa0%"


@pytest.fixture
def campaign(role_users):
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="pienet-ryhmat"), manager, slug="pienet")
    campaign.survey_version.offers_en = True  # English reports, so the tests read the English messages
    campaign.survey_version.save(update_fields=["offers_en"])
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)
    set_age_targets("0.15", "0.50", "0.35")
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for age, exercise, text in RESPONDENTS:
        response = respond(campaign)
        response.finished_at = FINISHED
        response.save(update_fields=["finished_at"])
        answer(response, questions[1], digit=age)
        answer(response, questions[2], digit=exercise)
        answer(response, questions[3], digit=3)
        if text:
            answer(response, questions[4], transcript=text)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])
    return campaign


@pytest.fixture
def reader(client_as):
    """`reader(role)`: the test client as that role, reading English."""

    def login(role: Role):
        client = client_as(role)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def shows(share: str, text: str) -> bool:
    """Whether `text` has the percentage `share` ("6.7 %" but not within "46.7 %")."""
    return re.search(r"(?<![\d.,])" + re.escape(share.replace("\xa0", " ")), text.replace("\xa0", " ")) is not None


def results_page(client, campaign, **query):
    return client.get(reverse("surveys:campaign-results", args=[campaign.slug]), query)


def table_rows(table) -> dict[str, list[str]]:
    return {label: cells for label, cells in table.rows}


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def sheet_rows(sheet) -> list[list]:
    return [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]


def pdf_text(data: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(data)).pages
    return "\n".join(" ".join(page.extract_text().replace("\xa0", " ").split(" ")) for page in pages)


def test_a_filter_to_one_respondent_shows_only_a_note(reader, campaign):
    response = results_page(reader(Role.COUNCILLOR), campaign, group_age_group="18-29")

    page = response.text
    assert response.status_code == 200
    assert response.context["view"].results.selected_respondents is None
    assert response.context["view"].questions == []
    assert 'class="group-filter-note suppression-note" role="status">The answers of the group Age group: 18–29' in page
    assert YOUNG_ANSWER not in page
    assert 'class="results-question"' not in page
    assert "1 respondent" not in page


def test_a_filter_to_the_complementary_group_shows_only_a_note(reader, campaign):
    response = results_page(reader(Role.COUNCILLOR), campaign, group_age_group="30-64")

    assert response.context["view"].questions == []
    assert "Pyöräteitä keskustaan" not in response.text
    # The same words as for the group of one: "fewer than 5" here and "hidden" there would bound both.
    assert response.context["view"].hidden_note == (
        "The answers of the group Age group: 30–64 are hidden to protect the respondents' privacy: the group is "
        "too small to show, or a smaller group could be worked out from it."
    )
    assert "6 respondents" not in response.text


def test_a_filter_to_a_large_enough_group_shows_its_results(reader, campaign):
    response = results_page(reader(Role.COUNCILLOR), campaign, group_age_group="65+")

    view = response.context["view"]
    assert view.results.selected_respondents == 8
    assert table_rows(view.questions[1].figure.table)["yes"][:2] == ["2", "25.0\xa0%"]
    # Only 2 of the 8 answered the open question: their answers are not the group's to show.
    assert view.questions[3].hidden_note.startswith("Fewer than 5 respondents of this group answered")
    assert "Penkkejä puistoihin" not in response.text
    assert YOUNG_ANSWER not in response.text


def test_who_answered_hides_the_small_group_and_its_complement_in_the_table_and_the_chart(reader, campaign):
    view = results_page(reader(Role.COUNCILLOR), campaign).context["view"]

    [ages] = view.groups
    rows = table_rows(ages.table)
    assert rows["18–29"] == ["hidden", "–", "–", "15.0\xa0%"]
    assert rows["30–64"] == ["hidden", "–", "–", "50.0\xa0%"]
    assert rows["65+"] == ["8", OLD_SHARE, "35.0\xa0%", "35.0\xa0%"]
    assert ages.table.note == (
        "To protect the respondents' privacy, the figures of groups with fewer than 5 respondents, and of groups "
        "from which those could be worked out, are hidden."
    )
    assert not shows(YOUNG_SHARE, ages.chart) and not shows(MIDDLE_SHARE, ages.chart) and shows(OLD_SHARE, ages.chart)


def test_the_age_question_and_the_crosstab_hide_the_same_groups(reader, campaign):
    client = reader(Role.COUNCILLOR)
    view = results_page(client, campaign, estimate="unweighted").context["view"]

    age_question, exercise = view.questions[0], view.questions[1]
    options = table_rows(age_question.figure.table)
    assert options["18–29"][:3] == ["hidden", "–", "–"]
    assert options["30–64"][:3] == ["hidden", "–", "–"]
    assert options["65+"][:2] == ["8", OLD_SHARE]
    assert not shows(YOUNG_SHARE, age_question.figure.chart) and not shows(MIDDLE_SHARE, age_question.figure.chart)
    [by_age] = exercise.crosstabs
    crosstab = table_rows(by_age)
    assert crosstab["Respondents"] == ["hidden", "hidden", "8"]
    assert crosstab["yes"][:2] == ["–", "–"] and crosstab["no"][:2] == ["–", "–"]
    assert by_age.note.startswith("To protect the respondents' privacy")
    assert 'class="suppression-note"' in results_page(client, campaign).text


def test_everyone_is_hidden_when_fewer_than_five_answered(reader, campaign):
    for response in list(campaign.responses.order_by("pk"))[4:]:
        response.answers.all().delete()
        response.delete()

    response = results_page(reader(Role.COUNCILLOR), campaign)

    assert response.context["view"].questions == []
    assert response.context["view"].hidden_note.startswith("Fewer than 5 respondents have answered")
    assert YOUNG_ANSWER not in response.text


def test_the_pdf_report_hides_the_same_groups(campaign):
    text = pdf_text(report_build(campaign=campaign, file_format="pdf", language="en"))

    assert "fewer than 5" not in text.replace("groups with fewer than 5", "") and "hidden" in text
    assert not shows(YOUNG_SHARE, text) and not shows(MIDDLE_SHARE, text)
    assert shows(OLD_SHARE, text)


def test_the_xlsx_report_hides_the_same_groups_and_has_no_row_level_sheet(campaign):
    book = workbook(report_build(campaign=campaign, file_format="xlsx", language="en"))

    assert "Anonymous responses" not in book.sheetnames
    weights = {row[1]: row[2:] for row in sheet_rows(book["Weights"])}
    assert weights["18–29"] == ["hidden", None, None, 0.15]
    assert weights["30–64"] == ["hidden", None, None, 0.5]
    assert weights["65+"][:2] == [8, 8 / 15]
    crosstab = [row for row in sheet_rows(book["Cross-tabs"]) if row[3] in ("18–29", "30–64")]
    assert {(row[4], row[6]) for row in crosstab} == {("hidden", None)}
    age_options = {row[2]: row[3:6] for row in sheet_rows(book["Questions"]) if row[0] == 1}
    assert age_options["18–29"] == ["hidden", None, None]
    summary = {row[1]: row[2] for row in sheet_rows(book["Summary"]) if row[0] == "Privacy"}
    assert summary["Smallest group whose figures are shown (respondents)"] == 5


def test_complementary_suppression_cannot_be_undone_from_the_totals(campaign):
    book = workbook(report_build(campaign=campaign, file_format="xlsx", language="en"))

    respondents = next(row[2] for row in sheet_rows(book["Summary"]) if row[:2] == ["Weighting", "Respondents"])
    counts = [row[2] for row in sheet_rows(book["Weights"]) if row[0] == "Age group"]
    shown = [count for count in counts if isinstance(count, int)]
    hidden = [count for count in counts if not isinstance(count, int)]
    # What is hidden together is two groups of 7 respondents: neither can be told from the other.
    assert len(hidden) == 2 and respondents - sum(shown) == 7


@override_settings(RESULTS_MIN_GROUP_SIZE=9)
def test_the_minimum_comes_from_the_setting(reader, campaign):
    view = results_page(reader(Role.COUNCILLOR), campaign).context["view"]

    assert table_rows(view.groups[0].table)["65+"][0] == "hidden"


def test_the_published_summary_hides_the_same_groups(client_as, client, campaign):
    client_as(Role.COMMUNICATIONS).post(
        reverse("surveys:summary", args=[campaign.slug]), {"intro_fi": "Tulokset.", "question_positions": [1, 2]}
    )
    client.logout()

    page = client.get(f"/en/surveys/{campaign.slug}/").text

    assert ResultSummary.objects.get(campaign=campaign).figures["minimum"] == 5
    assert '<td class="num">fewer than 5</td>' not in page
    assert page.count('<td class="num">hidden</td>') == 4  # who answered, and the age question's answers
    assert not shows(YOUNG_SHARE, page) and not shows(MIDDLE_SHARE, page) and shows(OLD_SHARE, page)


def test_a_summary_published_before_complementary_suppression_hides_the_rest_of_a_dimension(
    client_as, client, campaign
):
    client_as(Role.COMMUNICATIONS).post(
        reverse("surveys:summary", args=[campaign.slug]), {"intro_fi": "Tulokset.", "question_positions": [2]}
    )
    summary = ResultSummary.objects.get(campaign=campaign)
    figures = summary.figures
    del figures["minimum"]
    for language in figures["languages"].values():
        for group in language["groups"]:
            for row in group["rows"]:
                del row["hidden"]
                if row["label"] == "30–64":  # as it was published then: only the 1-person group hidden
                    row["respondents"], row["sample_share"] = 6, 6 / 15
    summary.save(update_fields=["figures"])
    client.logout()

    page = client.get(f"/en/surveys/{campaign.slug}/").text

    assert page.count('<td class="num">hidden</td>') == 3
    assert not shows(MIDDLE_SHARE, page) and not shows(OLD_SHARE, page)


def test_councillors_get_no_row_level_answers(reader, campaign):
    client = reader(Role.COUNCILLOR)

    page = results_page(client, campaign).text
    response = client.get(reverse("surveys:responses-download", args=[campaign.slug]), {"language": "fi"})

    assert response.status_code == 403
    assert reverse("surveys:responses-download", args=[campaign.slug]) not in page


def test_survey_managers_get_row_level_answers_coarsened(reader, campaign):
    client = reader(Role.SURVEY_MANAGER)

    assert reverse("surveys:responses-download", args=[campaign.slug]) in results_page(client, campaign).text
    response = client.get(reverse("surveys:responses-download", args=[campaign.slug]), {"language": "en"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pienet-responses.xlsx"'
    sheet = workbook(response.content)["Anonymous responses"]
    header = [cell.value for cell in sheet[1]]
    assert header[:5] == ["Respondent", "Language", "Status", "Finished on", "Weight"]
    rows = list(sheet.iter_rows(min_row=2))
    finished = rows[0][3]
    assert finished.value == datetime(2025, 12, 10) and finished.number_format == "dd/mm/yyyy"
    young, middle, old = rows[0], rows[1], rows[-1]
    # The only 18-29 respondent's background (language, age group) and weight are blanked; the rest stays.
    assert [cell.value for cell in young[:9]] == [
        1,
        "hidden",
        "Complete answer",
        finished.value,
        None,
        "hidden",
        "yes",
        3,
        YOUNG_ANSWER,
    ]
    assert [cell.value for cell in middle[:6]][1::4] == ["fi", "30–64"] and middle[4].value == pytest.approx(
        0.65 * 15 / 7
    )
    assert [cell.value for cell in old[:6]][1::4] == ["fi", "65+"]


# --- the ways a reviewer found to get the hidden groups back -------------------------------------


def number(text: str) -> float:
    return float(text.replace("\xa0%", "").replace(",", "."))


def test_weights_and_weighted_shares_do_not_give_away_the_young_answer(reader, campaign):
    view = results_page(reader(Role.COUNCILLOR), campaign).context["view"]

    # The hidden 18-29 (1) and 30-64 (6) are weighted as one: each weighs 0.65 * 15 / 7, the 8 of 65+
    # 0.35 * 15 / 8. The largest weight gives only the hidden groups' size together (7), known anyway.
    n, largest = 15, number(view.weights.rows[0][1][-1])
    assert round(0.65 * n / largest) == 7
    assert "Age group: 18–29, 30–64 are weighted as one group, as their figures are hidden." in view.collapsed
    # Unweighted yes and the weighted share of yes are two equations; with one weight for both hidden
    # groups they are the same equation, so every split of the hidden yes answers fits them.
    exercise = view.questions[1]
    yes_total = int(table_rows(exercise.figure.table)["yes"][0])
    weighted_yes = number(table_rows(exercise.figure.table)["yes"][2]) / 100 * n
    old_yes = round(number(table_rows(exercise.crosstabs[0])["yes"][2]) / 100 * 8)
    hidden_weight, old_weight = 0.65 * n / 7, 0.35 * n / 8
    splits = [
        young_yes
        for young_yes in range(0, 2)
        for middle_yes in range(0, 7)
        if young_yes + middle_yes == yes_total - old_yes
        and abs(hidden_weight * (young_yes + middle_yes) + old_weight * old_yes - weighted_yes) < 0.05
    ]
    assert splits == [0, 1]


@pytest.fixture
def campaign_with_skips(role_users):
    """1 respondent aged 18-29, 8 aged 30-64, 8 aged 65+ and 4 who did not say their age."""
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="ohitukset"), manager, slug="ohitukset")
    campaign.survey_version.offers_en = True
    campaign.survey_version.save(update_fields=["offers_en"])
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)
    set_age_targets("0.15", "0.50", "0.35")
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    for age, exercise in [(1, 1)] + [(2, 1)] * 8 + [(3, 2)] * 8 + [(None, 2)] * 4:
        response = respond(campaign)
        if age:
            answer(response, questions[1], digit=age)
        answer(response, questions[2], digit=exercise)
        answer(response, questions[3], digit=3)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])
    return campaign


def test_those_who_skipped_the_age_question_do_not_make_the_small_group_exact(reader, campaign_with_skips):
    response = results_page(reader(Role.COUNCILLOR), campaign_with_skips, estimate="unweighted")
    view = response.context["view"]

    ages = table_rows(view.groups[0].table)
    age_question = view.questions[0]
    # Fewer than 5 skipped it: everyone less the age groups would be their answers, so the 4 are left
    # out of the results, which say so. They protect nobody either: 30-64 is hidden with 18-29.
    assert (age_question.answered, age_question.skipped) == ("17", "0")
    assert any(
        "4 respondents who left a background question unanswered are not included" in each for each in view.warnings
    )
    assert [ages["18–29"][0], ages["30–64"][0], ages["65+"][0]] == ["hidden", "hidden", "8"]
    assert int(age_question.answered) - 8 == 9  # the two hidden groups together


def test_a_weighting_warning_states_no_factor_of_a_hidden_group(reader, campaign):
    from surveys.models import CampaignResultSettings, PopulationTarget

    PopulationTarget.objects.filter(category="30-64").update(share="0.60")
    PopulationTarget.objects.filter(category="65+").update(share="0.25")
    CampaignResultSettings.objects.create(campaign=campaign, trim_cap=1.5)

    view = results_page(reader(Role.COUNCILLOR), campaign).context["view"]

    # 18-29 and 30-64 (7 respondents, 75 % of the population) would each stand for 1.6: no such figure.
    assert view.collapsed == [
        "Age group: 18–29, 30–64 are weighted as one group, as their figures are hidden.",
        "Age group: too few answered 18–29, 30–64 for a weight of at most 1.5 times the mean, so it is weighted "
        "together with 65+.",
    ]


def test_the_findings_and_the_filter_say_nothing_of_the_hidden_groups(reader, campaign):
    response = results_page(reader(Role.COUNCILLOR), campaign)
    view = response.context["view"]

    # 65+ (8 of 15 against 35 %) is worth a sentence; the hidden 18-29 and 30-64 are in none.
    assert view.representation == [
        "Age group: 65+ answered more than their share: 53 % of those who answered, 35 % of the residents."
    ]
    sentences = view.ratings + [question.finding for question in view.findings] + view.representation
    assert not any("18–29" in sentence or "30–64" in sentence for sentence in sentences)
    assert '<option value="18-29" disabled>' in response.text and '<option value="30-64" disabled>' in response.text
    assert '<option value="65+" lang="fi">' in response.text  # the survey's Finnish label on an English page


@pytest.fixture
def campaign_with_a_followup(role_users):
    """Satisfaction (question 3) is asked only of those who exercise weekly (a "no" jumps to question 4):
    18-29 has 6 respondents and 5 answers to it, 30-64 has 8 and 6, 65+ has 8 and only 2."""
    manager = role_users[Role.SURVEY_MANAGER]
    campaign = build_campaign(build_survey(manager, slug="jatkokysymys"), manager, slug="jatkokysymys")
    skip_from_no_to_last(campaign.survey_version.survey)
    campaign.survey_version.offers_en = True
    campaign.survey_version.save(update_fields=["offers_en"])
    campaign_services.campaign_publish_questions(campaign=campaign, by=manager)
    set_age_targets("0.15", "0.50", "0.35")
    questions = {question.position: question for question in campaign.survey_version.questions.all()}
    people = [(1, 1, 5)] * 5 + [(1, 2, None)] + [(2, 1, 4)] * 6 + [(2, 2, None)] * 2
    people += [(3, 1, 1), (3, 1, 2)] + [(3, 2, None)] * 6
    for age, exercise, satisfaction in people:
        response = respond(campaign)
        answer(response, questions[1], digit=age)
        answer(response, questions[2], digit=exercise)
        if satisfaction:
            answer(response, questions[3], digit=satisfaction)
    campaign.status = CampaignStatus.COMPLETED
    campaign.save(update_fields=["status"])
    return campaign


def test_a_crosstab_column_with_fewer_than_five_answers_is_hidden_with_a_complement(reader, campaign_with_a_followup):
    view = results_page(reader(Role.COUNCILLOR), campaign_with_a_followup, estimate="unweighted").context["view"]

    satisfaction = view.questions[2]
    assert satisfaction.answered == "13"
    [by_age] = satisfaction.crosstabs
    crosstab = table_rows(by_age)
    # 65+ is a group of 8, but only 2 of them were asked: their two answers (1 and 2) would be shown.
    # Hiding only them would leave them as everyone's answers less the other columns': 18-29, the
    # smallest shown column, is hidden with them.
    assert crosstab["Respondents"] == ["hidden", "6", "hidden"]
    assert crosstab["Margin of error (95 %), at most"] == ["hidden", "±31.2\xa0%", "hidden"]
    shares = [cells for label, cells in crosstab.items() if label in "12345"]
    assert len(shares) == 5 and all(cells[0] == cells[2] == "–" for cells in shares)
    assert crosstab["4"][1] == "100.0\xa0%"
    assert by_age.note.startswith("To protect the respondents' privacy")


@pytest.mark.parametrize(
    ("group", "hidden"),
    [("65+", True), ("18-29", True), ("30-64", False)],
    ids=["two-answered", "its-complement", "shown"],
)
def test_a_group_filter_hides_a_question_fewer_than_five_of_the_group_answered(
    reader, campaign_with_a_followup, group, hidden
):
    response = results_page(reader(Role.COUNCILLOR), campaign_with_a_followup, group_age_group=group)

    satisfaction = response.context["view"].questions[2]
    shares = table_rows(satisfaction.figure.table)
    if hidden:
        # The group's answers to question 3 would be the column the crosstab hides: 65+ has 2 of
        # them, and 18-29's 5 with everyone's 13 and 30-64's 6 would give those 2 away.
        assert {cells[0] for cells in shares.values()} == {"hidden"}
        assert satisfaction.mean is None
        assert satisfaction.hidden_note == (
            "Fewer than 5 respondents of this group answered this question, or their answers could be worked out "
            "from the other figures: the answers are hidden to protect their privacy."
        )
        assert satisfaction.hidden_note in response.text
    else:
        assert shares["4"][:2] == ["6", "100.0\xa0%"]
        assert satisfaction.hidden_note == ""


def test_a_question_fewer_than_five_answered_is_hidden_in_every_output(reader, campaign_with_a_followup):
    questions = {question.position: question for question in campaign_with_a_followup.survey_version.questions.all()}
    for response in campaign_with_a_followup.responses.order_by("pk")[:3]:
        answer(response, questions[4], transcript="Oma salainen toive")

    page = results_page(reader(Role.COUNCILLOR), campaign_with_a_followup)
    book = workbook(report_build(campaign=campaign_with_a_followup, file_format="xlsx", language="en"))
    text = pdf_text(report_build(campaign=campaign_with_a_followup, file_format="pdf", language="en"))

    wishes = page.context["view"].questions[3]
    assert wishes.open_answers == [] and wishes.themes is None
    assert wishes.hidden_note.startswith("Fewer than 5 respondents answered this question")
    assert "Oma salainen toive" not in page.text
    assert "Oma salainen toive" not in str([sheet_rows(sheet) for sheet in book.worksheets])
    assert "Oma salainen toive" not in text
    assert "Fewer than 5 respondents answered this question" in " ".join(text.split())
