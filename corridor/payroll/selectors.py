"""Reads of the payroll app. Payslips hold wages: the firewall keeps them from immigration officers."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from corridor.accounts.models import OrgKind
from corridor.core.access import Role, organisation_of, roles_of
from corridor.core.errors import NotFound
from corridor.payroll.models import Payslip, PayslipDispute


def visibility_q(model, user, action: str) -> Q | None:
    """The worker; the employer; the origin authority of the worker's country; the destination ministry and labour
    inspectorate of the programme's country."""
    if not getattr(user, "is_authenticated", False):
        return None
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    p = "" if model is Payslip else "payslip__"
    q = Q(**{f"{p}journey__worker__user_id": user.pk})
    org = organisation_of(user)
    if org is None:
        return q
    if Role.EMPLOYER in roles:
        q |= Q(**{f"{p}journey__placement__job_order__employer__organisation_id": org.pk})
    if Role.ORIGIN_OFFICER in roles and org.kind == OrgKind.ORIGIN_AUTHORITY:
        q |= Q(**{f"{p}journey__worker__nationality": org.country})
    if (roles & {Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER} and org.kind == OrgKind.DESTINATION_MINISTRY) or (
            Role.LABOUR_INSPECTOR in roles and org.kind == OrgKind.LABOUR_INSPECTORATE):
        q |= Q(**{f"{p}journey__placement__job_order__programme__destination_country": org.country})
    return q


def payslip_list(*, user, journey=None, with_findings: bool = False) -> QuerySet[Payslip]:
    qs = Payslip.objects.restrict(user).distinct().select_related("journey__worker", "journey__placement__job_order")
    if journey is not None:
        qs = qs.filter(journey=journey)
    if with_findings:
        qs = qs.exclude(findings=[])
    return qs


def payslip_get(*, user, pk) -> Payslip:
    payslip = payslip_list(user=user).filter(pk=pk).first()
    if payslip is None:
        raise NotFound("No such payslip, or not one you may see.", field="payslip")
    return payslip


def disputes(*, user, payslip: Payslip) -> QuerySet[PayslipDispute]:
    return PayslipDispute.objects.restrict(user).filter(payslip=payslip).distinct()
