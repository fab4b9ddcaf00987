"""Text in a known language shown on a page in another: WCAG 2.1 3.1.2 (Language of Parts) asks it to be
marked, so that a screen reader reads a Finnish survey title or unit name on an English page as Finnish."""

from django.utils.html import format_html
from django.utils.translation import get_language


def in_language(value, language: str):
    """`value` in a <span lang> when the page is in another language; as it is on a page in its own."""
    if value is None or value == "":
        return ""
    if (get_language() or "").split("-")[0] == language:
        return value
    return format_html('<span lang="{}">{}</span>', language, value)


def part_in_language(text: str, part: str, *, language: str, text_language: str):
    """`text` with its first `part` in a <span lang> when the part is in another language than the text
    around it: a Finnish name inside a Swedish sentence."""
    if language == text_language or not part or part not in text:
        return text
    before, _part, after = text.partition(part)
    return format_html('{}<span lang="{}">{}</span>{}', before, language, part, after)
