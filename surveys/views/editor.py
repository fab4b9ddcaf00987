"""The survey editor: surveys, their questions and the preview of what the bot says."""

import dataclasses

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kuntaportaali.decorators import staff_permission_required
from kuntaportaali.forms import service_error_add
from surveys import selectors
from surveys.errors import SurveyError
from surveys.forms import QuestionForm, SurveyForm
from surveys.models import SCALE_ANSWERS, Question, Survey
from surveys.script import call_script, step_title
from surveys.services import surveys as survey_services
from surveys.tables import SurveyTable

manage_surveys = staff_permission_required("surveys.manage_surveys")


@manage_surveys
def survey_list(request):
    table = SurveyTable(selectors.surveys_for_editor(), caption=_("Surveys and their current versions"))
    return render(request, "surveys/editor/survey_list.html", {"table": table})


@manage_surveys
def survey_create(request):
    form = SurveyForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            survey = survey_services.survey_create(by=request.user, **form.cleaned_data)
        except SurveyError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The survey was created. Add its questions next."))
            return redirect("surveys:survey", slug=survey.slug)
    return render(request, "surveys/editor/survey_form.html", {"form": form})


@manage_surveys
def survey_detail(request, slug: str):
    survey = get_object_or_404(Survey, slug=slug)
    version = survey.current_version
    return render(
        request,
        "surveys/editor/survey_detail.html",
        {
            "survey": survey,
            "version": version,
            "questions": version.questions.prefetch_related("options__skip_to"),
            "versions": survey.versions.all(),
            "scale_answers": SCALE_ANSWERS,
        },
    )


@manage_surveys
def survey_edit(request, slug: str):
    survey = get_object_or_404(Survey, slug=slug)
    version = survey.current_version
    initial = {name: getattr(survey, name) for name in ("organiser", *survey_services.ORGANISER_TRANSLATIONS)} | {
        name: getattr(version, name) for name in survey_services.VERSION_FIELDS
    }
    form = SurveyForm(request.POST or None, creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            survey_services.survey_update(survey=survey, **form.cleaned_data)
        except SurveyError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("The survey texts were saved."))
            return redirect("surveys:survey", slug=survey.slug)
    return render(request, "surveys/editor/survey_form.html", {"form": form, "survey": survey})


@manage_surveys
def question_create(request, slug: str):
    survey = get_object_or_404(Survey, slug=slug)
    form = QuestionForm(request.POST or None, languages=survey.current_version.languages)
    if request.method == "POST" and form.is_valid():
        try:
            question = survey_services.question_create(
                survey=survey, options=form.option_texts(), **_question_fields(form)
            )
        except SurveyError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("Question %(number)d was added.") % {"number": question.position})
            return _after_question_saved(request, survey)
    return render(request, "surveys/editor/question_form.html", {"form": form, "survey": survey})


@manage_surveys
def question_edit(request, slug: str, position: int):
    survey = get_object_or_404(Survey, slug=slug)
    version = survey.current_version
    question = get_object_or_404(Question, version=version, position=position)
    later = list(version.questions.filter(position__gt=position))
    form = QuestionForm(request.POST or None, instance=question, languages=version.languages, later_questions=later)
    if request.method == "POST" and form.is_valid():
        try:
            survey_services.question_update(
                survey=survey,
                position=position,
                options=form.option_texts(),
                skips=form.skips(),
                **_question_fields(form),
            )
        except SurveyError as error:
            service_error_add(form, error)
        else:
            messages.success(request, _("Question %(number)d was saved.") % {"number": position})
            return _after_question_saved(request, survey)
    return render(request, "surveys/editor/question_form.html", {"form": form, "survey": survey, "question": question})


@require_POST
@manage_surveys
def question_move(request, slug: str, position: int):
    survey = get_object_or_404(Survey, slug=slug)
    offset = -1 if request.POST.get("direction") == "up" else 1
    try:
        new_position = survey_services.question_move(survey=survey, position=position, offset=offset)
    except SurveyError as error:
        messages.error(request, str(error))
        return redirect("surveys:survey", slug=slug)
    messages.success(request, _("The question is now number %(number)d.") % {"number": new_position})
    # Back to the moved question's own button, so keyboard focus can continue from where it was.
    return redirect(reverse("surveys:survey", kwargs={"slug": slug}) + f"#question-{new_position}")


@manage_surveys
def question_delete(request, slug: str, position: int):
    survey = get_object_or_404(Survey, slug=slug)
    question = get_object_or_404(Question, version=survey.current_version, position=position)
    if request.method == "POST":
        try:
            survey_services.question_delete(survey=survey, position=position)
        except SurveyError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Question %(number)d was deleted.") % {"number": position})
        return redirect("surveys:survey", slug=slug)
    return render(request, "surveys/editor/question_delete.html", {"survey": survey, "question": question})


@manage_surveys
def survey_preview(request, slug: str):
    survey = get_object_or_404(Survey, slug=slug)
    version = survey.current_version
    # The steps' headings are the page's, in its language; what each step says is the script's.
    scripts = [
        dataclasses.replace(
            script, steps=[dataclasses.replace(step, title=step_title(step.key)) for step in script.steps]
        )
        for script in (call_script(version, language=language) for language in version.languages)
    ]
    return render(request, "surveys/editor/preview.html", {"survey": survey, "version": version, "scripts": scripts})


def _question_fields(form: QuestionForm) -> dict:
    return {name: form.cleaned_data[name] for name in QuestionForm.Meta.fields if name in form.cleaned_data}


def _after_question_saved(request, survey: Survey):
    """Back to the survey, or on to a fresh question form when the manager chose "save and add another"."""
    if request.POST.get("then") == "add-another":
        return redirect("surveys:question-create", slug=survey.slug)
    return redirect("surveys:survey", slug=survey.slug)
