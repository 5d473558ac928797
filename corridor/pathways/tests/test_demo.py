"""The demo gives the returned worker sel_mx_08 an issued certificate and a referral, and shows eligible and nearly
eligible workers under a pathway rule published through the programmes services. Running it twice changes nothing."""

import pytest

from corridor.accounts.models import User
from corridor.demo.content import build_demo
from corridor.pathways import demo, selectors
from corridor.pathways.models import CertificateStatus, PathwayStatus, Referral, SkillsCertificate
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_in_force

pytestmark = pytest.mark.django_db


def _counts():
    return (SkillsCertificate.objects.count(), Referral.objects.count(), PathwayStatus.objects.count(),
            Programme.objects.get(code="CA-SAG").rule_versions.count())


def test_the_demo_shows_a_certificate_a_referral_and_eligible_workers():
    build_demo()
    users = {u.username: u for u in User.objects.all()}
    demo.build({}, users)
    counts = _counts()
    demo.build({}, users)
    assert _counts() == counts
    sag = Programme.objects.get(code="CA-SAG")
    assert rule_version_in_force(programme=sag).rules["pathway"]["enabled"] is True
    cert = SkillsCertificate.objects.get(worker__user__username="sel_mx_08")
    assert cert.status == CertificateStatus.ISSUED and cert.hours_source == "payslips"
    assert selectors.verify(cert.verification_code)["current"] is True
    assert Referral.objects.filter(worker__user__username="sel_mx_08", consent=True).exists()
    statuses = PathwayStatus.objects.filter(programme=sag)
    assert statuses.filter(eligible=True).exists() or statuses.filter(near=True).exists()
    assert statuses.filter(near=True).exists()
