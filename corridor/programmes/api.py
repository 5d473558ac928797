"""Programmes, corridors, rule versions and presets through /api/v1."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import translation
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from corridor.accounts.models import Organisation
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import InvalidInput, NotFound
from corridor.core.pagination import Pagination
from corridor.core.selectors import audit_history_for
from corridor.programmes import selectors, services
from corridor.programmes.plain_language import describe
from corridor.programmes.presets import PRESETS
from corridor.programmes.selectors import agreement_response

router = Router(tags=["programmes"], auth=ApiAccess(category=Category.PROGRAMME, scope="programmes", anonymous_read=True))
presets_router = Router(tags=["programmes"], auth=ApiAccess(category=Category.PROGRAMME, scope="programmes", anonymous_read=True))


class OrganisationRef(Schema):
    id: int
    name: str
    kind: str
    country: str


class CorridorOut(Schema):
    origin_country: str
    competent_authority: OrganisationRef
    is_active: bool
    opened_on: datetime.date | None
    notes: str


class ProgrammeOut(Schema):
    code: str
    name: str
    institutional_design: str
    category: str
    destination_country: str
    status: str
    owner: OrganisationRef
    description: str
    agreement_title: str
    agreement_signed_on: datetime.date | None
    agreement_valid_from: datetime.date | None
    agreement_valid_until: datetime.date | None
    preset: str
    has_agreement_document: bool
    corridors: list[CorridorOut]
    rules_in_force: int | None = Field(None, description="Number of the rule version in force today.")

    @staticmethod
    def resolve_has_agreement_document(obj):
        return bool(obj.agreement_document)

    @staticmethod
    def resolve_corridors(obj):
        return list(obj.corridors.all())

    @staticmethod
    def resolve_rules_in_force(obj):
        version = selectors.rule_version_in_force(programme=obj)
        return version.number if version else None


class ProgrammeListItem(Schema):
    code: str
    name: str
    institutional_design: str
    category: str
    destination_country: str
    status: str
    owner: OrganisationRef


class ProgrammeIn(Schema):
    code: str = Field(..., max_length=30)
    name: str = Field(..., max_length=200)
    institutional_design: str = Field(..., max_length=20, description="unilateral, bilateral or multilateral")
    category: str = Field(..., max_length=30)
    destination_country: str = Field(..., max_length=2)
    owner_id: int | None = Field(None, description="Administering ministry; defaults to the caller's own.")
    description: str = Field("", max_length=5000)
    agreement_title: str = Field("", max_length=300)
    agreement_signed_on: datetime.date | None = None
    agreement_valid_from: datetime.date | None = None
    agreement_valid_until: datetime.date | None = None
    preset: str = Field("", max_length=40, description="Start from a preset's rules (see /presets).")
    rules: dict[str, Any] | None = Field(None, description="A full rule set; overrides the preset.")
    rules_effective_from: datetime.date | None = None


class ProgrammePatch(Schema):
    name: str | None = Field(None, max_length=200)
    institutional_design: str | None = Field(None, max_length=20)
    category: str | None = Field(None, max_length=30)
    description: str | None = Field(None, max_length=5000)
    agreement_title: str | None = Field(None, max_length=300)
    agreement_signed_on: datetime.date | None = None
    agreement_valid_from: datetime.date | None = None
    agreement_valid_until: datetime.date | None = None
    reason: str = Field("", max_length=2000)


class StatusIn(Schema):
    status: str = Field(..., max_length=20)
    reason: str = Field("", max_length=2000)


class CorridorIn(Schema):
    origin_country: str = Field(..., max_length=2)
    competent_authority_id: int
    opened_on: datetime.date | None = None
    notes: str = Field("", max_length=2000)


class CorridorPatch(Schema):
    is_active: bool
    reason: str = Field("", max_length=2000)


class IssueOut(Schema):
    field: str
    message: str
    principle: str = ""


class RuleVersionOut(Schema):
    number: int
    effective_from: datetime.date
    effective_until: datetime.date | None
    rules: dict[str, Any]
    warnings: list[IssueOut]
    note: str
    created_at: datetime.datetime


class RuleVersionIn(Schema):
    rules: dict[str, Any]
    effective_from: datetime.date
    note: str = Field(..., max_length=2000)


class RuleVersionPatch(Schema):
    rules: dict[str, Any]
    note: str = Field("", max_length=2000)


class RulesCheckIn(Schema):
    rules: dict[str, Any]


class RulesCheckOut(Schema):
    valid: bool
    errors: list[IssueOut]
    warnings: list[IssueOut]


class PlainSection(Schema):
    key: str
    title: str
    sentences: list[str]


class PresetOut(Schema):
    key: str
    name: str
    institutional_design: str
    category: str
    destination_country: str
    summary: str
    rules: dict[str, Any]


class HistoryOut(Schema):
    occurred_at: datetime.datetime
    actor: str = Field(..., alias="actor_label")
    action: str
    before: dict | None
    after: dict | None
    reason: str


def _organisation(org_id: int, field: str) -> Organisation:
    org = Organisation.objects.filter(pk=org_id).restrict(None).first()
    if org is None:
        raise InvalidInput(f"No organisation with id {org_id}.", field=field)
    return org


@router.get("", response=list[ProgrammeListItem], summary="Programmes you may see")
@paginate(Pagination)
def list_programmes(
    request, q: str = "", category: str = "", design: str = "", status: str = "", destination: str = "", origin: str = ""
):
    return selectors.programme_list(
        user=request.auth, q=q, category=category, design=design, status=status, destination=destination, origin=origin
    )


@router.post("", response={201: ProgrammeOut}, summary="Create a programme (draft) with its first rule version")
def create_programme(request, payload: ProgrammeIn):
    data = payload.dict()
    owner_id = data.pop("owner_id")
    owner = _organisation(owner_id, "owner_id") if owner_id else None
    programme = services.programme_create(actor=request.auth, owner=owner, **data)
    return Status(201, programme)


@router.post("/validate-rules", response=RulesCheckOut, summary="Check a rule set without saving it")
def validate_rules(request, payload: RulesCheckIn):
    verdict = services.validate_rules(payload.rules)
    return {
        "valid": verdict.ok,
        "errors": [{"field": f"rules.{i.field}", "message": i.message} for i in verdict.errors],
        "warnings": [{"field": f"rules.{i.field}", "message": i.message, "principle": i.principle} for i in verdict.warnings],
    }


@router.get("/{code}", response=ProgrammeOut)
def get_programme(request, code: str):
    return selectors.programme_get(user=request.auth, code=code)


@router.patch("/{code}", response=ProgrammeOut)
def update_programme(request, code: str, payload: ProgrammePatch):
    programme = selectors.programme_get(user=request.auth, code=code, action="change")
    changes = payload.dict(exclude_unset=True)
    reason = changes.pop("reason", "")
    return services.programme_update(actor=request.auth, programme=programme, changes=changes, reason=reason)


@router.post("/{code}/status", response=ProgrammeOut, summary="Activate, suspend or close a programme")
def set_status(request, code: str, payload: StatusIn):
    programme = selectors.programme_get(user=request.auth, code=code, action="change")
    return services.programme_set_status(actor=request.auth, programme=programme, status=payload.status, reason=payload.reason)


@router.post("/{code}/agreement", response=ProgrammeOut, summary="Attach the signed agreement (PDF)")
def attach_agreement(request, code: str, file: File[UploadedFile]):
    programme = selectors.programme_get(user=request.auth, code=code, action="change")
    return services.programme_attach_agreement(actor=request.auth, programme=programme, upload=file)


@router.get("/{code}/agreement", summary="Download the signed agreement (PDF)")
def download_agreement(request, code: str):
    programme = selectors.programme_get(user=request.auth, code=code)
    return agreement_response(programme)


@router.get("/{code}/corridors", response=list[CorridorOut])
def list_corridors(request, code: str):
    programme = selectors.programme_get(user=request.auth, code=code)
    return list(selectors.corridor_list(user=request.auth, programme=programme))


@router.post("/{code}/corridors", response={201: CorridorOut})
def add_corridor(request, code: str, payload: CorridorIn):
    programme = selectors.programme_get(user=request.auth, code=code, action="change")
    authority = _organisation(payload.competent_authority_id, "competent_authority_id")
    corridor = services.corridor_add(
        actor=request.auth,
        programme=programme,
        origin_country=payload.origin_country,
        competent_authority=authority,
        opened_on=payload.opened_on,
        notes=payload.notes,
    )
    return Status(201, corridor)


@router.patch("/{code}/corridors/{origin}", response=CorridorOut)
def update_corridor(request, code: str, origin: str, payload: CorridorPatch):
    programme = selectors.programme_get(user=request.auth, code=code, action="change")
    corridor = selectors.corridor_list(user=request.auth, programme=programme).filter(origin_country=origin.upper()).first()
    if corridor is None:
        raise NotFound(f"Programme {programme.code} has no corridor from '{origin}'.")
    return services.corridor_set_active(actor=request.auth, corridor=corridor, is_active=payload.is_active, reason=payload.reason)


@router.get("/{code}/rule-versions", response=list[RuleVersionOut])
def list_rule_versions(request, code: str):
    programme = selectors.programme_get(user=request.auth, code=code)
    return list(selectors.rule_version_list(user=request.auth, programme=programme))


@router.post("/{code}/rule-versions", response={201: RuleVersionOut}, summary="Add a rule version from a date")
def create_rule_version(request, code: str, payload: RuleVersionIn):
    programme = selectors.programme_get(user=request.auth, code=code, action="change")
    version = services.rule_version_create(
        actor=request.auth, programme=programme, rules=payload.rules, effective_from=payload.effective_from, note=payload.note
    )
    return Status(201, version)


@router.get("/{code}/rule-versions/{number}", response=RuleVersionOut)
def get_rule_version(request, code: str, number: int):
    programme = selectors.programme_get(user=request.auth, code=code)
    return selectors.rule_version_get(user=request.auth, programme=programme, number=number)


@router.patch("/{code}/rule-versions/{number}", response=RuleVersionOut, summary="Correct a version not yet in force")
def update_rule_version(request, code: str, number: int, payload: RuleVersionPatch):
    programme = selectors.programme_get(user=request.auth, code=code, action="change")
    version = selectors.rule_version_get(user=request.auth, programme=programme, number=number)
    return services.rule_version_update(actor=request.auth, version=version, rules=payload.rules, note=payload.note)


@router.get("/{code}/rule-versions/{number}/plain", response=list[PlainSection], summary="The rules in plain language")
def plain_rules(request, code: str, number: int, lang: str = ""):
    programme = selectors.programme_get(user=request.auth, code=code)
    version = selectors.rule_version_get(user=request.auth, programme=programme, number=number)
    from django.conf import settings

    if lang and lang not in dict(settings.LANGUAGES):
        raise InvalidInput(f"Unsupported language '{lang}'; use one of {', '.join(dict(settings.LANGUAGES))}.", field="lang")
    with translation.override(lang or translation.get_language()):
        return describe(version.rules)


@router.get("/{code}/history", response=list[HistoryOut], summary="Audit history of the programme")
def programme_history(request, code: str):
    programme = selectors.programme_get(user=request.auth, code=code)
    return list(audit_history_for(user=request.auth, subject=programme, whole_programme=True)[:500])


@presets_router.get("", response=list[PresetOut], summary="Presets modelled on real programmes")
def list_presets(request):
    return [p.__dict__ for p in PRESETS.values()]


@presets_router.get("/{key}", response=PresetOut)
def get_preset(request, key: str):
    if key not in PRESETS:
        raise NotFound(f"No preset '{key}'; known: {', '.join(PRESETS)}.")
    return PRESETS[key].__dict__
