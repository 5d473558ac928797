"""Typed errors raised by services and selectors; the API and the views turn them into clear answers."""

from __future__ import annotations


class DomainError(Exception):
    """A request that the rules of the platform refuse. `field` names the input at fault, if one is."""

    status = 400
    title = "Bad request"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or self.__class__.__name__

    def as_errors(self) -> list[dict]:
        return [{"field": self.field, "message": self.message}]


class InvalidInput(DomainError):
    """One or more inputs are invalid; `errors` lists each with the field it concerns."""

    status = 422
    title = "Invalid input"

    def __init__(self, errors: list[dict] | str, *, field: str | None = None):
        if isinstance(errors, str):
            errors = [{"field": field, "message": errors}]
        self.errors = errors
        first = errors[0] if errors else {"field": None, "message": "Invalid input."}
        text = "; ".join(f"{e['field']}: {e['message']}" if e.get("field") else e["message"] for e in errors)
        super().__init__(text, field=first.get("field"))

    def as_errors(self) -> list[dict]:
        return list(self.errors)


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class RateLimited(DomainError):
    status = 429
    title = "Too many requests"
