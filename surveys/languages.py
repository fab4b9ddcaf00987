"""The survey languages. Finnish is required; Swedish and English are offered per survey."""

from django.utils.translation import gettext_lazy as _

SURVEY_LANGUAGES = ("fi", "sv", "en")
LANGUAGE_NAMES = {"fi": _("Finnish"), "sv": _("Swedish"), "en": _("English")}
# Twilio's <Gather>/<Say> language codes for each survey language.
SPEECH_LANGUAGES = {"fi": "fi-FI", "sv": "sv-SE", "en": "en-GB"}


class LocalizedFieldsMixin:
    """Reads `<name>_<language>` columns, falling back to Finnish when a translation is empty.

    The Finnish column is `<name>_fi`, or plain `<name>` for the fields in `FINNISH_UNSUFFIXED`: those
    were Finnish only before their translations came, and kept their column."""

    FINNISH_UNSUFFIXED: tuple[str, ...] = ()

    def localized(self, name: str, language: str) -> str:
        return self._translation(name, language) or getattr(
            self, name if name in self.FINNISH_UNSUFFIXED else f"{name}_fi"
        )

    def localized_language(self, name: str, language: str) -> str:
        """The language `localized` answers in: `language`, or Finnish when its translation is empty."""
        return language if self._translation(name, language) else "fi"

    def _translation(self, name: str, language: str) -> str:
        return getattr(self, f"{name}_{language}", "") if language in SURVEY_LANGUAGES else ""
