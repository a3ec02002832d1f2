"""Refusals the domain explains to a user (in Chinese); raising one rolls back the whole verb."""

from __future__ import annotations


class DomainError(Exception):
    """Base: `message` is shown to the user as it is."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    code = "not_found"


class Refused(DomainError):
    """Not allowed: wrong role, outside one's scope, or not one's task."""

    code = "forbidden"


class InvalidTransition(DomainError):
    """The case or task is in a state where this action makes no sense."""

    code = "invalid_state"


class InvalidInput(DomainError):
    code = "invalid"
