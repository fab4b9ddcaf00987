"""Numbers written one way on every page, in the reader's language."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from kuntaportaali.numbers import price_trimmed

register = template.Library()


@register.filter
def unit_price(value) -> str:
    """A price per unit (a minute, a message) with the decimals it has and at least two: "0,09" and
    "0,0125", never the stored "0,0900"."""
    if value is None or value == "":
        return ""
    return number_format(price_trimmed(Decimal(value)), use_l10n=True, force_grouping=True)


@register.filter
def number(value) -> str:
    """A count or amount grouped as the reader's language groups it: "12 000" in Finnish, "12,000" in English
    (the site leaves Django's grouping off, as it would also group ids and years)."""
    if value is None or value == "":
        return ""
    return number_format(value, use_l10n=True, force_grouping=True)
