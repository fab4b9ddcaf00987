"""What the phone bot says, step by step, in each language: one implementation for the editor's
preview, the residents' page, the TwiML of every telephony provider and the introduction of the
web survey (which says what the call says of the survey, and offers the call's choices).

Spoken texts are built with gettext under the respondent's language, so the Finnish and
Swedish wording lives in the translation catalogs like every other UI string.
"""

import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Question, QuestionKind, SurveyVersion

WORDS_PER_SECOND = 2.5  # a calm text-to-speech voice, about 150 words a minute
SECONDS_TO_ANSWER = 6  # thinking and pressing a key or speaking, per question
OPEN_ANSWER_SECONDS = 20
SENTENCE_ENDS = (".", "?", "!", "…")
INTRO_DIGIT_ANSWER, INTRO_DIGIT_DECLINE, INTRO_DIGIT_OPT_OUT = 1, 2, 9
# "Send me a link": offered only by a campaign with SMS follow-up. 3 is free at the introduction (1, 2
# and 9 are its other keys) and no spoken word of the others ("kyllä", "ei") means it.
INTRO_DIGIT_LINK = 3


@dataclass(frozen=True)
class Step:
    key: str  # "intro", "q<position>", "closing"
    title: str
    says: str
    keypad: list[tuple[int, str]] = field(default_factory=list)
    skips: list[tuple[int, int]] = field(default_factory=list)  # (digit, question position)


@dataclass(frozen=True)
class CallScript:
    language: str
    steps: list[Step]
    estimated_minutes: int

    @property
    def intro_hash(self) -> str:
        """Identifies the exact introduction a respondent heard (kept with their consent events)."""
        return hashlib.sha256(self.steps[0].says.encode()).hexdigest()


def call_script(version: SurveyVersion, *, language: str, offers_link: bool = False) -> CallScript:
    """The call of `version` in `language`; `offers_link`: its introduction offers the survey's link by
    text message (the campaign's SMS follow-up)."""
    if version.is_frozen:
        organiser = version.survey.localized("organiser", language)
        return _frozen_call_script(version, version.frozen_at, organiser, language, offers_link)
    return _call_script(version, language, offers_link)


# A frozen version never changes (an edit makes a new version), so each web process builds its
# script once per language instead of on every step of every call. The organiser's name in the
# script's language is in the key because it belongs to the survey, which is not frozen with the version.
@lru_cache(maxsize=64)
def _frozen_call_script(
    version: SurveyVersion, frozen_at, organiser: str, language: str, offers_link: bool
) -> CallScript:
    return _call_script(version, language, offers_link)


def _call_script(version: SurveyVersion, language: str, offers_link: bool = False) -> CallScript:
    questions = list(version.questions.prefetch_related("options__skip_to").order_by("position"))
    with translation.override(language):
        question_steps = [_question_step(question, language) for question in questions]
        closing = Step("closing", step_title("closing"), _closing_text())
        # The introduction states the length; its own words barely change with the number in it.
        spoken = [
            _intro_text(version, language, 1, offers_link),
            *(step.says for step in [*question_steps, closing]),
        ]
        minutes = _estimate_minutes(spoken, questions)
        intro = Step(
            "intro",
            step_title("intro"),
            _intro_text(version, language, minutes, offers_link),
            _intro_keypad(offers_link),
        )
        return CallScript(language, [intro, *question_steps, closing], minutes)


def step_title(key: str) -> str:
    """A step's heading in the active language, from its key ("intro", "q<position>", "closing")."""
    if key == "intro":
        return _("Introduction")
    if key == "closing":
        return _("Closing")
    return _("Question %(number)d") % {"number": int(key.removeprefix("q"))}


def _intro_text(version: SurveyVersion, language: str, minutes: int, offers_link: bool) -> str:
    link = (
        [
            _("To answer on the web instead, press %(link)d and we will send you a link by text message.")
            % {"link": INTRO_DIGIT_LINK}
        ]
        if offers_link
        else []
    )
    return " ".join(
        [
            _("Hello, this is an automated call from %(organiser)s.")
            % {"organiser": version.survey.localized("organiser", language)},
            *_survey_sentences(version, language, minutes),
            *link,
            _("Press %(answer)d to answer, %(decline)d to decline, or %(opt_out)d never to be called again.")
            % {"answer": INTRO_DIGIT_ANSWER, "decline": INTRO_DIGIT_DECLINE, "opt_out": INTRO_DIGIT_OPT_OUT},
        ]
    )


