"""A contact's personal link to the web survey: the same survey version as the call, answered on the web."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .contacts import Contact


class SurveyLink(models.Model):
    """One contact's link. Only the hash of its token is kept: the token itself lives in the message
    that carried it, so neither the database nor its backups can open anyone's survey."""

    contact = models.OneToOneField(Contact, on_delete=models.CASCADE, related_name="survey_link")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))

    class Meta:
        verbose_name = _("survey link")
        verbose_name_plural = _("survey links")

    def __str__(self):
        return f"{self.contact_id} until {self.expires_at:%Y-%m-%d}"
