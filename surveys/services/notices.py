"""The default GDPR Art. 14 information notice of a campaign, in each survey language."""

from django.utils import translation
from django.utils.translation import gettext as _

NOTICE_LANGUAGES = ("fi", "sv", "en")


def information_notice_default() -> dict[str, str]:
    """Initial texts for `information_notice_<language>`; survey managers complete the blanks."""
    notices = {}
    for language in NOTICE_LANGUAGES:
        with translation.override(language):
            notices[f"information_notice_{language}"] = "\n".join(
                [
                    _("Controller: the municipality, contact: the registry office."),
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
