"""The web survey a contact opens from their personal link: no login, one question a screen, every
step a plain form (CSRF-protected) that works without JavaScript.

Every page of a link answers 404 for a link that does not exist and 410 for one that has closed;
neither says whose link or which survey it was. Pages are never cached and never indexed.
"""

from functools import wraps

from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kuntaportaali.language_parts import part_in_language
from surveys.models import SCALE_ANSWERS, ConsentChannel, Contact, Question, QuestionKind
from surveys.script import (
    INTRO_DIGIT_ANSWER,
    INTRO_DIGIT_DECLINE,
    INTRO_DIGIT_OPT_OUT,
    closing_sentences,
    consent_choices,
    web_introduction,
)
from surveys.services.privacy import contact_opt_out
from surveys.services.survey_links import LinkClosed, LinkUnknown, survey_link_open
from surveys.services.web_survey import (
    AlreadyComplete,
    NotReachable,
    NotStarted,
    WebSurveyState,
    web_answer,
    web_consent,
    web_declined_last,
    web_question,
    web_resume,
    web_survey_state,
)
from surveys.web_survey_forms import OPEN_ANSWER_MAX_LENGTH, ConsentChoiceForm, WebAnswerForm

# The query of the start page that thanks a person who declined (after the redirect from their choice).
DECLINED = "declined"


def link_page(view):
    """The view of a link's page, given the link's contact; 404 or 410 when the link does not open."""

    @never_cache
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request, link: str, **kwargs):
        try:
            contact = survey_link_open(token=link).contact
        except LinkUnknown:
            response = render(request, "surveys/web/link_unknown.html", status=404)
        except LinkClosed:
            response = render(request, "surveys/web/link_closed.html", status=410)
        else:
            response = view(request, contact, link, **kwargs)
        response.headers["X-Robots-Tag"] = "noindex"
        return response

    return wrapper


def _context(contact: Contact, link: str, **extra) -> dict:
    """What every page of the survey shows: the survey in the page's language when it is offered in
    it, in Finnish otherwise."""
    version = contact.campaign.survey_version
    language = get_language() if get_language() in version.languages else "fi"
    return {
        "link": link,
        "campaign": contact.campaign,
        "language": language,
        "not_in_language": language != get_language(),
        "title": version.localized("title", language),
        **extra,
    }


def _to_step(link: str, position: int | None):
    """To the question at `position`, or to the link's first page (which thanks for a complete survey)."""
    if position is None:
        return redirect("surveys-public:web-survey", link=link)
    return redirect("surveys-public:web-question", link=link, position=position)


@link_page
def survey_start(request, contact: Contact, link: str):
    """The introduction, the information notice and the choice to answer, decline or opt out; or,
    once the person has answered (in either mode) or opted out, only a word about that."""
    state = web_survey_state(contact=contact)
    if state == WebSurveyState.COMPLETE:
        context = _context(contact, link)
        # The call's closing words, in the survey's language as its introduction is.
        with translation.override(context["language"]):
            thanks = closing_sentences()
        return render(request, "surveys/web/thanks.html", context | {"thanks": thanks})
    if state == WebSurveyState.OPTED_OUT:
        return render(request, "surveys/web/opted_out.html", _context(contact, link))
    if state == WebSurveyState.SCREENED_OUT:
        return render(request, "surveys/web/screened_out.html", _context(contact, link))
    context = _context(contact, link)
    language = context["language"]
    introduction = web_introduction(contact.campaign.survey_version, language=language)
    form = ConsentChoiceForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        choice = form.cleaned_data["choice"]
        web_consent(contact=contact, choice=choice, introduction=introduction)
        if choice == INTRO_DIGIT_ANSWER:
            return _to_step(link, web_resume(contact=contact))
        if choice == INTRO_DIGIT_DECLINE:
            # A page of its own, so that reloading the thanks does not send the choice again.
            thanks = _to_step(link, None)
            thanks["Location"] += f"?{DECLINED}"
            return thanks
        return _to_step(link, None)
    if request.method == "GET" and DECLINED in request.GET and web_declined_last(contact=contact):
        return render(request, "surveys/web/declined.html", context)
    with translation.override(language):
        choices = consent_choices()
    survey = contact.campaign.survey_version.survey
    # The first sentence names the organiser, in Finnish when the survey's language has no name for it.
    who_asks = part_in_language(
        introduction.sentences[0],
        survey.localized("organiser", language),
        language=survey.localized_language("organiser", language),
        text_language=language,
    )
    return render(
        request,
        "surveys/web/introduction.html",
        context
        | {
            "sentences": [who_asks, *introduction.sentences[1:]],
            "notice": contact.campaign.localized("information_notice", language),
            "notice_language": contact.campaign.localized_language("information_notice", language),
            "choices": [
                (INTRO_DIGIT_ANSWER, choices[INTRO_DIGIT_ANSWER], "button"),
                (INTRO_DIGIT_DECLINE, choices[INTRO_DIGIT_DECLINE], "button button--secondary"),
                (INTRO_DIGIT_OPT_OUT, choices[INTRO_DIGIT_OPT_OUT], "button button--quiet"),
            ],
            "show_opt_out": False,
        },
    )


