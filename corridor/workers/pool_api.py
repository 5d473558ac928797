"""The origin authority's pool work through /api/v1/worker-pool (scopes `workers:read`, `workers:write`): the queue
of possible duplicates with merge and dismissal, and the bulk import of workers.

- `GET /duplicates?status=open|merged|dismissed|all`: the possible duplicates among the authority's nationals,
  best scores first, each with the two records side by side (identity and documents).
- `GET /duplicates/{id}`; `POST /duplicates/{id}/merge` `{"keep": "<public id of the record to keep>"}`;
  `POST /duplicates/{id}/dismiss` `{"note": "..."}`.
- `POST /import`: multipart `file` (CSV or XLSX), `mapping` (optional JSON object of our field name to the file's
  column header), `dry_run` (true by default: the row-by-row report with 200; false: the import, every row or none,
  201, or 422 with one error per row and field). `?format=csv` returns the report as a CSV download.
"""

from __future__ import annotations

import datetime
import json

from django.http import HttpRequest, HttpResponse
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from corridor.core import tabular
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import DomainError, InvalidInput
from corridor.core.pagination import Pagination
from corridor.workers import duplicates, imports
from corridor.workers.models import DuplicateStatus, IdentityDocument

router = Router(tags=["worker pool"], auth=ApiAccess(category=Category.WORKER_IDENTITY, scope="workers"))
# The import file carries phone numbers and e-mail addresses: worker contact data, behind the immigration firewall.
CONTACT = ApiAccess(category=Category.WORKER_CONTACT, scope="workers")
FORMAT = Query("json", pattern="^(json|csv)$", description="`csv` for the report as a CSV download.")
STATUSES = "^(open|merged|dismissed|all)$"


class FileTooLarge(DomainError):
    status = 413
    title = "Payload too large"


class DocumentOut(Schema):
    kind: str
    number: str
    issuing_country: str
    expires_on: datetime.date | None


class RecordOut(Schema):
    public_id: str
    given_names: str
    family_names: str
    sex: str
    date_of_birth: datetime.date
    nationality: str
    region_of_origin: str
    status: str
    registered_via: str
    confirmed: bool
    has_account: bool
    merged_into: str | None
    created_at: datetime.datetime
    documents: list[DocumentOut]


class DuplicateOut(Schema):
    id: int
    score: float
    reasons: list[str]
    status: str
    created_at: datetime.datetime
    decided_by: str | None
    decided_at: datetime.datetime | None
    note: str
    first: RecordOut
    second: RecordOut


class MergeIn(Schema):
    keep: str = Field(..., min_length=1, max_length=20, description="The public identifier of the record to keep.")


class DismissIn(Schema):
    note: str = Field("", max_length=2000, description="Why the two records are not the same person.")


class ImportOut(Schema):
    nationality: str
    filename: str
    dry_run: bool
    committed: bool
    encoding: str
    rows: int
    valid: int
    created: int
    ok: bool
    duplicates_found: int
    flags_created: int
    columns: dict[str, str]
    header: list[str]
    errors: list[dict]
    duplicates: list[dict]
    preview: list[dict]


def _record(worker, documents: dict[int, list]) -> dict:
    return {
        "public_id": worker.public_id, "given_names": worker.given_names, "family_names": worker.family_names,
        "sex": worker.sex, "date_of_birth": worker.date_of_birth, "nationality": worker.nationality,
        "region_of_origin": worker.region_of_origin, "status": worker.status, "registered_via": worker.registered_via,
        "confirmed": worker.confirmed_at is not None, "has_account": worker.user_id is not None,
        "merged_into": worker.merged_into.public_id if worker.merged_into_id else None,
        "created_at": worker.created_at, "documents": documents.get(worker.pk, []),
    }


def _documents(flags) -> dict[int, list]:
    ids = {w for f in flags for w in (f.first_id, f.second_id)}
    found: dict[int, list] = {}
    for document in IdentityDocument.objects.filter(worker_id__in=ids).order_by("kind", "pk"):
        found.setdefault(document.worker_id, []).append({
            "kind": document.kind, "number": document.number, "issuing_country": document.issuing_country,
            "expires_on": document.expires_on,
        })
    return found


def _out(flags) -> list[dict]:
    flags = list(flags)
    documents = _documents(flags)
    return [{
        "id": f.pk, "score": float(f.score), "reasons": list(f.reasons or []), "status": f.status,
        "created_at": f.created_at, "decided_by": f.decided_by.get_username() if f.decided_by_id else None,
        "decided_at": f.decided_at, "note": f.note,
        "first": _record(f.first, documents), "second": _record(f.second, documents),
    } for f in flags]


