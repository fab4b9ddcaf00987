"""{{ text|in_language:"fi" }}: see kuntaportaali.language_parts."""

from django import template

from kuntaportaali import language_parts

register = template.Library()
register.filter("in_language", language_parts.in_language)
