"""The credentials of other services stored in plain text - an HTTP source's access token in its settings,
a Teams channel's webhook address - are encrypted with CREDENTIAL_ENCRYPTION_KEYS (kuntaportaali.credentials)."""

from django.db import migrations, models

from kuntaportaali.credentials import credential_decrypt, credential_encrypt


def credentials_encrypt(apps, schema_editor):
    for source in apps.get_model("hrreports", "Source").objects.filter(config__has_key="token"):
        config = dict(source.config)
        token = config.pop("token")
        config["token_encrypted"] = credential_encrypt(token) if token else ""
        source.config = config
        source.save(update_fields=["config"])
    for channel in apps.get_model("hrreports", "TeamsChannel").objects.all():
        channel.webhook_url_encrypted = credential_encrypt(channel.webhook_url)
        channel.save(update_fields=["webhook_url_encrypted"])


def credentials_decrypt(apps, schema_editor):
    for source in apps.get_model("hrreports", "Source").objects.filter(config__has_key="token_encrypted"):
        config = dict(source.config)
        token = config.pop("token_encrypted")
        what = f"The access token of Populus source {source.name}"
        config["token"] = credential_decrypt(token, what=what) if token else ""
        source.config = config
        source.save(update_fields=["config"])
    for channel in apps.get_model("hrreports", "TeamsChannel").objects.all():
        what = f"The webhook address of Teams channel {channel.pk}"
        channel.webhook_url = credential_decrypt(channel.webhook_url_encrypted, what=what)
        channel.save(update_fields=["webhook_url"])


class Migration(migrations.Migration):
    dependencies = [
        ("hrreports", "0025_employment_months"),
    ]

    operations = [
        migrations.AddField(
            model_name="teamschannel",
            name="webhook_url_encrypted",
            field=models.TextField(default="", editable=False, verbose_name="incoming webhook address (encrypted)"),
            preserve_default=False,
        ),
        # Blank, so that migrating back can add the column again to a table with rows before filling it in.
        migrations.AlterField(
            model_name="teamschannel",
            name="webhook_url",
            field=models.URLField(blank=True, max_length=2000, verbose_name="incoming webhook address"),
        ),
        migrations.RunPython(credentials_encrypt, credentials_decrypt, elidable=False),
        migrations.RemoveField(model_name="teamschannel", name="webhook_url"),
    ]
