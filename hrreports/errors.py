"""The one application error of the HR reports, with a message a person can act on."""

from kuntaportaali.tabular.problems import Problem

from . import reasons  # noqa: F401 (registers the codes these errors are raised with)


class PopulusError(Exception):
    """Something an HR administrator must fix: a source's settings, a file, a period.

    Raised with a Problem (a reason code, worded in the reader's language whenever it is shown: a fetch
    run stores it as such) or with text, which is kept as it is."""

    def __init__(self, reason: str | Problem, *, field: str | None = None):
        self.problem = reason if isinstance(reason, Problem) else Problem("reason_as_stored", {"text": reason})
        self.field = field  # the setting at fault, when a form should show the error at its field
        super().__init__(self.problem.code)

    @classmethod
    def of(cls, code: str, **params) -> "PopulusError":
        return cls(Problem(code, params))

    def __str__(self) -> str:
        return self.problem.message()


class TransientSourceError(PopulusError):
    """The source did not answer this time (timeout, connection refused, HTTP 5xx); retrying may help."""
