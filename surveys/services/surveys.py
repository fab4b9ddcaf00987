"""Writing surveys and their questions. Every write goes to the survey's editable version:
once a campaign has started, its version is frozen and the first edit copies it into a new one,
so what earlier respondents were asked never changes. Questions are addressed by position,
which a copy keeps.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kuntaportaali.slugs import unique_slug
from surveys.errors import SurveyError
from surveys.models import Question, QuestionKind, QuestionOption, Survey, SurveyVersion

from .announcements import announcements_follow_survey

VERSION_FIELDS = (
    "title_fi",
    "title_sv",
    "title_en",
    "purpose_fi",
    "purpose_sv",
    "purpose_en",
    "offers_sv",
    "offers_en",
)
ORGANISER_TRANSLATIONS = ("organiser_sv", "organiser_en")
QUESTION_FIELDS = ("kind", "demographic", "text_fi", "text_sv", "text_en", "required", "min_value", "max_value")
SCALE_POINTS = 5
MIN_CHOICES, MAX_CHOICES = 2, 9


@dataclass(frozen=True)
class OptionText:
    fi: str
    sv: str = ""
    en: str = ""


@transaction.atomic
def survey_create(
    *, slug: str = "", organiser: str, organiser_sv: str = "", organiser_en: str = "", by, **version_fields
) -> Survey:
    """An empty `slug` is made from the Finnish title, unique among the surveys."""
    slug = slug or unique_slug(
        version_fields.get("title_fi", ""), model=Survey, max_length=Survey._meta.get_field("slug").max_length
    )
    if not slug:
        raise SurveyError.of("survey_slug_empty")
    survey = Survey(slug=slug, organiser=organiser, organiser_sv=organiser_sv, organiser_en=organiser_en, created_by=by)
    _full_clean(survey)
    survey.save()
    version = SurveyVersion(survey=survey, number=1, **version_fields)
    _full_clean(version)
    version.save()
    return survey


def survey_editable_version(*, survey: Survey) -> SurveyVersion:
    """The version edits go to: the current one, or a fresh copy when the current one is frozen.

    Call it inside a transaction: it locks the survey row until the edit commits, so a campaign
    start cannot freeze the version half-way through an edit (see `version_freeze`) and two
    concurrent edits of a frozen version cannot both copy it."""
    Survey.objects.select_for_update().only("pk").get(pk=survey.pk)
    current = survey.current_version
    if not current.is_frozen:
        return current
    return _version_copy(current)


@transaction.atomic
def survey_update(*, survey: Survey, organiser: str, **fields) -> SurveyVersion:
    """Sets the organiser and the fields given of `ORGANISER_TRANSLATIONS` and `VERSION_FIELDS`."""
    version = survey_editable_version(survey=survey)
    survey.organiser = organiser
    for name in ORGANISER_TRANSLATIONS:
        if name in fields:
            setattr(survey, name, fields[name])
    _full_clean(survey)
    survey.save(update_fields=["organiser", *ORGANISER_TRANSLATIONS])
    for name in VERSION_FIELDS:
        if name in fields:
            setattr(version, name, fields[name])
    _full_clean(version)
    version.save()
    announcements_follow_survey(survey=survey)
    return version


@transaction.atomic
def question_create(*, survey: Survey, options: list[OptionText] | None = None, **fields) -> Question:
    version = survey_editable_version(survey=survey)
    position = (version.questions.aggregate(last=Max("position"))["last"] or 0) + 1
    question = Question(version=version, position=position, **_only(fields, QUESTION_FIELDS))
    _question_validate(question, options or [])
    question.save()
    _options_replace(question, options or [])
    return question


@transaction.atomic
def question_update(
    *, survey: Survey, position: int, options: list[OptionText] | None = None, skips: dict[int, int | None], **fields
) -> Question:
    """`skips` maps an option's digit to the position of the question to jump to (None: the next one)."""
    question = _question_at(survey_editable_version(survey=survey), position)
    for name, value in _only(fields, QUESTION_FIELDS).items():
        setattr(question, name, value)
    _question_validate(question, options or [])
    question.save()
    _options_replace(question, options or [])
    _skips_apply(question, skips)
    return question


@transaction.atomic
def question_delete(*, survey: Survey, position: int) -> None:
    """Refused while another question's skip rule jumps to this one: deleting it would quietly turn
    the rule into "next question", so the manager changes the rules first."""
    version = survey_editable_version(survey=survey)
    target = _question_at(version, position)
    jumping = list(
        Question.objects.filter(options__skip_to=target).distinct().order_by("position").only("position", "text_fi")
    )
    if jumping:
        raise SurveyError.of(
            "question_skipped_to",
            number=position,
            questions=", ".join(
                _("question %(number)d (“%(text)s”)") % {"number": source.position, "text": source.text_fi}
                for source in jumping
            ),
        )
    target.delete()
    # Close the gap one row at a time, lowest first, so the unique position never collides.
    for question in version.questions.filter(position__gt=position).order_by("position"):
        question.position = F("position") - 1
        question.save(update_fields=["position"])


