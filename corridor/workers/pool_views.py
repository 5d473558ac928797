"""Pages of the origin authority's pool work: the queue of possible duplicates (compare, merge, dismiss) and the bulk
import of workers (upload and dry run, then import the very file checked)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from corridor.core.access import Category
from corridor.core.errors import DomainError, Forbidden
from corridor.core.forms import DescribedByMixin
from corridor.core.imports import ImportFileForm, apply_errors, import_step, import_steps, mapping_field
from corridor.core.views import data_category
from corridor.workers import duplicates, imports
from corridor.workers.models import DuplicateStatus

DUPLICATES_SHOWN = 200

COLUMN_HELP = {
    "given_names": gettext_lazy("Given names."),
    "family_names": gettext_lazy("Family names (may be empty for a person with one name)."),
    "sex": gettext_lazy("female, male, other or undisclosed (or F, M, X)."),
    "date_of_birth": gettext_lazy("YYYY-MM-DD; at least 15 years old."),
    "nationality": gettext_lazy("ISO country code; your own country (may be left out)."),
    "region": gettext_lazy("Region of origin (optional)."),
    "phone": gettext_lazy("Mobile phone with + and the country code; a phone or an e-mail is needed."),
    "email": gettext_lazy("E-mail address (optional)."),
    "language": gettext_lazy("Preferred language, ISO 639 (e.g. ne, ar, es); English if left out."),
    "document_kind": gettext_lazy("passport, national_id, birth_certificate or other (optional)."),
    "document_number": gettext_lazy("The document's number."),
    "document_issuing_country": gettext_lazy("ISO country code; the nationality if left out."),
    "document_expires_on": gettext_lazy("YYYY-MM-DD; an expired document is refused."),
    "isco_code": gettext_lazy("Occupation, ISCO-08 unit group (4 digits; optional)."),
    "years_experience": gettext_lazy("Years of experience in that occupation (0 to 60)."),
}


class ImportForm(ImportFileForm):
    mapping = mapping_field("given_names = First name", max_length=20_000)


class MergeForm(DescribedByMixin, forms.Form):
    keep = forms.ChoiceField(label=gettext_lazy("Keep this record"), widget=forms.RadioSelect, choices=())

    def __init__(self, *args, flag=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (w.public_id, f"{w.public_id} · {w.given_names} {w.family_names}") for w in (flag.first, flag.second)
        ]


class DismissForm(DescribedByMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Why they are not the same person"), required=False, max_length=duplicates.NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _forbidden(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "core/forbidden.html", {"reason": reason}, status=403)


def _officer(request: HttpRequest):
    """The caller's origin authority, or None when the caller is not one of its officers."""
    try:
        return imports.importer_country(request.user)
    except Forbidden:
        return None


NOT_OFFICER = gettext_lazy("Possible duplicates and imports of workers are handled by officers of the origin labour "
                           "authority, for their own nationals.")


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def duplicate_list(request: HttpRequest) -> HttpResponse:
    """The origin authority's queue of possible duplicates, best scores first."""
    if _officer(request) is None:
        return _forbidden(request, str(NOT_OFFICER))
    status = request.GET.get("status", DuplicateStatus.OPEN)
    if status not in (*DuplicateStatus.values, "all"):
        status = DuplicateStatus.OPEN
    qs = duplicates.duplicate_list(user=request.user, status=None if status == "all" else status)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    statuses = [(s.value, s.label) for s in DuplicateStatus] + [("all", _("All"))]
    return render(request, "workers/pool_duplicates.html", {"page": page, "status": status, "statuses": statuses})


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The two records side by side, and the decision: keep one (merge) or not the same person (dismiss)."""
    if _officer(request) is None:
        return _forbidden(request, str(NOT_OFFICER))
    flag = duplicates.duplicate_get(user=request.user, pk=pk)
    merge_form = MergeForm(flag=flag)
    dismiss_form = DismissForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "merge":
                merge_form = MergeForm(request.POST, flag=flag)
                if merge_form.is_valid():
                    kept = duplicates.duplicate_merge(actor=request.user, flag=flag, keep=merge_form.cleaned_data["keep"])
                    messages.success(request, _("The records are merged into %(id)s; the history of both is kept.")
                                     % {"id": kept.public_id})
                    return redirect("workers_pool:duplicates")
            elif action == "dismiss":
                dismiss_form = DismissForm(request.POST)
                if dismiss_form.is_valid():
                    duplicates.duplicate_dismiss(actor=request.user, flag=flag, note=dismiss_form.cleaned_data["note"])
                    messages.success(request, _("Marked as two different people; this pair will not be flagged again."))
                    return redirect("workers_pool:duplicates")
            else:
                merge_form.add_error(None, _("Choose to merge the records or to dismiss the flag."))
            status = 422
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            apply_errors(dismiss_form if action == "dismiss" else merge_form, exc.as_errors())
            status = exc.status
    merge_form.set_described_by()
    dismiss_form.set_described_by()
    return render(request, "workers/pool_duplicate.html", {
        "flag": flag, "sides": duplicates.side_by_side(flag), "merge_form": merge_form, "dismiss_form": dismiss_form,
        "open": flag.status == DuplicateStatus.OPEN,
    }, status=status)


@data_category(Category.WORKER_CONTACT)
@login_required
@require_http_methods(["GET", "POST"])
def worker_import(request: HttpRequest) -> HttpResponse:
    """Upload workers (CSV or XLSX), see the dry run row by row with the possible duplicates, then import them."""
    org = _officer(request)
    if org is None:
        return _forbidden(request, str(NOT_OFFICER))
    checking = import_step(request) == "check"
    form = ImportForm(request.POST if checking else None, request.FILES if checking else None)
    context = {
        "country": org.country,
        "columns": [{"name": c, "required": c in imports.REQUIRED, "help": COLUMN_HELP.get(c, "")} for c in imports.COLUMNS],
    }

    def run(*, data: bytes, filename: str, mapping: str, dry_run: bool):
        return imports.worker_import(actor=request.user, data=data, filename=filename, mapping=mapping, dry_run=dry_run)

    def done(report) -> str:
        return _("%(n)d workers registered; %(d)d possible duplicates flagged for review.") % {
            "n": report.created, "d": report.flags_created,
        }

    result = import_steps(request, kind=imports.KIND_IMPORT, form=form, context=context, run=run,
                          report_csv=imports.report_csv, report_name="worker-import-report.csv", done=done,
                          filename_max_length=255)
    if isinstance(result, HttpResponse):
        return result
    report = context["report"]
    if report is not None:
        context["duplicates_shown"] = report.duplicates[:DUPLICATES_SHOWN]
        context["duplicates_hidden"] = max(0, len(report.duplicates) - DUPLICATES_SHOWN)
    form.set_described_by()
    return render(request, "workers/pool_import.html", context, status=result)
