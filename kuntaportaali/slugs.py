"""Short names in addresses, made from a title when the user leaves them empty."""

import unicodedata

from django.db import models
from django.utils.text import slugify

# Sami letters that Unicode does not decompose into a plain letter and an accent (as it does á, č, š,
# ž and the Finnish and Swedish ä, ö, å), so slugify would drop them; ǯ decomposes into ʒ.
SAMI_BASE_LETTERS = str.maketrans("đĐŋŊŧŦǥǤʒƷ", "ddnnttggzz")


def ascii_slug(text: str) -> str:
    """`slugify` that keeps the Sami letters' base letters: "Ođđa jearahallan" -> "odda-jearahallan"."""
    return slugify(unicodedata.normalize("NFKD", text).translate(SAMI_BASE_LETTERS))


def unique_slug(title: str, *, model: type[models.Model], max_length: int) -> str:
    """The title as a slug ("Asukaskysely 2027" -> "asukaskysely-2027"), with -2, -3... added when
    another row already has it; "" when the title has no letters or digits to make one from."""
    base = ascii_slug(title)[:max_length].strip("-")
    if not base:
        return ""
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
