"""The default GDPR Art. 14 information notice of a campaign, in each survey language."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from surveys.models import Campaign

NOTICE_LANGUAGES = ("fi", "sv", "en")
# The default notice's blank: the line a survey manager must replace with the real controller.
PLACEHOLDER_CONTROLLER = gettext_noop("Controller: the municipality, contact: the registry office.")


def information_notice_default() -> dict[str, str]:
    """Initial texts for `information_notice_<language>`; survey managers complete the blanks."""
    notices = {}
    for language in NOTICE_LANGUAGES:
        with translation.override(language):
            notices[f"information_notice_{language}"] = "\n".join(
                [
                    _(PLACEHOLDER_CONTROLLER),
                    _(
                        "Purpose: an opinion survey of residents for the city strategy "
                        "(a public task, GDPR Art. 6(1)(e))."
                    ),
                    _("Source of the phone numbers: a number list bought from a data broker."),
                    _(
                        "Retention: phone numbers are deleted after the calls end; answers are kept without "
                        "numbers for reporting."
                    ),
                    _(
                        "Your rights: you may object to the processing (GDPR Art. 21) and ask never to be called "
                        "again, check your data and lodge a complaint with the Data Protection Ombudsman."
                    ),
                ]
            )
    return notices


def information_notice_placeholder_languages(campaign: Campaign) -> list[str]:
    """The campaign's languages whose information notice still names the placeholder controller.

    The default's first line is the blank a survey manager must fill in; a notice that still has it
    would tell residents nothing about who to contact. An empty Swedish or English notice is not
    counted: the residents' page shows the Finnish one instead.
    """
    placeholders = {}
    for language in NOTICE_LANGUAGES:
        with translation.override(language):
            placeholders[language] = _(PLACEHOLDER_CONTROLLER)
    return [
        language
        for language in campaign.survey_version.languages
        if placeholders[language] in getattr(campaign, f"information_notice_{language}")
    ]
