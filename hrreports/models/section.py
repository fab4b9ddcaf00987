from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.Model):  # noqa: DJ008 (no rows, so nothing to name)
    """Holds the permissions of the HR reports section as a whole; it has no table.

    Which units a supervisor sees is decided per object, by the unit-scope selector.
    """

    class Meta:
        app_label = "hrreports"
        managed = False
        default_permissions = ()
        permissions = [
            ("manage_hr", _("Can manage Populus sources, units, supervisors, subscriptions and rules")),
            ("view_unit_reports", _("Can open HR reports of the units in one's scope")),
            ("view_all_units", _("Can open HR reports of every unit")),
        ]
