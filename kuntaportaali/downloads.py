"""The files the portal hands out: a name in the reader's language and the response that carries it."""

from django.http import HttpResponse
from django.utils.text import slugify


def file_name(*parts, extension: str) -> str:
    """("poissaolot", "1010", "2026-11") -> "poissaolot-1010-2026-11.xlsx": each part in lower-case
    letters, digits and hyphens (ä as a), so the name needs no encoding in a header and opens anywhere.
    Months go in as year-month, so a folder of the files sorts by month."""
    return "-".join(filter(None, (slugify(str(part)) for part in parts))) + f".{extension}"


def attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
