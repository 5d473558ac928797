"""Demo data for employers: Niagara Orchards with worksites, housing and inspections, and a suspended employer.

Called by the demo with the organisations, users and programmes it built; every step looks for what exists first,
so that building the demo twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from corridor.accounts import services as account_services
from corridor.accounts.models import Organisation, OrgKind, User
from corridor.core import audit
from corridor.core.access import Role
from corridor.employers import services
from corridor.employers.models import ApprovalStatus, EmployerApproval, EmployerProfile, HousingUnit, Worksite

SECOND_EMPLOYER = ("Lakeshore Greenhouses Inc.", "CA")
SECOND_EMPLOYER_USER = "employer_lakeshore"


def _profile(user: User, *, business_id: str, sectors: list[str], contact: str, email: str, worksites: list[dict]) -> EmployerProfile:
    existing = EmployerProfile.objects.filter(organisation_id=user.organisation_id).first()
    if existing:
        return existing
    return services.employer_register(
        actor=user, business_id=business_id, sectors=sectors, contact_name=contact, contact_phone="+1 905 555 0100",
        contact_email=email, worksites=worksites,
    )


def _approved(employer: EmployerProfile, programme, applicant: User, reviewer: User, vetting: dict) -> EmployerApproval:
    approval = EmployerApproval.objects.filter(employer=employer, programme=programme).first()
    if approval is None:
        approval = services.employer_apply(actor=applicant, employer=employer, programme=programme)
    if approval.status == ApprovalStatus.PENDING:
        approval = services.employer_approve(actor=reviewer, employer=employer, programme=programme, vetting=vetting)
    return approval


def _unit(user: User, worksite: Worksite, address: str, **data) -> HousingUnit:
    existing = HousingUnit.objects.filter(worksite=worksite, address=address).first()
    if existing:
        return existing
    return services.housing_unit_create(actor=user, worksite=worksite, address=address, **data)


def _second_employer_user() -> User:
    user = User.objects.filter(username=SECOND_EMPLOYER_USER).first()
    if user is not None:
        return user
    name, country = SECOND_EMPLOYER
    org = Organisation.objects.filter(name=name, kind=OrgKind.EMPLOYER, country=country).first()
    if org is None:
        org = Organisation.objects.create(name=name, kind=OrgKind.EMPLOYER, country=country)
        audit.record(actor=None, action="organisation.create", subject=org, after=audit.snapshot(org), organisation_id=org.pk)
    user = account_services.user_create(
        actor=None, username=SECOND_EMPLOYER_USER, password=None, organisation=org, first_name="Dana", last_name="Kowalski",
        email=f"{SECOND_EMPLOYER_USER}@demo.corridor.invalid", is_org_admin=True, check_password=False,
    )
    account_services.role_grant(actor=None, user=user, role=Role.EMPLOYER)
    return User.objects.get(pk=user.pk)


@transaction.atomic
def build(orgs: dict, users: dict, programmes: dict) -> None:
    """Employers for the demo; `programmes` maps codes to Programme objects and must hold "CA-SAG"."""
    sag = programmes["CA-SAG"]
    employer_user, reviewer, inspector = users["employer"], users["ministry_admin"], users["labour_inspector"]
    today = timezone.localdate()

    niagara = _profile(
        employer_user,
        business_id="CA-BN 812345678",
        sectors=["A"],
        contact="Mark Vanderberg",
        email="hr@niagara-orchards.demo.invalid",
        worksites=[
            {"name": "Vineland orchard", "address": "4120 Victoria Avenue, Vineland", "region": "Ontario", "country": "CA"},
            {"name": "Niagara-on-the-Lake packing house", "address": "15 Line 2 Road, Niagara-on-the-Lake", "region": "Ontario", "country": "CA"},
        ],
    )
    orchard, packing = sorted(niagara.worksites.all(), key=lambda w: w.name, reverse=True)
    _approved(
        niagara, sag, employer_user, reviewer,
        {
            "documents_checked": "Business registration, WSIB clearance, farm lease.",
            "finances": "Audited accounts 2023-2025; no payroll arrears.",
            "compliance_history": "Two seasons without complaint; housing inspected yearly.",
        },
    )
    good = _unit(
        employer_user, orchard, "4122 Victoria Avenue, bunkhouse A", beds_per_room=[2, 2, 2], floor_area_m2="60",
        facilities=["kitchen", "toilets", "shower", "laundry", "heating"], charge_amount="0", charge_currency="CAD",
    )
    crowded = _unit(
        employer_user, packing, "17 Line 2 Road, upper floor", beds_per_room=[6, 4], floor_area_m2="40",
        facilities=["kitchen", "toilets"], charge_amount="120", charge_currency="CAD",
    )
    if not good.inspections.exists():
        services.housing_inspection_record(
            actor=inspector, unit=good, date=today - datetime.timedelta(days=30), result="pass",
            notes="Clean, heated, smoke detectors tested.", programme=sag,
        )
    if not crowded.inspections.exists():
        services.housing_inspection_record(
            actor=inspector, unit=crowded, date=today - datetime.timedelta(days=12), result="fail",
            notes="Six beds in one room; 4 m² per person. No laundry or heating. At most 5 beds in rooms of at most 4 before any arrival.",
            programme=sag,
        )

    second_user = _second_employer_user()
    lakeshore = _profile(
        second_user,
        business_id="CA-BN 887766554",
        sectors=["A"],
        contact="Dana Kowalski",
        email="office@lakeshore-greenhouses.demo.invalid",
        worksites=[{"name": "Leamington greenhouses", "address": "200 Seacliff Drive, Leamington", "region": "Ontario", "country": "CA"}],
    )
    approval = _approved(lakeshore, sag, second_user, reviewer, {"documents_checked": "Business registration."})
    if approval.status == ApprovalStatus.APPROVED:
        services.employer_suspend(
            actor=reviewer, employer=lakeshore, programme=sag,
            reason="Unpaid overtime found by the labour inspectorate; suspended until the arrears are paid.",
            until=today + datetime.timedelta(days=90),
        )
