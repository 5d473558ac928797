"""Reads of the contracts app, restricted to what the user may see; and the public verification of codes."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.contracts.models import LOCKED, Contract, ContractStatus, ContractTemplate, Placement
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import NotFound
from corridor.joborders.models import JobOrder
from corridor.joborders.models import Status as JobStatus


def visibility_q(model, user, action: str) -> Q | None:
    """Templates: every signed-in user (programme terms). Placements and contracts: the worker; the employer of the
    job order; the origin authority of the worker's country; the destination ministry of the programme."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    if model is ContractTemplate:
        return Q() if action == "view" else None
    org = organisation_of(user)
    p = "" if model is Placement else "placement__"
    q = Q(**{f"{p}worker__user_id": user.pk})
    if org is None:
        # A worker sees a contract once it is delivered, not the employer's draft.
        return q & Q(status__in=LOCKED) if model is Contract else q
    if Role.EMPLOYER in roles:
        q |= Q(**{f"{p}job_order__employer__organisation_id": org.pk})
    if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        q |= Q(**{f"{p}worker__nationality": org.country})
    if roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY:
        q |= Q(**{f"{p}job_order__programme__destination_country": org.country})
    if model is Contract and Role.EMPLOYER not in roles and not (roles & {Role.ORIGIN_OFFICER, Role.MINISTRY_ADMIN,
                                                                          Role.MINISTRY_OFFICER}):
        # A worker sees a contract once it is delivered, not the employer's draft.
        q &= Q(status__in=LOCKED)
    return q


def placement_list(*, user, status: str = "", programme: str = "") -> QuerySet[Placement]:
    qs = Placement.objects.restrict(user).distinct().select_related(
        "worker", "job_order__employer__organisation", "job_order__programme")
    if status:
        qs = qs.filter(status=status)
    if programme:
        qs = qs.filter(job_order__programme__code=programme)
    return qs


def placement_get(*, user, pk) -> Placement:
    placement = placement_list(user=user).filter(pk=pk).first()
    if placement is None:
        raise NotFound("No such placement, or not one you may see.", field="placement")
    return placement


def contract_list(*, user, placement: Placement) -> QuerySet[Contract]:
    qs = Contract.objects.restrict(user).filter(placement=placement).distinct()
    return qs.order_by("-version")


def contract_get(*, user, pk) -> Contract:
    contract = (Contract.objects.restrict(user).filter(pk=pk).distinct()
                .select_related("placement__worker", "placement__job_order__employer__organisation",
                                "placement__job_order__programme").first())
    if contract is None:
        raise NotFound("No such contract, or not one you may see.", field="contract")
    return contract


def template_of(*, programme) -> ContractTemplate | None:
    return ContractTemplate.objects.filter(programme=programme).first()


# --- public verification -----------------------------------------------------------------------------------------


def _normal(code: str) -> str:
    text = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    # Crockford: read O as 0 and I/L as 1, as people type them.
    return text.translate(str.maketrans({"O": "0", "I": "1", "L": "1"}))


def verify(code: str) -> dict | None:
    """What a code says, with non-personal facts only: a contract (CT-...), a job order (JO-...) or an agency licence
    number. None when nothing has this code (the caller answers the same way whatever the reason)."""
    raw = str(code or "").strip()[:60]
    if not raw:
        return None
    key = _normal(raw)
    if key.startswith("CT") and len(key) == 10:
        formatted = f"CT-{key[2:6]}-{key[6:]}"
        contract = (Contract.objects.filter(verification_code=formatted)
                    .select_related("placement__job_order__employer__organisation", "placement__job_order__programme").first())
        if contract is not None:
            return _contract_facts(contract)
    if raw.upper().startswith("JO-"):
        order = JobOrder.objects.filter(reference=raw.upper()).select_related("employer__organisation", "programme", "worksite").first()
        if order is not None and order.status not in (JobStatus.DRAFT, JobStatus.SUBMITTED, JobStatus.REVIEWED,
                                                      JobStatus.RETURNED):
            return _job_facts(order)
    licence = _licence(raw)
    if licence is not None:
        return licence
    return None


def _contract_facts(contract: Contract) -> dict:
    content = contract.content
    order = contract.placement.job_order
    current = contract.status in (ContractStatus.ISSUED, ContractStatus.ACCEPTED)
    return {
        "kind": "contract", "code": contract.verification_code, "genuine": True, "current": current,
        "status": contract.status, "version": contract.version, "content_hash": contract.content_hash,
        "approved_on": timezone.localtime(contract.locked_at).date().isoformat() if contract.locked_at else None,
        "programme": order.programme.code, "programme_name": order.programme.name,
        "employer": order.employer.organisation.name, "occupation": content["work"].get("occupation"),
        "isco_code": content["work"].get("isco_code"), "place": f"{content['work'].get('region') or ''} {content['work'].get('country') or ''}".strip(),
        "start": content["duration"]["start"], "end": content["duration"]["end"],
        "wage": f"{content['pay']['amount']} {content['pay']['currency']} / {content['pay']['unit']}",
        "hours_per_week": content["pay"]["hours_per_week"], "job_order": content.get("job_order"),
    }


def _job_facts(order: JobOrder) -> dict:
    return {
        "kind": "job_order", "code": order.reference, "genuine": True,
        "current": order.status in (JobStatus.OPEN, JobStatus.PARTLY_FILLED, JobStatus.FILLED),
        "status": order.status, "programme": order.programme.code, "programme_name": order.programme.name,
        "employer": order.employer.organisation.name, "isco_code": order.isco_code, "occupation": order.title,
        "place": f"{order.worksite.region} {order.worksite.country}".strip(), "start": order.start_date.isoformat(),
        "end": order.end_date.isoformat(), "wage": f"{order.wage_amount} {order.wage_currency} / {order.wage_unit}",
        "hours_per_week": str(order.hours_per_week), "positions": order.positions,
    }


def _licence(raw: str) -> dict | None:
    from corridor.recruitment.models import AgencyLicence, LicenceStatus

    licence = AgencyLicence.objects.filter(number__iexact=raw.strip()).select_related("agency").first()
    if licence is None or licence.status == LicenceStatus.APPLIED:
        return None
    today = timezone.localdate()
    current = licence.status == LicenceStatus.ACTIVE and (licence.valid_until is None or licence.valid_until >= today)
    return {
        "kind": "agency_licence", "code": licence.number, "genuine": True, "current": current, "status": licence.status,
        "agency": licence.agency.name, "issuing_country": licence.issuing_country,
        "valid_from": licence.valid_from.isoformat() if licence.valid_from else None,
        "valid_until": licence.valid_until.isoformat() if licence.valid_until else None,
        "suspended_until": licence.suspended_until.isoformat() if licence.suspended_until else None,
    }
