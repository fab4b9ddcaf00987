from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..languages import LANGUAGE_NAMES
from .campaign import AnnouncementChannel, Campaign


class Announcement(models.Model):
    """A pre-announcement of a campaign in one channel and language; the launch gate reads its publish date."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="announcements")
    channel = models.CharField(_("channel"), max_length=10, choices=AnnouncementChannel.choices)
    language = models.CharField(_("language"), max_length=2, choices=list(LANGUAGE_NAMES.items()))
    text = models.TextField(_("text"))
    # The text as last generated from the campaign's facts: a text that differs from it was edited
    # by a person, and one that differs from what the facts give now is out of date.
    generated_text = models.TextField(_("generated text"), blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "channel", "language"], name="announcement_per_channel_language"
            )
        ]
        verbose_name = _("pre-announcement")
        verbose_name_plural = _("pre-announcements")

    def __str__(self):
        return f"{self.campaign.slug} {self.channel} {self.language}"

    @property
    def is_edited(self) -> bool:
        """Whether a person changed the text from the generated one; a browser's line endings
        and surrounding blanks are not an edit."""
        return comparable_text(self.text) != comparable_text(self.generated_text)


def comparable_text(text: str) -> str:
    return text.replace("\r\n", "\n").strip()
