"""The announcement texts generated before dates and times followed each language's style (Swedish
ISO dates, zero-padded Finnish hours, English hours with a full stop) are rewritten in the style the
portal now generates, so that a text whose campaign facts did not change is not reported out of date.

Only the portal's own text is rewritten: the generated text always, the text itself only while
nobody edited it and it is unpublished (a published or edited text is kept as it went out).
"""

import re

from django.db import migrations

ISO_DATE = re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])")
HOUR_MINUTES = re.compile(r"(?<![\d.:])(\d{2})\.(\d{2})(?!\d|[.:]\d)")


def in_the_languages_style(text: str, language: str) -> str:
    if language == "sv":
        return ISO_DATE.sub(lambda match: f"{int(match[3])}.{int(match[2])}.{match[1]}", text)
    if language == "fi":
        return HOUR_MINUTES.sub(lambda match: f"{int(match[1])}.{match[2]}", text)
    if language == "en":
        return HOUR_MINUTES.sub(lambda match: f"{match[1]}:{match[2]}", text)
    return text


def rewrite(apps, schema_editor):
    Announcement = apps.get_model("surveys", "Announcement")
    for announcement in Announcement.objects.all().iterator():
        untouched = (
            announcement.published_on is None and announcement.text.strip() == announcement.generated_text.strip()
        )
        generated = in_the_languages_style(announcement.generated_text, announcement.language)
        text = in_the_languages_style(announcement.text, announcement.language) if untouched else announcement.text
        if (generated, text) != (announcement.generated_text, announcement.text):
            announcement.generated_text, announcement.text = generated, text
            announcement.save(update_fields=["generated_text", "text"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0013_campaign_announcement_channels")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop)]
