"""The one application error of the HR reports, with a message a person can act on."""


class PopulusError(Exception):
    """Something an HR administrator must fix: a source's settings, a file, a period."""


class TransientSourceError(PopulusError):
    """The source did not answer this time (timeout, connection refused, HTTP 5xx); retrying may help."""