@transaction.atomic
def question_move(*, survey: Survey, position: int, offset: int) -> int:
    """Move a question up (-1) or down (+1); returns its new position. Skip rules that would
    then point backwards are dropped, since the bot only moves forwards."""
    version = survey_editable_version(survey=survey)
    question = _question_at(version, position)
    target = position + offset
    neighbour = version.questions.filter(position=target).first()
    if neighbour is None:
        raise SurveyError.of("question_at_end")
    question.position = 0
    question.save(update_fields=["position"])
    neighbour.position = position
    neighbour.save(update_fields=["position"])
    question.position = target
    question.save(update_fields=["position"])
    QuestionOption.objects.filter(question__version=version, skip_to__position__lte=F("question__position")).update(
        skip_to=None
    )
    return target


@transaction.atomic
def version_freeze(*, version: SurveyVersion) -> None:
    # The same lock as the edits take: an edit in progress finishes before the version freezes.
    Survey.objects.select_for_update().only("pk").get(pk=version.survey_id)
    version.refresh_from_db(fields=["frozen_at"])
    if not version.is_frozen:
        version.frozen_at = timezone.now()
        version.save(update_fields=["frozen_at"])


def _version_copy(source: SurveyVersion) -> SurveyVersion:
    copy = SurveyVersion.objects.create(
        survey=source.survey,
        number=source.number + 1,
        **{name: getattr(source, name) for name in VERSION_FIELDS},
    )
    by_position = {}
    for question in source.questions.order_by("position"):
        by_position[question.position] = Question.objects.create(
            version=copy, position=question.position, **{name: getattr(question, name) for name in QUESTION_FIELDS}
        )
    for option in QuestionOption.objects.filter(question__version=source).select_related("question", "skip_to"):
        QuestionOption.objects.create(
            question=by_position[option.question.position],
            digit=option.digit,
            label_fi=option.label_fi,
            label_sv=option.label_sv,
            label_en=option.label_en,
            skip_to=by_position[option.skip_to.position] if option.skip_to else None,
        )
    return copy


def _question_at(version: SurveyVersion, position: int) -> Question:
    question = version.questions.filter(position=position).first()
    if question is None:
        raise SurveyError.of("question_missing", position=position)
    return question


def _full_clean(instance, *, exclude: list[str] | None = None) -> None:
    """Model validation whose failure is a SurveyError a page can show, never a server error."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise SurveyError(" ".join(error.messages)) from None


def _question_validate(question: Question, options: list[OptionText]) -> None:
    _full_clean(question, exclude=["version"])
    version = question.version
    missing = [
        name
        for language, name in (("sv", _("Swedish")), ("en", _("English")))
        if language in version.languages and not getattr(question, f"text_{language}").strip()
    ]
    if missing:
        raise SurveyError.of("question_text_missing", languages=", ".join(missing))
    if question.kind == QuestionKind.CHOICE:
        if not MIN_CHOICES <= len(options) <= MAX_CHOICES:
            raise SurveyError.of("question_options_count", min=MIN_CHOICES, max=MAX_CHOICES, count=len(options))
        for digit, option in enumerate(options, start=1):
            for language in version.languages:
                if not getattr(option, language).strip():
                    raise SurveyError.of("question_option_text_missing", digit=digit, language=_language_name(language))
    limits = (question.min_value, question.max_value)
    if question.kind == QuestionKind.NUMBER and None not in limits and limits[0] > limits[1]:
        raise SurveyError.of("question_limits_reversed")


def _options_replace(question: Question, options: list[OptionText]) -> None:
    """Scale and yes/no questions get their fixed keypad options; choice questions the given ones."""
    kept_skips = dict(question.options.exclude(skip_to=None).values_list("digit", "skip_to"))
    question.options.all().delete()
    if question.kind == QuestionKind.SCALE:
        options = [OptionText(str(point), str(point), str(point)) for point in range(1, SCALE_POINTS + 1)]
    elif question.kind == QuestionKind.YES_NO:
        options = [OptionText("kyllä", "ja", "yes"), OptionText("ei", "nej", "no")]
    elif question.kind != QuestionKind.CHOICE:
        options = []
    QuestionOption.objects.bulk_create(
        QuestionOption(
            question=question,
            digit=digit,
            label_fi=option.fi.strip(),
            label_sv=option.sv.strip(),
            label_en=option.en.strip(),
            skip_to_id=kept_skips.get(digit),
        )
        for digit, option in enumerate(options, start=1)
    )


def _skips_apply(question: Question, skips: dict[int, int | None]) -> None:
    later = {q.position: q for q in question.version.questions.filter(position__gt=question.position)}
    for option in question.options.all():
        target = skips.get(option.digit)
        if target is not None and target not in later:
            raise SurveyError.of("question_skip_backwards", digit=option.digit)
        option.skip_to = later.get(target) if target is not None else None
        option.save(update_fields=["skip_to"])


def _only(fields: dict, names: tuple[str, ...]) -> dict:
    return {name: fields[name] for name in names if name in fields}


def _language_name(code: str) -> str:
    return {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}[code]
