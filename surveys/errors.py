class SurveyError(Exception):
    """A survey action was refused; the message tells a person what to do about it."""


class LaunchRefused(SurveyError):
    """A campaign may not start yet; `problems` lists every unmet condition."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("; ".join(problems))
