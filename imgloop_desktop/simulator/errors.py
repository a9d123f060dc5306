"""The one exception every simulator check raises, and Bedrock's schema-validation wording.

Its own module so the per-family body checks, the Converse checks, the front door and the
server all raise the same thing without importing one another."""

from __future__ import annotations


class BedrockError(Exception):
    """An answer Bedrock gives as a rest-json error: ``code`` goes to ``x-amzn-ErrorType``
    (status from ``script.ERROR_STATUS``), ``message`` to the body."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def malformed(problems: list[str]) -> BedrockError:
    """Bedrock's schema-validation wording, as in its answers to malformed model bodies."""
    return BedrockError(
        "ValidationException",
        f"Malformed input request: {''.join(problems)}, please reformat your input and try again.",
    )
