"""The exceptions of the accord package.

Every error Accord reports is an :class:`AccordError`. Problems in input files
carry where they are: ``file``, ``line`` and ``column`` of the first problem
(1-based; ``None`` when the error has no location) and ``diagnostics``, every
problem as a dict with ``file``, ``line``, ``column`` and ``message``.
"""

from __future__ import annotations


class AccordError(Exception):
    """Base class of every error Accord raises."""

    file: str | None = None
    line: int | None = None
    column: int | None = None

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: list[dict] = []


class DataError(AccordError):
    """An input file (record, model, scenario, KTAB file) is invalid or unreadable."""


class InvalidArgument(AccordError, ValueError):
    """An argument is not valid: an unknown actor, a negative count, an unknown name."""


class EngineError(AccordError):
    """The engine could not compute a result from valid input."""
