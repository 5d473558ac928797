"""Shared by every page that imports a file in two steps: a dry run with a row-by-row report, then the import.

The checked file travels from the first step to the second inside a signed, compressed form field bound to the
user and to the kind of import, valid for an hour, so that what is imported is exactly what was checked.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import asdict

from django import forms
from django.contrib import messages
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from corridor.core import tabular
from corridor.core.errors import DomainError, InvalidInput
from corridor.core.forms import DescribedByMixin

PAYLOAD_SALT = "corridor.import.checked-file"
PAYLOAD_MAX_AGE = 3600  # seconds between the dry run and the import
ERRORS_SHOWN = 200  # row errors on the page; the CSV report has them all


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


def mapping_field(placeholder: str = "", max_length: int | None = None) -> forms.CharField:
    """The optional column mapping of an upload form; the placeholder shows one line for the kind of file."""
    attrs = {"rows": 4, "placeholder": placeholder} if placeholder else {"rows": 4}
    return forms.CharField(
        label=gettext_lazy("Column mapping (optional)"), required=False, max_length=max_length,
        widget=forms.Textarea(attrs=attrs),
        help_text=gettext_lazy("Only where the file's headers differ from ours: one line per column, "
                               "\"our_field = Their column\"."),
    )


class ImportFileForm(DescribedByMixin, forms.Form):
    """The first step: the file (CSV or XLSX, at most tabular.MAX_BYTES) and an optional column mapping.

    Subclasses redeclare `mapping` with `mapping_field(placeholder, max_length)`."""

    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=gettext_lazy("The first row names the columns. CSV in UTF-8 or Windows-1252, separated by commas, "
                               "semicolons or tabs; or the first sheet of an XLSX workbook."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    mapping = mapping_field()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > tabular.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than %(n)s MiB; split it into smaller files.")
                                        % {"n": f"{tabular.MAX_BYTES / (1024 * 1024):g}"})
        return upload

    def clean_mapping(self):
        text = self.cleaned_data.get("mapping") or ""
        try:
            tabular.parse_mapping(text)
        except tabular.TableError as exc:
            raise forms.ValidationError(exc.message) from exc
        return text


class CheckedFileForm(forms.Form):
    """The second step (import, or download the report): the signed file and the mapping of the first.

    Subclasses add hidden fields for the other choices of the first step."""

    payload = forms.CharField(widget=forms.HiddenInput)
    filename = forms.CharField(max_length=255, required=False, widget=forms.HiddenInput)
    mapping = forms.CharField(max_length=20_000, required=False, widget=forms.HiddenInput)


def import_step(request: HttpRequest) -> str | None:
    """The step posted; "too-big" when the form (the checked file it carries) is over the request size limit."""
    if request.method != "POST":
        return None
    try:
        return request.POST.get("step")
    except RequestDataTooBig:
        return "too-big"


def report_response(csv_text: str, name: str) -> HttpResponse:
    """The dry run's report as a CSV download."""
    response = HttpResponse(csv_text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _no_choices(values: dict) -> dict:
    return {}


def import_steps(request: HttpRequest, *, kind: str, form: ImportFileForm, context: dict, run: Callable,
                 report_csv: Callable, report_name: str, done: Callable,
                 checked_form: type[CheckedFileForm] = CheckedFileForm, choices: Callable[[dict], dict] = _no_choices,
                 filename_max_length: int | None = None) -> HttpResponse | int:
    """The shared flow: check (dry run) -> report (CSV download) or commit (the real import).

    `run(data=, filename=, mapping=, dry_run=, **choices(values))` does the import; `choices` picks the first
    step's other choices from a form's cleaned data, named as the extra fields of `checked_form`. Fills `context`
    (form, report, checked, row_errors, page_errors, errors_shown, errors_hidden) and returns the response to send
    (the CSV report, or the redirect after the import), or else the status of the page to render."""
    context.update({"form": form, "report": None, "checked": None, "row_errors": [], "page_errors": []})
    status = 200
    step = import_step(request)
    if step in ("commit", "report"):
        checked = checked_form(request.POST)
        if not checked.is_valid():
            context["page_errors"] = [_("The import form was incomplete; upload the file again.")]
            status = 422
        else:
            values = checked.cleaned_data
            try:
                data = unsign_payload(request, kind, values["payload"])
                report = run(data=data, filename=values["filename"], mapping=values["mapping"],
                             dry_run=step == "report", **choices(values))
            except DomainError as exc:
                general, context["row_errors"] = split_errors(exc)
                context["page_errors"] = [e["message"] for e in general]
                status = exc.status if exc.status in (403, 404) else 422
            else:
                if step == "report":
                    return report_response(report_csv(report), report_name)
                messages.success(request, done(report))
                return redirect(request.path)
    elif step == "too-big":
        context["page_errors"] = [_("The checked file is too large to confirm on this page; split it into smaller "
                                    "files or import it through the API.")]
        status = 413
    elif step == "check":
        if form.is_valid():
            values = form.cleaned_data
            upload = values["file"]
            data = upload.read()
            filename = (upload.name or "")[:filename_max_length]
            chosen = choices(values)
            try:
                report = run(data=data, filename=filename, mapping=values["mapping"], dry_run=True, **chosen)
            except DomainError as exc:
                general, context["row_errors"] = split_errors(exc)
                apply_errors(form, general)
                status = exc.status if exc.status in (403, 404) else 422
            else:
                context["report"] = report
                context["checked"] = checked_form(initial={
                    "payload": sign_payload(request, kind, data), "filename": filename, "mapping": values["mapping"],
                    **chosen,
                })
                status = 200 if report.ok else 422
        else:
            status = 422
    report = context["report"]
    errors = report.errors if report is not None else context["row_errors"]
    context["errors_shown"] = errors[:ERRORS_SHOWN]
    context["errors_hidden"] = max(0, len(errors) - ERRORS_SHOWN)
    return status
