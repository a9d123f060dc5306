"""Failure kinds the loop tells apart, because each one ends differently.

A refused prompt costs one attempt (and its reason goes to the reviser); a failed attempt
costs one attempt and says nothing about the prompt; a fatal service error ends the run but
keeps everything produced; a validation error stops before any Bedrock call.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase

VALIDATION = "Validation"
"""The translation context of what validators say is allowed."""

NOT_ALLOWED = QT_TRANSLATE_NOOP("Validation", "{field}: {value} is not allowed; {allowed}")


class ImgloopError(Exception):
    """Base of every error the app raises on purpose."""


class WordedError(ImgloopError):
    """An error whose message may be a ``Phrase`` (words and values apart): ``str(exc)`` and
    ``args[0]`` stay the English for logs, JSON, the history and the headless command, and
    ``explanation`` keeps the phrase, so the window can say it in its language
    (``gui.i18n.shown``)."""

    def __init__(self, message: str | Phrase) -> None:
        super().__init__(str(message))
        self.explanation: str | Phrase = message


class PromptRefusedError(WordedError):
    """The image model declined this request (content filter, bad request): one failed attempt."""


class AttemptFailedError(WordedError):
    """One image call failed for a reason a later attempt may not meet (the model timed out):
    one failed attempt, not a refusal reason for the reviser and not the end of the run."""


class ServiceError(WordedError):
    """Bedrock or S3 cannot go on (no access, model not enabled, throttled out): the run ends.

    ``hint`` says what a person can do about it, in plain words; like the message it may be
    a ``Phrase`` (``str(exc)`` ends with the English hint, ``advice`` keeps the phrase).
    """

    def __init__(
        self,
        message: str | Phrase,
        *,
        model_id: str = "",
        region: str = "",
        hint: str | Phrase = "",
    ):
        super().__init__(message)
        self.model_id = model_id
        self.region = region
        self.hint = str(hint)
        self.advice: str | Phrase = hint

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text} {self.hint}".strip() if self.hint else text


class ModelOutputError(ImgloopError):
    """A text model answered something we cannot read as the JSON we asked for."""


@dataclass(frozen=True)
class Problem:
    """One invalid input value: which field, what it was, and what is allowed.

    ``allowed`` is the English; ``phrase`` (made by ``Problem.of``) keeps the same words with
    their values apart, so the window can show them translated (``gui.i18n.shown``).
    """

    field: str
    value: object
    allowed: str
    phrase: Phrase | None = dataclasses.field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, field: str, value: object, template: str, **values: object) -> Problem:
        """A problem whose ``template`` is marked ``QT_TRANSLATE_NOOP("Validation", ...)``."""
        phrase = Phrase(VALIDATION, template, values)
        return cls(field, value, str(phrase), phrase)

    def __str__(self) -> str:
        return str(self.sentence())

    def sentence(self) -> Phrase:
        """The whole line ("field: value is not allowed; ...") as a Phrase to show."""
        return Phrase(
            VALIDATION,
            NOT_ALLOWED,
            {
                "field": self.field,
                "value": repr(self.value),
                "allowed": self.phrase or self.allowed,
            },
        )


class ValidationError(ImgloopError):
    """Every problem found in one input, reported together so a person fixes them in one go."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(str(p) for p in self.problems))
