"""The files the portal hands out: a name in the reader's language and the response that carries it."""

from django.http import HttpResponse

from kuntaportaali.slugs import ascii_slug


def file_name(*parts, extension: str) -> str:
    """("poissaolot", "1010", "2026-11") -> "poissaolot-1010-2026-11.xlsx": each part in lower-case
    letters, digits and hyphens (ä as a, the Sami đ as d), so the name needs no encoding in a header and opens anywhere.
    Months go in as year-month, so a folder of the files sorts by month."""
    return "-".join(filter(None, (ascii_slug(str(part)) for part in parts))) + f".{extension}"


def attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
