"""Employers, approvals, worksites, housing and (behind the firewall) inspections through /api/v1/employers."""

from __future__ import annotations

import datetime
from decimal import Decimal

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.pagination import Pagination
from corridor.employers import selectors, services
from corridor.programmes.selectors import programme_get

router = Router(tags=["employers"], auth=ApiAccess(category=Category.ORGANISATION, scope="employers"))
inspections_router = Router(tags=["employers"], auth=ApiAccess(category=Category.INSPECTION, scope="employers"))


class WorksiteIn(Schema):
    name: str = Field(..., max_length=200)
    address: str = Field(..., max_length=300)
    region: str = Field("", max_length=100)
    country: str = Field(..., max_length=2)


class WorksiteOut(Schema):
    id: int
    name: str
    address: str
    region: str
    country: str


class RegisterIn(Schema):
    business_id: str = Field(..., max_length=100)
    sectors: list[str] = Field(..., max_length=21, description="ISIC Rev.4 section letters, A to U.")
    contact_name: str = Field(..., max_length=200)
    contact_phone: str = Field("", max_length=40)
    contact_email: str = Field(..., max_length=254)
    worksites: list[WorksiteIn] = Field(default_factory=list, max_length=100)


class ApprovalOut(Schema):
    programme: str
    status: str
    reason: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None
    restricted_until: datetime.date | None

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code


class ApprovalDetailOut(ApprovalOut):
    employer_id: int
    documents_checked: str
    finances: str
    compliance_history: str


class EmployerOut(Schema):
    id: int
    name: str
    country: str
    business_id: str
    sectors: list[str]
    trusted: bool
    approvals: list[ApprovalOut]

    @staticmethod
    def resolve_name(obj):
        return obj.organisation.name

    @staticmethod
    def resolve_country(obj):
        return obj.organisation.country

    @staticmethod
    def resolve_approvals(obj, context):
        return list(selectors.approval_list(user=context["request"].user, employer=obj))


class EmployerDetailOut(EmployerOut):
    contact_name: str
    contact_phone: str
    contact_email: str


class VettingIn(Schema):
    documents_checked: str | None = Field(None, max_length=5000)
    finances: str | None = Field(None, max_length=5000)
    compliance_history: str | None = Field(None, max_length=5000)


class ReasonIn(Schema):
    reason: str = Field("", max_length=5000)
    until: datetime.date | None = None
    vetting: VettingIn | None = None


class TrustedIn(Schema):
    programme: str = Field(..., max_length=30)
    trusted: bool
    reason: str = Field("", max_length=5000)


class HousingIn(Schema):
    worksite_id: int
    address: str = Field(..., max_length=300)
    beds_per_room: list[int] = Field(..., max_length=200)
    floor_area_m2: Decimal
    facilities: list[str] = Field(default_factory=list, max_length=100)
    charge_amount: Decimal = Decimal("0")
    charge_currency: str = Field(..., max_length=3)


class HousingPatch(Schema):
    address: str | None = Field(None, max_length=300)
    beds_per_room: list[int] | None = Field(None, max_length=200)
    floor_area_m2: Decimal | None = None
    facilities: list[str] | None = Field(None, max_length=100)
    charge_amount: Decimal | None = None
    charge_currency: str | None = Field(None, max_length=3)
    status: str | None = Field(None, max_length=20)


class HousingOut(Schema):
    id: int
    worksite_id: int
    address: str
    rooms: int
    beds_per_room: list[int]
    capacity: int
    floor_area_m2: Decimal
    facilities: list[str]
    charge_amount: Decimal
    charge_currency: str
    status: str
    photos: list[str]

    @staticmethod
    def resolve_photos(obj):
        return [p.image.url for p in obj.photos.all()]


class FindingOut(Schema):
    rule: str
    message: str
    actual: float | int | list[str] | None
    required: float | int | list[str] | None


class CheckOut(Schema):
    programme: str
    rule_version: int | None
    standard: dict
    compliant: bool
    findings: list[FindingOut]


class InspectionIn(Schema):
    unit_id: int
    date: datetime.date
    result: str = Field(..., max_length=20)
    notes: str = Field("", max_length=10000)
    programme: str = Field("", max_length=30, description="The programme the visit was made for, if any.")


