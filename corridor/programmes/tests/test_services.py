"""Programme services: creation from presets, validation, versions that never overlap, status, corridors, audit."""

import datetime

import pytest
from django.utils import timezone

from corridor.accounts.models import OrgKind
from corridor.core.access import Role
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.core.models import AuditEvent
from corridor.programmes import selectors, services
from corridor.programmes.models import Programme, RuleVersion

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def create(actor, code="CA-TEST", **kw):
    data = dict(code=code, name="Test programme", institutional_design="multilateral", category="seasonal", destination_country="CA")
    data.update(kw)
    return services.programme_create(actor=actor, **data)


@pytest.fixture
def admin(make_user):
    return make_user(Role.MINISTRY_ADMIN, country="CA")


def test_ministry_admin_creates_a_draft_programme_from_a_preset(admin):
    programme = create(admin, preset="ca-sawp")
    assert programme.status == "draft"
    assert programme.owner == admin.organisation
    version = programme.rule_versions.get()
    assert version.number == 1
    assert version.rules["guaranteed_hours"] == {"hours": 240.0, "period_weeks": 6, "share_of_contract_percent": None}
    actions = set(AuditEvent.objects.filter(programme_ref=programme.pk).values_list("action", flat=True))
    assert actions == {"programme.create", "rule_version.create"}


def test_only_ministry_admins_create_programmes(make_user):
    for role in (Role.MINISTRY_OFFICER, Role.EMPLOYER, Role.ORIGIN_OFFICER, Role.IMMIGRATION_OFFICER, Role.WORKER):
        with pytest.raises(Forbidden):
            create(make_user(role, country="CA"))
    assert not Programme.objects.exists()


def test_ministry_cannot_create_a_programme_for_another_country(admin):
    with pytest.raises(InvalidInput) as exc:
        create(admin, destination_country="ES")
    assert exc.value.field == "destination_country"


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"code": "bad code!"}, "code"),
        ({"destination_country": "XX"}, "destination_country"),
        ({"category": "tourism"}, "category"),
        ({"institutional_design": "galactic"}, "institutional_design"),
        ({"preset": "nope"}, "preset"),
        ({"agreement_valid_from": datetime.date(2026, 1, 1), "agreement_valid_until": datetime.date(2025, 1, 1)}, "agreement_valid_until"),
        ({"rules": {"stay": {"max_months_per_stay": 6}, "age": {"min": 40, "max": 20}}}, "rules.age.max"),
        ({"rules": {"stay": {"max_months_per_stay": 6}, "eligible_occupations": ["0000"]}}, "rules.eligible_occupations.0"),
        ({"rules": {"stay": {"max_months_per_stay": 6}, "quotas": {"per_origin": {"QQ": 5}}}}, "rules.quotas.per_origin.QQ"),
    ],
)
def test_invalid_programme_input_names_the_field_and_saves_nothing(admin, kw, field):
    with pytest.raises(InvalidInput) as exc:
        create(admin, **kw)
    assert field in {e["field"] for e in exc.value.errors}
    assert not Programme.objects.exists()
    assert not RuleVersion.objects.exists()


def test_duplicate_code_is_a_conflict(admin):
    create(admin)
    with pytest.raises(Conflict):
        create(admin)


def test_rules_stricter_than_ilo_principles_are_saved_with_warnings(admin):
    rules = {"stay": {"max_months_per_stay": 6}, "employer_change": {"policy": "not_allowed"}}
    programme = create(admin, rules=rules)
    warnings = programme.rule_versions.get().warnings
    assert any(w["field"] == "employer_change.policy" and "principle 12" in w["principle"] for w in warnings)


def test_new_rule_version_ends_the_previous_one_the_day_before(admin):
    programme = create(admin, rules_effective_from=TODAY)
    start = TODAY + datetime.timedelta(days=30)
    v2 = services.rule_version_create(actor=admin, programme=programme, rules=programme.rule_versions.get().rules, effective_from=start, note="Next season")
    v1 = programme.rule_versions.get(number=1)
    assert v2.number == 2
    assert v1.effective_until == start - datetime.timedelta(days=1)
    assert selectors.rule_version_in_force(programme=programme, day=TODAY).number == 1
    assert selectors.rule_version_in_force(programme=programme, day=start).number == 2


def test_versions_cannot_overlap_or_go_back(admin):
    programme = create(admin, rules_effective_from=TODAY)
    rules = programme.rule_versions.get().rules
    with pytest.raises(InvalidInput) as exc:
        services.rule_version_create(actor=admin, programme=programme, rules=rules, effective_from=TODAY, note="same day")
    assert exc.value.field == "effective_from"
    assert programme.rule_versions.count() == 1


