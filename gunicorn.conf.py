"""gunicorn's settings for the portal, read from the working directory: its logs mask phone numbers and
hide person numbers like the portal's own (kuntaportaali.redaction)."""

logger_class = "kuntaportaali.gunicorn_logging.PersonalDataLogger"
