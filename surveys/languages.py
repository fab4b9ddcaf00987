"""The survey languages. Finnish is required; Swedish and English are offered per survey."""

from django.utils.translation import gettext_lazy as _

SURVEY_LANGUAGES = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
# Twilio's <Gather>/<Say> language codes for each survey language.
SPEECH_LANGUAGES = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-GB"}


class LocalizedFieldsMixin:
    """Reads `<name>_<language>` columns, falling back to Finnish when a translation is empty."""

    def localized(self, name: str, language: str) -> str:
        value = getattr(self, f"{name}_{language}", "") if language in SURVEY_LANGUAGES else ""
        return value or getattr(self, f"{name}_fi")