class InspectionOut(Schema):
    id: int
    unit_id: int
    date: datetime.date
    result: str
    notes: str
    inspector: str

    @staticmethod
    def resolve_inspector(obj):
        return obj.inspector.display_name


# --- employers -----------------------------------------------------------------------------------------------


class SignUpIn(Schema):
    organisation_name: str = Field(..., max_length=200)
    country: str = Field(..., max_length=2)
    business_id: str = Field(..., max_length=100)
    sectors: list[str] = Field(..., max_length=21, description="ISIC Rev.4 section letters, A to U.")
    contact_name: str = Field(..., max_length=200)
    contact_phone: str = Field("", max_length=40)
    contact_email: str = Field(..., max_length=254)
    worksites: list[WorksiteIn] = Field(..., max_length=100)
    username: str = Field(..., max_length=150)
    password: str = Field(..., max_length=200)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    language: str = Field("en", max_length=8)


SIGN_UP_RATE = "10/h"


@router.post(
    "/sign-up", response={201: EmployerDetailOut},
    auth=ApiAccess(category=Category.ORGANISATION, scope="employers", anonymous_write=True),
)
def sign_up(request, payload: SignUpIn):
    """A new employer registers itself and its first account, without signing in (at most 10 a hour from one
    address). It can then sign in, add housing and apply to programmes; the destination ministry vets it."""
    from django_ratelimit.core import is_ratelimited

    from corridor.core.errors import RateLimited

    if is_ratelimited(request, group="employer-sign-up", key="ip", rate=SIGN_UP_RATE, increment=True):
        raise RateLimited("Too many sign-ups from this address; try again in an hour.")
    data = payload.dict()
    worksites = data.pop("worksites")
    profile = services.employer_sign_up(worksites=worksites, **data)
    return Status(201, profile)


@router.post("/register", response={201: EmployerDetailOut})
def register(request, payload: RegisterIn):
    """Register the signed-in user's employer organisation, with its worksites."""
    data = payload.dict()
    worksites = data.pop("worksites")
    profile = services.employer_register(actor=request.user, worksites=worksites, **data)
    return Status(201, profile)


@router.get("/me", response=EmployerDetailOut)
def me(request):
    """The signed-in user's own employer profile."""
    return selectors.employer_of_user(user=request.user)


@router.get("/", response=list[EmployerOut])
@paginate(Pagination)
def employer_list(request, status: str = "", programme: str = "", country: str = ""):
    """Employers the user may see, filtered by approval status, programme code or country."""
    return selectors.employer_list(user=request.user, status=status[:20], programme=programme[:30], country=country[:2])


@router.get("/housing", response=list[HousingOut])
@paginate(Pagination)
def housing_list(request):
    return selectors.housing_list(user=request.user).prefetch_related("photos")


@router.post("/housing", response={201: HousingOut})
def housing_create(request, payload: HousingIn):
    worksite = selectors.worksite_get(user=request.user, pk=payload.worksite_id)
    data = payload.dict(exclude={"worksite_id"})
    return Status(201, services.housing_unit_create(actor=request.user, worksite=worksite, **data))


@router.get("/housing/{int:unit_id}", response=HousingOut)
def housing_detail(request, unit_id: int):
    return selectors.housing_get(user=request.user, pk=unit_id)


@router.patch("/housing/{int:unit_id}", response=HousingOut)
def housing_update(request, unit_id: int, payload: HousingPatch):
    unit = selectors.housing_get(user=request.user, pk=unit_id)
    return services.housing_unit_update(actor=request.user, unit=unit, **payload.dict(exclude_unset=True))


@router.post("/housing/{int:unit_id}/photos", response={201: HousingOut})
def housing_photo(request, unit_id: int, photo: File[UploadedFile]):
    """Add a photo (JPEG or PNG) of the unit."""
    unit = selectors.housing_get(user=request.user, pk=unit_id)
    services.housing_photo_add(actor=request.user, unit=unit, upload=photo)
    return Status(201, unit)


@router.get("/housing/{int:unit_id}/check", response=CheckOut)
def housing_check(request, unit_id: int, programme: str):
    """The unit checked against the housing standard of a programme's rules in force today."""
    unit = selectors.housing_get(user=request.user, pk=unit_id)
    return selectors.housing_check(unit=unit, programme=programme_get(user=request.user, code=programme[:30]))


