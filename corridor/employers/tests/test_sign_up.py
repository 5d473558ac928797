"""An employer signs up on its own, through the page and the API: all or nothing, every error named."""

import pytest
from django.core.cache import cache

from corridor.accounts.models import Organisation, User
from corridor.core.errors import InvalidInput
from corridor.core.models import AuditEvent
from corridor.employers import services
from corridor.employers.models import EmployerProfile

pytestmark = pytest.mark.django_db

GOOD = {
    "organisation_name": "Lakeshore Greenhouses Inc.",
    "country": "CA",
    "business_id": "BN 555",
    "sectors": ["A"],
    "contact_name": "Dana Weller",
    "contact_email": "dana@lakeshore.example",
    "username": "dana.weller",
    "password": "a-long-test-password-9",
    "language": "en",
}
SITE = {"name": "Greenhouse 1", "address": "12 Lake Road, Leamington", "region": "Ontario", "country": "CA"}


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()


def test_sign_up_creates_organisation_account_profile_and_worksite():
    profile = services.employer_sign_up(worksites=[SITE], **GOOD)
    user = User.objects.get(username="dana.weller")
    assert user.organisation == profile.organisation and user.is_org_admin
    assert profile.organisation.kind == "employer" and profile.worksites.count() == 1
    assert user.check_password(GOOD["password"])
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"organisation.sign_up", "user.sign_up", "employer.register"}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"username": ""}, "username"),
        ({"password": "short"}, "password"),
        ({"country": "XX"}, "country"),
        ({"organisation_name": ""}, "organisation_name"),
        ({"sectors": ["Z9"]}, "sectors"),
        ({"contact_email": "nope"}, "contact_email"),
    ],
)
def test_bad_fields_are_named_and_nothing_is_written(changes, field):
    with pytest.raises(InvalidInput) as exc:
        services.employer_sign_up(worksites=[SITE], **{**GOOD, **changes})
    assert field in {e["field"] for e in exc.value.as_errors()}
    assert not Organisation.objects.exists() and not User.objects.exists()


def test_worksite_abroad_and_duplicates_are_refused():
    with pytest.raises(InvalidInput) as exc:
        services.employer_sign_up(worksites=[{**SITE, "country": "US"}], **GOOD)
    assert "worksites[0].country" in {e["field"] for e in exc.value.as_errors()}
    services.employer_sign_up(worksites=[SITE], **GOOD)
    with pytest.raises(InvalidInput) as exc:
        services.employer_sign_up(worksites=[SITE], **{**GOOD, "username": "other"})
    assert {"organisation_name", "business_id"} <= {e["field"] for e in exc.value.as_errors()}
    assert EmployerProfile.objects.count() == 1


def test_sign_up_page_signs_the_employer_in(client):
    data = {**GOOD, "sectors": ["A"], "password_again": GOOD["password"], "worksite_name": SITE["name"],
            "worksite_address": SITE["address"], "worksite_region": SITE["region"]}
    assert client.get("/employers/sign-up/").status_code == 200
    bad = client.post("/employers/sign-up/", {**data, "password_again": "different-password-1"})
    assert bad.status_code == 422 and "The two passwords differ." in bad.content.decode()
    response = client.post("/employers/sign-up/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = EmployerProfile.objects.get()
    assert response["Location"] == f"/employers/{profile.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_sign_up_api_and_rate_limit(client):
    body = {**GOOD, "worksites": [SITE]}
    response = client.post("/api/v1/employers/sign-up", body, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["business_id"] == "BN 555"
    bad = client.post("/api/v1/employers/sign-up", {**body, "username": "x2", "country": "XX"}, content_type="application/json")
    assert bad.status_code == 422 and "country" in {e["field"] for e in bad.json()["errors"]}
    for _ in range(10):
        last = client.post("/api/v1/employers/sign-up", {**body, "username": "x3", "country": "XX"}, content_type="application/json")
    assert last.status_code == 429
