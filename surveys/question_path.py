"""The way a respondent moves through a survey version's questions: in order, forward only, where an
answer's skip rule points. With quotas, the quota questions the response asks first
(`Response.asked_first`) come before the survey, each once, and are not asked again in their place.
The web survey walks it; the call's IVR (`surveys.ivr`) moves the same way with its own copy of
`after`, to be replaced by this one when the dialer is wired to the web survey (issue 16, item 3)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from surveys.models import Answer, Question, SurveyVersion


@dataclass(frozen=True)
class QuestionPath:
    """A version's questions with their options, in order."""

    in_order: tuple[Question, ...]
    # The positions of the quota questions asked first, in their order.
    asked_first: tuple[int, ...] = ()

    @classmethod
    def of(cls, version: SurveyVersion, *, asked_first: Sequence[int] = ()) -> "QuestionPath":
        return cls(tuple(version.questions.prefetch_related("options").order_by("position")), tuple(asked_first))

    def __len__(self) -> int:
        return len(self.in_order)

    def number(self, position: int) -> int:
        """The question's number as the respondent is asked it: the questions asked first come first,
        then the rest in order (a skip rule jumps over numbers, as it jumps over positions)."""
        order = [*self.asked_first, *(q.position for q in self.in_order if q.position not in self.asked_first)]
        return order.index(position) + 1

    def at(self, position: int) -> Question | None:
        return next((question for question in self.in_order if question.position == position), None)

    def first(self) -> Question | None:
        return self.in_order[0] if self.in_order else None

    def after(self, question: Question, answer: Answer | None) -> Question | None:
        """The next question: where the chosen option's skip rule points, else the next one."""
        option = next((o for o in question.options.all() if answer and o.pk == answer.option_id), None)
        if option is not None and option.skip_to_id is not None:
            return next(candidate for candidate in self.in_order if candidate.pk == option.skip_to_id)
        return next((candidate for candidate in self.in_order if candidate.position > question.position), None)

    def walk(self, answers: Mapping[int, Answer]) -> list[tuple[Question, Answer | None]]:
        """The questions `answers` (by question id) lead through, from the first to the end, each
        with its answer: the questions asked first, then the survey from its start without them (their
        answers' skip rules still lead on); a question left unanswered leads on to the next one."""
        first = [self.at(position) for position in self.asked_first]
        steps = [(question, answers.get(question.pk)) for question in first if question is not None]
        question = self.first()
        while question is not None:
            answer = answers.get(question.pk)
            if question.position not in self.asked_first:
                steps.append((question, answer))
            question = self.after(question, answer)
        return steps

    def following(self, position: int, answers: Mapping[int, Answer]) -> Question | None:
        """The question after the one at `position` on the respondent's way; None at its end."""
        steps = [question for question, _answer in self.walk(answers)]
        index = next((index for index, question in enumerate(steps) if question.position == position), None)
        return steps[index + 1] if index is not None and index + 1 < len(steps) else None

    def reachable(self, position: int, answers: Mapping[int, Answer]) -> bool:
        """Whether the question at `position` is on the respondent's way, with every required
        question before it answered: what may be asked (or asked again) now."""
        for question, answer in self.walk(answers):
            if question.position == position:
                return True
            if answer is None and question.required:
                return False
        return False

    def resume(self, answers: Mapping[int, Answer]) -> Question | None:
        """The first question on the respondent's way still without an answer; None when none is left."""
        return next((question for question, answer in self.walk(answers) if answer is None), None)

    def before(self, position: int, answers: Mapping[int, Answer]) -> Question | None:
        """The question asked before the one at `position` on the respondent's way."""
        previous = None
        for question, _answer in self.walk(answers):
            if question.position == position:
                return previous
            previous = question
        return None
