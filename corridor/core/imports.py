"""Shared by every page that imports a file in two steps: a dry run with a row-by-row report, then the import.

The checked file travels from the first step to the second inside a signed, compressed form field bound to the
user and to the kind of import, valid for an hour, so that what is imported is exactly what was checked.
"""

from __future__ import annotations

import base64
from dataclasses import asdict

from django.core import signing
from django.http import HttpRequest
from django.utils.translation import gettext as _

from corridor.core.errors import DomainError, InvalidInput

PAYLOAD_SALT = "corridor.import.checked-file"
PAYLOAD_MAX_AGE = 3600  # seconds between the dry run and the import


def sign_payload(request: HttpRequest, kind: str, data: bytes) -> str:
    """The checked file as a signed token for the confirmation form."""
    return signing.dumps(
        {"user": request.user.pk, "kind": kind, "data": base64.b64encode(data).decode("ascii")},
        salt=PAYLOAD_SALT,
        compress=True,
    )


def unsign_payload(request: HttpRequest, kind: str, payload: str) -> bytes:
    """The file checked in the first step, or InvalidInput on field `file` if the token is stale or foreign."""
    try:
        content = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.BadSignature as exc:  # also an expired signature
        raise InvalidInput(_("The checked file has expired or was altered; upload it again."), field="file") from exc
    if content.get("user") != request.user.pk or content.get("kind") != kind:
        raise InvalidInput(_("The checked file belongs to another session; upload it again."), field="file")
    return base64.b64decode(content["data"])


def split_errors(exc: DomainError) -> tuple[list[dict], list[dict]]:
    """(errors about a form field or the whole input, errors about one row of the file)."""
    errors = exc.as_errors()
    return [e for e in errors if e.get("row") is None], [e for e in errors if e.get("row") is not None]


def apply_errors(form, errors: list[dict]) -> None:
    """Attach errors to the form fields they name, the rest to the form as a whole."""
    for err in errors:
        field = err.get("field")
        form.add_error(field if field in form.fields else None, err["message"])


class ImportReportMixin:
    """What every import report (a dataclass with an `errors` list) answers: did it pass, how many errors, as JSON."""

    errors: list[dict]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_count(self) -> int:
        return len(self.errors)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["ok"] = self.ok
        return data
