"""The employer demo data: what it builds, and that building it twice changes nothing."""

import pytest
from django.utils import timezone

from corridor.accounts.models import Organisation, OrgKind
from corridor.core.access import Role
from corridor.core.models import AuditEvent
from corridor.employers import demo, selectors
from corridor.employers.models import (
    EmployerApproval,
    EmployerProfile,
    HousingInspection,
    HousingUnit,
    Worksite,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def inputs(make_user, programme, make_org):
    org = make_org(OrgKind.EMPLOYER, "CA", name="Niagara Orchards Ltd.")
    employer = make_user(Role.EMPLOYER, organisation=org)
    users = {
        "employer": employer,
        "ministry_admin": make_user(Role.MINISTRY_ADMIN, country="CA"),
        "labour_inspector": make_user(Role.LABOUR_INSPECTOR, country="CA"),
    }
    return {"ca_employer": org}, users, {"CA-SAG": programme}


def _counts():
    return [m.objects.count() for m in (EmployerProfile, Worksite, EmployerApproval, HousingUnit, HousingInspection, AuditEvent)]


def test_build_is_idempotent_and_complete(inputs):
    orgs, users, programmes = inputs
    demo.build(orgs, users, programmes)
    first = _counts()
    demo.build(orgs, users, programmes)
    assert _counts() == first
    niagara = EmployerProfile.objects.get(organisation__name="Niagara Orchards Ltd.")
    assert niagara.worksites.filter(region="Ontario").count() == 2
    assert niagara.approvals.get().status == "approved"
    checks = {u.address: selectors.housing_check(unit=u, programme=programmes["CA-SAG"])["compliant"] for u in HousingUnit.objects.filter(worksite__employer=niagara)}
    assert sorted(checks.values()) == [False, True]
    assert HousingInspection.objects.filter(unit__worksite__employer=niagara).count() == 2
    lakeshore = EmployerProfile.objects.exclude(pk=niagara.pk).get()
    approval = lakeshore.approvals.get()
    assert approval.status == "suspended" and approval.reason
    ok, _ = selectors.employer_may_submit_job_orders(lakeshore, programmes["CA-SAG"], timezone.localdate())
    assert not ok
    assert Organisation.objects.filter(name=demo.SECOND_EMPLOYER[0]).count() == 1
