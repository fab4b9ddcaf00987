"""The errors of the surveys app: a code and its parameters (kuntaportaali.tabular.problems.Problem),
worded in the reader's language whenever shown, like the HR reports' HrError."""

from django.utils.translation import gettext_noop

from kuntaportaali.tabular.problems import CodedError, Problem, problem_messages_register


class SurveyError(CodedError):
    """A survey action was refused; the message tells a person what to do about it.

    Raised with a Problem (`SurveyError.of(code, **params)`) or with text already worded for its reader.
    The refusals a page answers by itself (NotStarted, LinkClosed...) carry no message."""

    def __init__(self, reason: Problem | str = ""):
        super().__init__(reason)


class LaunchRefused(SurveyError):
    """A campaign may not start yet; `problems` lists every unmet condition."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))


problem_messages_register(
    {
        # The survey and its questions
        "survey_slug_empty": gettext_noop(
            "Give the survey a short name: its title has no letters or digits to make one from."
        ),
        "question_skipped_to": gettext_noop(
            "Question %(number)d cannot be deleted: the skip rules of these questions jump to it: %(questions)s. "
            "Change those rules first, then delete the question."
        ),
        "question_at_end": gettext_noop("The question is already the first or the last one."),
        "question_missing": gettext_noop("There is no question %(position)d in this survey."),
        "question_text_missing": gettext_noop(
            "The survey is offered in %(languages)s, so the question needs a text in it too."
        ),
        "question_limits_reversed": gettext_noop("The smallest accepted number is larger than the largest one."),
        "question_options_count": gettext_noop(
            "A choice question needs %(min)d to %(max)d options (one per keypad digit); it has %(count)d."
        ),
        "question_skip_backwards": gettext_noop(
            "Answer %(digit)d can only skip forwards, to a question after this one."
        ),
        "question_option_text_missing": gettext_noop("Option %(digit)d has no text in %(language)s."),
        # Campaigns and their caller number
        "campaign_slug_empty": gettext_noop(
            "Give the campaign a short name: its name has no letters or digits to make one from."
        ),
        "campaign_not_editable": gettext_noop("Only a draft or ready campaign can be changed; pause is not enough."),
        "campaign_version_fixed": gettext_noop("The survey version can only be changed while the campaign is a draft."),
        "campaign_cancelled_not_published": gettext_noop("A cancelled campaign is not published."),
        "campaign_no_questions_to_publish": gettext_noop("The survey has no questions to publish yet."),
        "campaign_checklist_fixed": gettext_noop(
            "The launch checklist can be changed only before the campaign starts; this campaign is %(status)s."
        ),
        "campaign_transition_refused": gettext_noop("A campaign cannot go from %(current)s to %(target)s."),
        "caller_number_invalid": gettext_noop("Caller number: %(reason)s"),
        "caller_number_not_finnish": gettext_noop(
            "The caller number must be a Finnish number; only an administrator may override this."
        ),
        "caller_number_override_reason_missing": gettext_noop(
            "A non-Finnish caller number needs a written reason for the override."
        ),
        # The launch, announcements and communications
        "announcement_empty": gettext_noop("The announcement text is empty."),
        "launch_nothing_for_communications": gettext_noop("Nothing on the launch gate waits for communications."),
        "launch_communications_no_email": gettext_noop(
            "No communications user has an email address: contact them another way."
        ),
        "launch_mail_not_queued": gettext_noop("The message could not be queued just now; try again in a moment."),
        # Contacts and consent
        "consent_intro_hash_missing": gettext_noop(
            "An 'informed' event needs the hash of the introduction that was played."
        ),
        "consent_event_invalid": gettext_noop("The consent event is not valid: %(errors)s"),
        "contacts_campaign_not_open": gettext_noop(
            "The campaign is %(status)s: contacts can be added only to a draft, ready or paused campaign."
        ),
        "contacts_phone_columns_chosen_already": gettext_noop(
            "The phone columns of this file have been chosen already."
        ),
        "contacts_phone_columns_none_chosen": gettext_noop("Choose at least one column that holds phone numbers."),
        # Answers, results, costs and predictions
        "prediction_after_launch": gettext_noop(
            "A prediction is made before the launch: this campaign has already started."
        ),
        "prediction_no_questions": gettext_noop(
            "The survey has no questions yet: add them before asking for a prediction."
        ),
        "prediction_campaign_started": gettext_noop(
            "The campaign started before its prediction was made: a prediction is made only before the launch."
        ),
        "prediction_no_numbers_left": gettext_noop("The campaign has no numbers left to call: nothing to predict."),
        "prediction_numbers_out_of_range": gettext_noop("The number of numbers must be between 1 and %(most)s."),
        "cost_not_listed": gettext_noop("That cost is no longer listed; nothing was removed."),
        "results_group_unknown": gettext_noop("The survey has no group %(group)s to show."),
        "answer_required": gettext_noop("This question needs an answer."),
        # The published summary
        "publication_not_allowed": gettext_noop(
            "Only a completed campaign whose questions are on the residents' page can have its results published."
        ),
        "publication_intro_missing": gettext_noop("Write the introduction in Finnish at least."),
        "publication_question_without_chart": gettext_noop("Question %(position)s has no chart to publish."),
        "publication_too_few_respondents": gettext_noop(
            "The results of fewer than %(minimum)s respondents are not published."
        ),
    }
)