@link_page
def survey_question(request, contact: Contact, link: str, position: int):
    """One question; its answer is stored and the next question on the respondent's way follows."""
    if web_survey_state(contact=contact) != WebSurveyState.OPEN:
        return _to_step(link, None)
    try:
        asked = web_question(contact=contact, position=position)
    except (NotStarted, AlreadyComplete):
        return _to_step(link, None)
    except NotReachable:
        return _to_step(link, web_resume(contact=contact))
    context = _context(contact, link)
    language = context["language"]
    question = asked.question
    form = WebAnswerForm(
        request.POST if request.method == "POST" else None, question=question, language=language, answer=asked.answer
    )
    if form.is_valid():
        try:
            following = web_answer(contact=contact, position=position, value=form.answer_values())
        except (NotStarted, AlreadyComplete):
            following = None
        except NotReachable:
            following = web_resume(contact=contact)
        return _to_step(link, following)
    hints = _hints(question, language)
    hint_id, error_id = f"{form['answer'].auto_id}_hint", f"{form['answer'].auto_id}_error"
    # The hint and the error are read out with the question's field (or its group of options).
    described_by = ([hint_id] if hints else []) + ([error_id] if form.errors else [])
    return render(
        request,
        "surveys/web/question.html",
        context
        | {
            "form": form,
            "question": question,
            "text": question.localized("text", language),
            "hints": hints,
            "hint_id": hint_id,
            "error_id": error_id,
            "described_by": " ".join(described_by),
            "previous": asked.previous,
            "number": asked.number,
            "total": asked.total,
            "open_answer_max_length": OPEN_ANSWER_MAX_LENGTH,
            "show_opt_out": True,
        },
    )


def _hints(question: Question, language: str) -> list[str]:
    """What the question's answers mean (a scale's ends, a number's range) and whether it may be left empty."""
    hints = []
    with translation.override(language):
        if question.kind == QuestionKind.SCALE:
            hints.append(str(SCALE_ANSWERS))
        limits = {"min": question.min_value, "max": question.max_value}
        if question.kind == QuestionKind.NUMBER and None not in limits.values():
            hints.append(_("A number from %(min)d to %(max)d.") % limits)
        elif question.kind == QuestionKind.NUMBER and question.min_value is not None:
            hints.append(_("A number of at least %(min)d.") % limits)
        elif question.kind == QuestionKind.NUMBER and question.max_value is not None:
            hints.append(_("A number of at most %(max)d.") % limits)
        if not question.required:
            hints.append(_("You may leave this question unanswered."))
    return hints


@link_page
def survey_opt_out(request, contact: Contact, link: str):
    """Never to be called or messaged again: the opt-out of the page, recorded on the web channel."""
    if web_survey_state(contact=contact) != WebSurveyState.OPEN:
        return _to_step(link, None)
    if request.method == "POST":
        contact_opt_out(contact=contact, source=ConsentChannel.WEB)
        return _to_step(link, None)
    return render(request, "surveys/web/opt_out.html", _context(contact, link))
