"""gunicorn's own logs masked like the portal's (kuntaportaali.redaction): its access log quotes each
request's query string (an employee searched by person number, say), and its error log a worker's
traceback. gunicorn.conf.py, which gunicorn reads from the working directory, names this class."""

from gunicorn.glogging import Logger

from .redaction import PersonalDataFilter


class PersonalDataLogger(Logger):
    def setup(self, cfg):
        """gunicorn's setup (run again on a configuration reload, with new handlers), every handler masking."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(PersonalDataFilter())
