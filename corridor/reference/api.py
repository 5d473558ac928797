"""The reference-data API, mounted at /api/v1/reference. Reading is open to everyone (also without signing in);
importing a crosswalk needs a platform or programme administrator (session or token with `reference:write`)."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput
from corridor.core.pagination import Pagination
from corridor.reference import codes, selectors, services

router = Router(
    auth=ApiAccess(category=Category.REFERENCE, scope="reference", anonymous_read=True), tags=["reference"]
)


class CodeNameOut(Schema):
    code: str
    name: str


class IscoGroupOut(Schema):
    code: str
    level: int
    title: str
    parent: str | None = None
    uri: str

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None


class IscoGroupRef(Schema):
    code: str
    level: int
    title: str


class EscoOccupationRef(Schema):
    uri: str
    title: str
    alt_labels: list[str]


class IscoGroupDetailOut(Schema):
    code: str
    level: int
    level_name: str
    title: str
    description: str
    alt_labels: list[str]
    uri: str
    parent: str | None
    ancestors: list[IscoGroupRef]
    children: list[IscoGroupRef]
    esco_occupations: list[EscoOccupationRef]


class OccupationOut(Schema):
    kind: str
    code: str
    title: str
    level: int
    uri: str
    matched_label: str
    group_title: str
    rank: int


class ClassificationOut(Schema):
    code: str
    name: str
    country: str
    version: str
    entry_count: int


class CrosswalkEntryOut(Schema):
    classification: str
    national_code: str
    national_title: str
    isco_code: str
    isco_title: str


class RowError(Schema):
    row: int | None = None
    field: str | None
    message: str


class ImportRowOut(Schema):
    row: int
    national_code: str
    national_title: str
    isco_code: str
    isco_title: str
    action: str
    errors: list[RowError]


class ImportReportOut(Schema):
    classification_code: str
    name: str
    country: str
    version: str
    dry_run: bool
    committed: bool
    ok: bool
    encoding: str
    created: int
    updated: int
    unchanged: int
    not_in_file: int
    rows: list[ImportRowOut]
    errors: list[RowError]


def _group_refs(groups) -> list[dict]:
    return [{"code": g.code, "level": g.level, "title": g.title} for g in groups]


def _entry_out(entry) -> dict:
    return {
        "classification": entry.classification.code,
        "national_code": entry.national_code,
        "national_title": entry.national_title,
        "isco_code": entry.isco_group.code,
        "isco_title": entry.isco_group.title,
    }


@router.get("/countries", response=list[CodeNameOut], summary="Countries (ISO 3166-1 alpha-2)")
def list_countries(request: HttpRequest):
    return [{"code": code, "name": name} for code, name in codes.country_choices()]


@router.get("/languages", response=list[CodeNameOut], summary="Languages (ISO 639-1)")
def list_languages(request: HttpRequest):
    return [{"code": code, "name": name} for code, name in codes.language_choices()]


@router.get("/currencies", response=list[CodeNameOut], summary="Currencies (ISO 4217)")
def list_currencies(request: HttpRequest):
    return [
        {"code": code, "name": codes.currency_name(code) or code} for code, _label in codes.currency_choices()
    ]


@router.get("/sectors", response=list[CodeNameOut], summary="Sectors (ISIC Rev.4 sections)")
def list_sectors(request: HttpRequest):
    return [{"code": code, "name": name} for code, name in codes.sector_choices()]


@router.get("/isco", response=list[IscoGroupOut], summary="ISCO-08 groups")
@paginate(Pagination)
def list_isco_groups(
    request: HttpRequest,
    level: int | None = Query(None, ge=1, le=4, description="1 major, 2 sub-major, 3 minor, 4 unit groups."),
    parent: str | None = Query(None, max_length=4, description="Only the groups directly under this code."),
):
    return selectors.isco_groups(user=request.auth, level=level, parent=parent)


@router.get(
    "/isco/{code}", response=IscoGroupDetailOut, summary="One ISCO-08 group with its place in the hierarchy"
)
def get_isco_group(request: HttpRequest, code: str):
    user = request.auth
    group = selectors.isco_group_detail(user=user, code=code)
    return {
        "code": group.code,
        "level": group.level,
        "level_name": group.level_name,
        "title": group.title,
        "description": group.description,
        "alt_labels": group.alt_label_list,
        "uri": group.uri,
        "parent": group.parent.code if group.parent_id else None,
        "ancestors": _group_refs(selectors.isco_ancestors(user=user, group=group)),
        "children": _group_refs(selectors.isco_children(user=user, group=group)),
        "esco_occupations": [
            {"uri": o.uri, "title": o.title, "alt_labels": o.alt_label_list}
            for o in selectors.esco_occupations_of(user=user, group=group).filter(isco_group=group)
        ],
    }


@router.get(
    "/occupations", response=list[OccupationOut], summary="Search ISCO-08 groups and ESCO occupations"
)
def search_occupations(
    request: HttpRequest,
    q: str = Query(..., min_length=1, max_length=200, description="A code, a title or part of one."),
    level: int | None = Query(
        None, ge=1, le=4, description="Only results whose ISCO-08 code has this many digits."
    ),
    limit: int = Query(20, ge=1, le=selectors.MAX_SEARCH_LIMIT),
):
    return [m.__dict__ for m in selectors.occupation_search(user=request.auth, q=q, limit=limit, level=level)]


@router.get("/crosswalks", response=list[ClassificationOut], summary="National occupational classifications")
def list_classifications(request: HttpRequest):
    return list(selectors.national_classifications(user=request.auth))


@router.get(
    "/crosswalks/{classification}/{national_code}",
    response=CrosswalkEntryOut,
    summary="The ISCO-08 group of a national occupation code",
)
def get_crosswalk_entry(request: HttpRequest, classification: str, national_code: str):
    entry = selectors.crosswalk_entry(
        user=request.auth, classification_code=classification, national_code=national_code
    )
    return _entry_out(entry)


@router.post(
    "/crosswalks/import",
    response=ImportReportOut,
    summary="Import a crosswalk CSV (national_code, national_title, isco_code)",
    description=(
        "Multipart form with the CSV `file` and the classification's `classification_code`, `name`, `country` "
        "(ISO 3166-1 alpha-2) and `version`. With `dry_run` true nothing is saved and the row-by-row report is "
        "returned. Any row error gives 422 with one error per row and column; a real import saves every row or none."
    ),
)
def import_crosswalk(
    request: HttpRequest,
    file: File[UploadedFile],
    classification_code: Form[str],
    name: Form[str],
    country: Form[str],
    version: Form[str] = "",
    dry_run: Form[bool] = False,
):
    if file.size is not None and file.size > settings.CORRIDOR_MAX_UPLOAD_BYTES:
        limit_mib = settings.CORRIDOR_MAX_UPLOAD_BYTES / (1024 * 1024)
        raise InvalidInput([{"field": "file", "message": f"The file is larger than {limit_mib:g} MiB."}])
    report = services.crosswalk_import(
        actor=request.auth,
        classification_code=classification_code,
        name=name,
        country=country,
        version=version,
        data=file.read(),
        dry_run=dry_run,
    )
    if not report.ok:
        raise InvalidInput(report.errors)
    return report.as_dict()