@router.get("/{int:employer_id}", response=EmployerDetailOut)
def employer_detail(request, employer_id: int):
    return selectors.employer_get(user=request.user, pk=employer_id)


@router.get("/{int:employer_id}/worksites", response=list[WorksiteOut])
def worksite_list(request, employer_id: int):
    employer = selectors.employer_get(user=request.user, pk=employer_id)
    return list(selectors.worksite_list(user=request.user, employer=employer))


@router.post("/{int:employer_id}/worksites", response={201: WorksiteOut})
def worksite_create(request, employer_id: int, payload: WorksiteIn):
    employer = selectors.employer_get(user=request.user, pk=employer_id)
    return Status(201, services.worksite_create(actor=request.user, employer=employer, **payload.dict()))


@router.post("/{int:employer_id}/trusted", response=EmployerDetailOut)
def set_trusted(request, employer_id: int, payload: TrustedIn):
    employer = selectors.employer_get(user=request.user, pk=employer_id)
    programme = programme_get(user=request.user, code=payload.programme)
    return services.employer_set_trusted(
        actor=request.user, employer=employer, programme=programme, trusted=payload.trusted, reason=payload.reason
    )


def _target(request, employer_id: int, code: str):
    return selectors.employer_get(user=request.user, pk=employer_id), programme_get(user=request.user, code=code[:30])


def _vetting(payload: ReasonIn | None) -> dict | None:
    return payload.vetting.dict() if payload is not None and payload.vetting is not None else None


@router.post("/{int:employer_id}/programmes/{code}/apply", response={201: ApprovalDetailOut})
def apply(request, employer_id: int, code: str):
    employer, programme = _target(request, employer_id, code)
    return Status(201, services.employer_apply(actor=request.user, employer=employer, programme=programme))


@router.post("/{int:employer_id}/programmes/{code}/approve", response=ApprovalDetailOut)
def approve(request, employer_id: int, code: str, payload: ReasonIn):
    employer, programme = _target(request, employer_id, code)
    return services.employer_approve(actor=request.user, employer=employer, programme=programme, vetting=_vetting(payload))


@router.post("/{int:employer_id}/programmes/{code}/reject", response=ApprovalDetailOut)
def reject(request, employer_id: int, code: str, payload: ReasonIn):
    employer, programme = _target(request, employer_id, code)
    return services.employer_reject(
        actor=request.user, employer=employer, programme=programme, reason=payload.reason, vetting=_vetting(payload)
    )


@router.post("/{int:employer_id}/programmes/{code}/suspend", response=ApprovalDetailOut)
def suspend(request, employer_id: int, code: str, payload: ReasonIn):
    employer, programme = _target(request, employer_id, code)
    return services.employer_suspend(actor=request.user, employer=employer, programme=programme, reason=payload.reason, until=payload.until)


@router.post("/{int:employer_id}/programmes/{code}/ban", response=ApprovalDetailOut)
def ban(request, employer_id: int, code: str, payload: ReasonIn):
    employer, programme = _target(request, employer_id, code)
    return services.employer_ban(actor=request.user, employer=employer, programme=programme, reason=payload.reason, until=payload.until)


@router.post("/{int:employer_id}/programmes/{code}/renew", response=ApprovalDetailOut)
def renew(request, employer_id: int, code: str, payload: ReasonIn):
    employer, programme = _target(request, employer_id, code)
    return services.employer_renew(actor=request.user, employer=employer, programme=programme, vetting=_vetting(payload))


# --- inspections (behind the immigration firewall) -----------------------------------------------------------


@inspections_router.get("", response=list[InspectionOut])
@paginate(Pagination)
def inspection_list(request, unit: int | None = None):
    """Housing inspections the user may see, optionally of one unit."""
    target = selectors.housing_get(user=request.user, pk=unit) if unit is not None else None
    return selectors.inspection_list(user=request.user, unit=target)


@inspections_router.post("", response={201: InspectionOut})
def inspection_create(request, payload: InspectionIn):
    """A labour inspector records a visit to a housing unit."""
    unit = selectors.housing_get(user=request.user, pk=payload.unit_id)
    programme = programme_get(user=request.user, code=payload.programme) if payload.programme else None
    inspection = services.housing_inspection_record(
        actor=request.user, unit=unit, date=payload.date, result=payload.result, notes=payload.notes, programme=programme
    )
    return Status(201, inspection)


router.add_router("/inspections", inspections_router)
