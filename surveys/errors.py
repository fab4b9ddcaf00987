"""The errors of the surveys app: a code and its parameters (kuntaportaali.tabular.problems.Problem),
worded in the reader's language whenever shown, like the HR reports' HrError."""

from kuntaportaali.tabular.problems import CodedError, Problem


class SurveyError(CodedError):
    """A survey action was refused; the message tells a person what to do about it.

    Raised with a Problem (`SurveyError.of(code, **params)`) or with text already worded for its reader.
    The refusals a page answers by itself (NotStarted, LinkClosed...) carry no message."""

    def __init__(self, reason: Problem | str = ""):
        super().__init__(reason)


class LaunchRefused(SurveyError):
    """A campaign may not start yet; `problems` lists every unmet condition."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))
