from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.Model):  # noqa: DJ008 (no rows, so nothing to name)
    """Holds the permissions of the surveys section as a whole; it has no table.

    Object-level rules (which campaign, which result) sit on the models that carry the data.
    """

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_surveys", _("Can manage surveys, questions, campaigns and contact lists")),
            ("publish_announcements", _("Can write pre-announcements and publish the residents' page")),
            ("view_results", _("Can read survey results and reports")),
        ]
