"""`{{ value|days }}`: a number of days as people write it, in the reader's number format ("5", "4,5")."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from ..spells import day_count

register = template.Library()


@register.filter
def days(value) -> str:
    if value is None or value == "":
        return ""
    return number_format(day_count(Decimal(value)), use_l10n=True, force_grouping=True)