def _survey_sentences(version: SurveyVersion, language: str, minutes: int) -> list[str]:
    """What every introduction, spoken or on the web, says of the survey: its topic, why it is made,
    how long it takes and that taking part is voluntary."""
    return [
        topic_sentence(version.localized("title", language).strip()),
        version.localized("purpose", language),
        ngettext(
            "Answering takes about %(minutes)d minute.",
            "Answering takes about %(minutes)d minutes.",
            minutes,
        )
        % {"minutes": minutes},
        _("Taking part is voluntary and your answers are handled without your phone number."),
    ]


@dataclass(frozen=True)
class WebIntroduction:
    """The introduction of the survey on the web: who asks, then the call's own sentences about the
    survey; the choices are the call's too (`consent_choices`)."""

    language: str
    sentences: list[str]

    @property
    def intro_hash(self) -> str:
        """Identifies the exact introduction a respondent read (kept with their consent events)."""
        return hashlib.sha256(" ".join(self.sentences).encode()).hexdigest()


def web_introduction(version: SurveyVersion, *, language: str) -> WebIntroduction:
    minutes = call_script(version, language=language).estimated_minutes
    with translation.override(language):
        asks = _("%(organiser)s asks residents to answer this survey.") % {
            "organiser": version.survey.localized("organiser", language)
        }
        return WebIntroduction(language, [asks, *_survey_sentences(version, language, minutes)])


def consent_choices() -> dict[int, str]:
    """What a person may choose after the introduction, by the call's keypad digit."""
    return {
        INTRO_DIGIT_ANSWER: _("answer the survey"),
        INTRO_DIGIT_DECLINE: _("decline this time"),
        INTRO_DIGIT_OPT_OUT: _("never be called again"),
    }


def topic_sentence(title: str) -> str:
    """The sentence naming the survey; a title that ends a sentence itself ("…tärkeää?") gets no extra period."""
    sentence = _("We are asking residents about: %(title)s.") % {"title": title}
    if title.endswith(SENTENCE_ENDS) and sentence.endswith(f"{title}."):
        return sentence[:-1]
    return sentence


def _intro_keypad(offers_link: bool) -> list[tuple[int, str]]:
    choices = list(consent_choices().items())
    if offers_link:
        choices.insert(1, (INTRO_DIGIT_LINK, _("get a link to the survey by text message")))
    return choices


def _question_step(question: Question, language: str) -> Step:
    text = question.localized("text", language)
    keypad = [(option.digit, option.localized("label", language)) for option in question.options.all()]
    if question.kind == QuestionKind.NUMBER:
        instruction = _("Key in the number and finish with the hash key, or say it.")
    elif question.kind == QuestionKind.OPEN:
        instruction = _("Say your answer after the tone. Pause for a moment when you are done.")
    elif question.kind == QuestionKind.SCALE:
        instruction = _("Press a number from 1 to 5: 1 means not at all, 5 means very much.")
    else:
        instruction = " ".join(
            _("Press %(digit)d for %(label)s.") % {"digit": d, "label": label} for d, label in keypad
        )
    if not question.required:
        instruction += " " + _("To skip this question, press the star key.")
    skips = [(option.digit, option.skip_to.position) for option in question.options.all() if option.skip_to]
    key = f"q{question.position}"
    return Step(key, step_title(key), f"{text} {instruction}", keypad, skips)


def machine_message(campaign, *, language: str) -> str:
    """The short message left after an answering machine's beep, when the campaign leaves one: who
    called, about what, where the survey is and from which number they may call again."""
    from django.conf import settings
    from django.urls import reverse

    from .phone_numbers import phone_display

    version = campaign.survey_version
    with translation.override(language):
        page = settings.PUBLIC_BASE_URL + reverse("surveys-public:campaign", kwargs={"slug": campaign.slug})
        return " ".join(
            [
                _("Hello, this is an automated call from %(organiser)s.")
                % {"organiser": version.survey.localized("organiser", language)},
                topic_sentence(version.localized("title", language).strip()),
                _("You can read about the survey and its questions at %(page)s.") % {"page": page.split("://", 1)[-1]},
                _("We may call you again from the number %(number)s. Goodbye.")
                % {"number": phone_display(campaign.caller_number)},
            ]
        )


def closing_sentences() -> list[str]:
    """The thanks a respondent gets at the end, by phone or on the web."""
    return [_("Thank you for your answers."), _("The results will be published on the municipality's website.")]


def _closing_text() -> str:
    return " ".join([*closing_sentences(), _("Goodbye.")])


def _estimate_minutes(spoken: list[str], questions: list[Question]) -> int:
    words = sum(len(text.split()) for text in spoken)
    answering = sum(OPEN_ANSWER_SECONDS if q.kind == QuestionKind.OPEN else SECONDS_TO_ANSWER for q in questions)
    return max(1, math.ceil((words / WORDS_PER_SECOND + answering) / 60))
