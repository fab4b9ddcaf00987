"""Short names in addresses, made from a title when the user leaves them empty."""

from django.db import models
from django.utils.text import slugify


def unique_slug(title: str, *, model: type[models.Model], max_length: int) -> str:
    """The title as a slug ("Asukaskysely 2027" -> "asukaskysely-2027"), with -2, -3... added when
    another row already has it; "" when the title has no letters or digits to make one from."""
    base = slugify(title)[:max_length].strip("-")
    if not base:
        return ""
    taken = set(model.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
