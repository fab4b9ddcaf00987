"""gunicorn's own logs masked like the portal's (kuntaportaali.redaction): its access log quotes each
request's query string (an employee searched by person number, say), and its error log a worker's
traceback. The access log names the client as the portal does (kuntaportaali.client_address).
gunicorn.conf.py, which gunicorn reads from the working directory, names this class."""

from gunicorn.glogging import Logger

from .client_address import client_address_of
from .redaction import PersonalDataFilter


class PersonalDataLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        """The access log's host (`%(h)s`) is the client's address, not the reverse proxy's."""
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["h"] = client_address_of(environ) or "-"
        return atoms

    def setup(self, cfg):
        """gunicorn's setup (run again on a configuration reload, with new handlers), every handler masking."""
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(PersonalDataFilter())
