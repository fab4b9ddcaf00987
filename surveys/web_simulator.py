"""The synthetic residents on the web: a resident who opens the personal link of their text message
answers the survey through the real web survey pages, as their phone's browser would.

Like the simulator carrier posts the resident's side of a call to the real IVR webhook views, the
`Browser` requests the real pages of the link (Django's test client: the whole middleware, the
forms and their checks) at a moment of the simulation's virtual clock. The resident reads the
introduction; answers or leaves (`Resident.consents_on_web`); gives their true answers
(`true_answer`), following the skip rules as the pages lead them; and answers to the end or
breaks off where they would on the phone (`Resident.finishes_on_web`, `Resident.break_off`).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client
from django.utils import timezone, translation

from surveys.models import QuestionKind, SurveyVersion
from surveys.script import INTRO_DIGIT_ANSWER
from surveys.synthetic_population import ContactFacts, SurveyQuestions, resident_build, survey_questions, true_answer
from surveys.telephony.simulator import OPEN_ANSWERS, SKIPS_OPEN

FINISHED, BROKE_OFF, LEFT, CLOSED = "finished", "broke_off", "left", "closed"


@contextmanager
def virtual_now(moment: datetime) -> Iterator[None]:
    """The portal's clock (`django.utils.timezone.now`) reads `moment` while open. The web pages
    read the real clock - whether a link has expired, when a response was finished, when a consent
    event happened - and a simulated resident visits them at a moment of the virtual clock. Only for
    a simulation, which runs alone in its process."""
    real_now = timezone.now
    timezone.now = lambda: moment
    try:
        yield
    finally:
        timezone.now = real_now


@dataclass(frozen=True)
class LinkVisit:
    """A resident opening the link of their text message, at `moment`."""

    moment: datetime
    link: str
    contact: ContactFacts
    version_id: int
    year: int  # the campaign's, for the resident's age
    seed: int


class Browser:
    """Plays the residents' visits to their links through the real web survey pages."""

    def __init__(self):
        base = urlsplit(settings.PUBLIC_BASE_URL)
        self.client = Client(HTTP_HOST=base.netloc)
        self.secure = base.scheme == "https"
        self._surveys: dict[int, SurveyQuestions] = {}

    def survey(self, version_id: int) -> SurveyQuestions:
        # A running campaign's version is frozen: its questions are read once.
        if version_id not in self._surveys:
            self._surveys[version_id] = survey_questions(SurveyVersion.objects.get(pk=version_id))
        return self._surveys[version_id]

    def visit(self, visit: LinkVisit) -> str:
        """The whole visit at its moment; returns how it ended: FINISHED (the pages led back to the link's
        first page, which thanks - or lets go a person whose quota group is full), BROKE_OFF, LEFT or CLOSED."""
        resident = resident_build(visit.contact, seed=visit.seed, year=visit.year)
        start = visit.link.removeprefix(settings.PUBLIC_BASE_URL)
        # The pages switch to the link's language; the run that plays the visits goes on in its own.
        with virtual_now(visit.moment), translation.override(translation.get_language()):
            if self.client.get(start, secure=self.secure).status_code != 200:
                return CLOSED  # expired, or the campaign ended: the page says so
            if not resident.consents_on_web:
                return LEFT
            page = self.client.post(start, {"choice": INTRO_DIGIT_ANSWER}, secure=self.secure)
            survey = self.survey(visit.version_id)
            rng = resident.rng("web")
            while page.status_code == 302:
                following = page["Location"]
                if following == start:
                    return FINISHED
                question = survey.at(int(following.removeprefix(start).strip("/")))
                if not resident.finishes_on_web and _progress(survey, question) >= resident.break_off:
                    return BROKE_OFF
                page = self.client.post(
                    following, {"answer": _answer(resident, question, survey, rng)}, secure=self.secure
                )
        return LEFT  # a page that did not take the answer: the resident gives up


def _answer(resident, question, survey: SurveyQuestions, rng) -> str:
    if question.kind == QuestionKind.OPEN:
        if not question.required and rng.random() < SKIPS_OPEN:
            return ""
        return rng.choice(OPEN_ANSWERS.get(resident.language, OPEN_ANSWERS["fi"]))
    return str(true_answer(resident, question, survey))


def _progress(survey: SurveyQuestions, question) -> float:
    """How far into the questions `question` is, 0 for the first (as on the phone)."""
    return survey.questions.index(question) / len(survey.questions)