def test_live_programme_rules_cannot_start_in_the_past(admin, make_org):
    programme = create(admin, rules_effective_from=TODAY - datetime.timedelta(days=100))
    authority = make_org(OrgKind.ORIGIN_AUTHORITY, "MX")
    services.corridor_add(actor=admin, programme=programme, origin_country="MX", competent_authority=authority)
    services.programme_set_status(actor=admin, programme=programme, status="active")
    rules = programme.rule_versions.get().rules
    with pytest.raises(InvalidInput) as exc:
        services.rule_version_create(actor=admin, programme=programme, rules=rules, effective_from=TODAY - datetime.timedelta(days=1), note="retroactive")
    assert exc.value.field == "effective_from"


def test_a_version_in_force_of_a_live_programme_cannot_be_edited(admin, make_org):
    programme = create(admin, institutional_design="unilateral", rules_effective_from=TODAY)
    services.programme_set_status(actor=admin, programme=programme, status="active")
    version = programme.rule_versions.get()
    with pytest.raises(Conflict):
        services.rule_version_update(actor=admin, version=version, rules=version.rules, note="fix")
    future = services.rule_version_create(
        actor=admin, programme=programme, rules=version.rules, effective_from=TODAY + datetime.timedelta(days=10), note="future"
    )
    changed = dict(future.rules) | {"contract_delivery_lead_days": 30}
    updated = services.rule_version_update(actor=admin, version=future, rules=changed, note="longer lead time")
    assert updated.rules["contract_delivery_lead_days"] == 30
    event = AuditEvent.objects.filter(action="rule_version.update").get()
    assert event.before["rules"]["contract_delivery_lead_days"] == 14
    assert event.after["rules"]["contract_delivery_lead_days"] == 30


def test_activation_needs_a_corridor_unless_unilateral(admin, make_org):
    programme = create(admin, institutional_design="bilateral")
    with pytest.raises(Conflict):
        services.programme_set_status(actor=admin, programme=programme, status="active")
    authority = make_org(OrgKind.ORIGIN_AUTHORITY, "MX")
    services.corridor_add(actor=admin, programme=programme, origin_country="MX", competent_authority=authority)
    services.programme_set_status(actor=admin, programme=programme, status="active")
    programme.refresh_from_db()
    assert programme.status == "active"
    with pytest.raises(InvalidInput):
        services.programme_set_status(actor=admin, programme=programme, status="suspended")
    services.programme_set_status(actor=admin, programme=programme, status="suspended", reason="Review of housing")
    services.programme_set_status(actor=admin, programme=programme, status="closed", reason="Agreement ended")
    with pytest.raises(Conflict):
        services.programme_set_status(actor=admin, programme=programme, status="active")


def test_corridor_rules(admin, make_org):
    programme = create(admin, institutional_design="bilateral")
    mx = make_org(OrgKind.ORIGIN_AUTHORITY, "MX")
    jm = make_org(OrgKind.ORIGIN_AUTHORITY, "JM")
    employer = make_org(OrgKind.EMPLOYER, "MX")
    with pytest.raises(InvalidInput):
        services.corridor_add(actor=admin, programme=programme, origin_country="JM", competent_authority=mx)
    with pytest.raises(InvalidInput):
        services.corridor_add(actor=admin, programme=programme, origin_country="MX", competent_authority=employer)
    with pytest.raises(InvalidInput):
        services.corridor_add(actor=admin, programme=programme, origin_country="CA", competent_authority=mx)
    services.corridor_add(actor=admin, programme=programme, origin_country="MX", competent_authority=mx)
    with pytest.raises(Conflict):
        services.corridor_add(actor=admin, programme=programme, origin_country="JM", competent_authority=jm)


def test_another_ministry_cannot_change_the_programme(admin, make_user):
    programme = create(admin)
    other = make_user(Role.MINISTRY_ADMIN, country="CA")
    with pytest.raises(Forbidden):
        services.programme_update(actor=other, programme=programme, changes={"name": "Hijacked"})
    programme.refresh_from_db()
    assert programme.name == "Test programme"


def test_update_records_before_and_after(admin):
    programme = create(admin)
    services.programme_update(actor=admin, programme=programme, changes={"name": "Renamed"}, reason="Clearer name")
    event = AuditEvent.objects.get(action="programme.update")
    assert event.before["name"] == "Test programme"
    assert event.after["name"] == "Renamed"
    assert event.reason == "Clearer name"
    assert event.actor == admin
