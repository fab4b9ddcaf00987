from django.db import migrations, models


class Migration(migrations.Migration):
    """What was generated for an existing text was not stored. It is left empty, so that such a
    text counts as edited and is shown for a check, never overwritten by a later change."""

    dependencies = [
        ("surveys", "0006_published_summary"),
    ]

    operations = [
        migrations.AddField(
            model_name="announcement",
            name="generated_text",
            field=models.TextField(blank=True, default="", verbose_name="generated text"),
            preserve_default=False,
        ),
    ]