class _Page:
    """A queryset whose pages are turned into dictionaries after slicing (one document query per page)."""

    def __init__(self, queryset):
        self.queryset = queryset

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return _out(self.queryset[item])


@router.get("/duplicates", response=list[DuplicateOut], summary="Possible duplicates to review")
@paginate(Pagination)
def duplicate_list(request: HttpRequest, status: str = Query("open", pattern=STATUSES)):
    """The possible duplicates among the nationals of the caller's origin authority, best scores first."""
    qs = duplicates.duplicate_list(user=request.auth, status=None if status == "all" else DuplicateStatus(status))
    return _Page(qs.select_related("first__merged_into", "second__merged_into"))


@router.get("/duplicates/{flag_id}", response=DuplicateOut, summary="One possible duplicate")
def duplicate_detail(request: HttpRequest, flag_id: int):
    return _out([duplicates.duplicate_get(user=request.auth, pk=flag_id)])[0]


@router.post("/duplicates/{flag_id}/merge", response=DuplicateOut, summary="Merge: keep one record")
def duplicate_merge(request: HttpRequest, flag_id: int, payload: MergeIn):
    """Keep the record named by `keep`; the other is merged into it (its parts move, its history stays)."""
    flag = duplicates.duplicate_get(user=request.auth, pk=flag_id)
    duplicates.duplicate_merge(actor=request.auth, flag=flag, keep=payload.keep)
    return _out([duplicates.duplicate_get(user=request.auth, pk=flag_id)])[0]


@router.post("/duplicates/{flag_id}/dismiss", response=DuplicateOut, summary="Not the same person")
def duplicate_dismiss(request: HttpRequest, flag_id: int, payload: DismissIn):
    flag = duplicates.duplicate_get(user=request.auth, pk=flag_id)
    duplicates.duplicate_dismiss(actor=request.auth, flag=flag, note=payload.note)
    return _out([duplicates.duplicate_get(user=request.auth, pk=flag_id)])[0]


def _file(file: UploadedFile) -> tuple[bytes, str]:
    if file.size is not None and file.size > tabular.MAX_BYTES:
        limit = tabular.MAX_BYTES / (1024 * 1024)
        raise FileTooLarge(f"The file is larger than {limit:g} MiB; split it into smaller files.", field="file")
    data = file.read(tabular.MAX_BYTES + 1)
    if len(data) > tabular.MAX_BYTES:
        raise FileTooLarge("The file is too large; split it into smaller files.", field="file")
    return data, (file.name or "")[:255]


def _mapping(text: str) -> dict[str, str] | None:
    """A JSON object {"our_field": "Their column"}; lines "our_field = Their column" are accepted too."""
    text = (text or "").strip()
    if not text:
        return None
    if not text.startswith("{"):
        try:
            return tabular.parse_mapping(text)
        except tabular.TableError as exc:
            raise InvalidInput([exc.as_error()]) from exc
    try:
        mapping = json.loads(text)
    except ValueError:
        mapping = None
    if not isinstance(mapping, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise InvalidInput('The mapping must be a JSON object of our field names to the file\'s column headers, e.g. '
                           '{"given_names": "First name"}.', field="mapping")
    return mapping


def _csv(content: bytes, status: int) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8", status=status)
    response["Content-Disposition"] = 'attachment; filename="worker-import-report.csv"'
    return response


@router.post(
    "/import", auth=CONTACT, response={200: ImportOut, 201: ImportOut}, summary="Import workers (CSV or XLSX)",
    description=(
        "Multipart form: `file` (CSV or XLSX, one worker a row), `mapping` (optional JSON object of our field name "
        "to the file's column header), `dry_run` (default true). For officers of an origin labour authority, for "
        "their own nationals. Possible duplicates (within the file and with the pool) do not block the import: "
        "they are listed, and flagged for review when imported. See docs/worker-pool.md for the columns."
    ),
)
def import_workers(
    request: HttpRequest,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    dry_run: Form[bool] = True,
    format: str = FORMAT,
):
    data, filename = _file(file)
    columns = _mapping(mapping[:20_000])
    try:
        report = imports.worker_import(actor=request.auth, data=data, filename=filename, mapping=columns, dry_run=dry_run)
    except InvalidInput as exc:
        if format != "csv":
            raise
        return _csv(tabular.write_report(exc.as_errors()), 422)
    if format == "csv":
        return _csv(imports.report_csv(report), 200 if dry_run else 201)
    return Status(200 if dry_run else 201, report.as_dict())
