"""Vacancy reports through /api/v1/vacancy-reports: create, list, withdraw, aggregate as JSON and CSV, errors as
problem documents naming the field, scopes and roles."""

import csv
import io

import pytest

from corridor.accounts import services as account_services
from corridor.core.access import Role
from corridor.vacancies.models import VacancyReport
from corridor.vacancies.tests.conftest import LAST_MONTH, VALID

pytestmark = pytest.mark.django_db

MONTH = LAST_MONTH.strftime("%Y-%m")
PAYLOAD = {**VALID, "programme": "CA-SAG"}


def assert_problem(response, status, field=None):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    if field:
        assert field in {e["field"] for e in body["errors"]}, body
    return body


def test_create_returns_201_and_the_report(programme, employer_user, api_client):
    response = api_client(employer_user).post("vacancy-reports", PAYLOAD)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["programme"] == "CA-SAG" and body["period"] == MONTH and body["isco_code"] == "9211"
    assert body["organisation"] == employer_user.organisation.name and body["withdrawn_at"] is None
    assert VacancyReport.objects.get().pk == body["id"]


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"isco_code": "12345"}, "isco_code"),
        ({"isco_code": "9999"}, "isco_code"),
        ({"kind": "filled"}, "kind"),
        ({"period": "2026/03"}, "period"),
        ({"vacancies": 0}, "vacancies"),
        ({"vacancies": 10**30}, "vacancies"),
        ({"vacancies": "lots"}, "vacancies"),
        ({"vacancies": 2.5}, "vacancies"),
        ({"months_unfilled": -1}, "months_unfilled"),
        ({"region": "r" * 101}, "region"),
        ({"programme": ""}, "programme"),
    ],
)
def test_bad_input_is_422_naming_the_field(programme, employer_user, api_client, changes, field):
    assert_problem(api_client(employer_user).post("vacancy-reports", {**PAYLOAD, **changes}), 422, field)
    assert not VacancyReport.objects.exists()


def test_missing_fields_and_bad_json_are_422(programme, employer_user, api_client):
    client = api_client(employer_user)
    body = assert_problem(client.post("vacancy-reports", {"programme": "CA-SAG"}), 422)
    assert {"kind", "isco_code", "period", "vacancies"} <= {e["field"] for e in body["errors"]}
    assert_problem(client.post("vacancy-reports", raw="{not json"), 400)


def test_unknown_programme_is_404_wrong_role_or_country_403(programme, employer_user, make_user, immigration, api_client):
    assert_problem(api_client(employer_user).post("vacancy-reports", {**PAYLOAD, "programme": "NOPE"}), 404)
    assert_problem(api_client(immigration).post("vacancy-reports", PAYLOAD), 403)
    assert_problem(api_client(make_user(Role.EMPLOYER, country="ES")).post("vacancy-reports", PAYLOAD), 403, "programme")
    assert api_client().post("vacancy-reports", PAYLOAD).status_code == 401
    assert not VacancyReport.objects.exists()


def test_a_duplicate_is_409(programme, employer_user, api_client):
    client = api_client(employer_user)
    assert client.post("vacancy-reports", PAYLOAD).status_code == 201
    assert_problem(client.post("vacancy-reports", PAYLOAD), 409, "period")


def test_list_is_paginated_filtered_and_restricted(programme, employer_user, ministry, immigration, make_user, report, api_client):
    for isco in ("9211", "6111", "6112"):
        report(employer_user, isco_code=isco)
    report(employer_user, kind="emerging", months_unfilled=None)
    report(make_user(Role.EMPLOYER, country="CA"))
    own = api_client(employer_user)
    page = own.get("vacancy-reports", page_size=2).json()
    assert page["count"] == 4 and len(page["items"]) == 2
    assert len(own.get("vacancy-reports", page_size=2, page=2).json()["items"]) == 2
    assert own.get("vacancy-reports", kind="emerging").json()["count"] == 1
    assert own.get("vacancy-reports", programme="ca-sag").json()["count"] == 4
    assert api_client(ministry).get("vacancy-reports").json()["count"] == 5
    assert api_client(immigration).get("vacancy-reports").json()["count"] == 0
    assert_problem(own.get("vacancy-reports", kind="filled"), 422, "kind")
    assert_problem(own.get("vacancy-reports", programme="NOPE"), 404)
    assert_problem(own.get("vacancy-reports", page=0), 422, "page")


def test_withdraw(programme, employer_user, ministry, report, api_client):
    made = report(employer_user)
    assert_problem(api_client(ministry).post(f"vacancy-reports/{made.pk}/withdraw", {"reason": "no"}), 403)
    client = api_client(employer_user)
    assert_problem(client.post(f"vacancy-reports/{made.pk}/withdraw", {"reason": ""}), 422, "reason")
    response = client.post(f"vacancy-reports/{made.pk}/withdraw", {"reason": "Typing error."})
    assert response.status_code == 200 and response.json()["withdrawal_reason"] == "Typing error."
    assert_problem(client.post(f"vacancy-reports/{made.pk}/withdraw", {"reason": "Again."}), 409)
    assert_problem(client.post("vacancy-reports/999999/withdraw", {"reason": "x"}), 404)


@pytest.fixture
def three_employers(programme, make_user, report):
    users = [make_user(Role.EMPLOYER, country="CA") for _ in range(3)]
    for user in users:
        report(user, vacancies=5)
    report(users[0], isco_code="6111", vacancies=2)
    return users


def test_aggregate_json_for_the_ministry_and_the_union(three_employers, ministry, union, api_client):
    query = {"programme": "CA-SAG", "from": MONTH, "to": MONTH, "isco_level": 4}
    officer = api_client(ministry)  # one sign-in: a second-factor code is accepted once
    full = officer.get("vacancy-reports/aggregate", **query)
    assert full.status_code == 200, full.content
    body = full.json()
    assert body["suppressed_view"] is False and body["period_from"] == MONTH and body["isco_level"] == 4
    lines = {line["isco_code"]: line for line in body["lines"]}
    assert lines["9211"]["unfilled"] == 15 and lines["9211"]["reporting_organisations"] == 3 and lines["9211"]["suggest_shortage"]
    assert lines["9211"]["isco_title"] == "Crop farm labourers"
    assert lines["6111"]["unfilled"] == 2
    partner = api_client(union).get("vacancy-reports/aggregate", **query).json()
    lines = {line["isco_code"]: line for line in partner["lines"]}
    assert partner["suppressed_view"] is True and partner["min_reporters"] == 3
    assert lines["6111"]["suppressed"] and lines["6111"]["unfilled"] is None
    assert lines["9211"]["unfilled"] == 15
    level2 = officer.get("vacancy-reports/aggregate", programme="CA-SAG", isco_level=2, by_region="false").json()
    assert [(line["isco_code"], line["region"], line["unfilled"]) for line in level2["lines"]] == [("61", "", 2), ("92", "", 15)]


def test_aggregate_csv(three_employers, union, api_client):
    response = api_client(union).get("vacancy-reports/aggregate.csv", programme="CA-SAG", **{"from": MONTH, "to": MONTH})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="vacancies-ca-sag-{MONTH}-{MONTH}-isco4.csv"'
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert [(r["isco_code"], r["unfilled_vacancies"], r["suppressed"]) for r in rows] == [("6111", "", "yes"), ("9211", "15", "no")]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"from": "2026-3"}, "from"),
        ({"to": "2026-13"}, "to"),
        ({"from": "2026-05", "to": "2026-01"}, "from"),
        ({"isco_level": 5}, "isco_level"),
        ({"isco_level": "x"}, "isco_level"),
        ({"threshold": 0}, "threshold"),
    ],
)
def test_aggregate_bad_filters_are_422(programme, ministry, api_client, params, field):
    client = api_client(ministry)
    assert_problem(client.get("vacancy-reports/aggregate", programme="CA-SAG", **params), 422, field)
    assert_problem(client.get("vacancy-reports/aggregate.csv", programme="CA-SAG", **params), 422, field)


def test_aggregate_refusals(programme, employer_user, immigration, make_user, api_client):
    assert_problem(api_client(immigration).get("vacancy-reports/aggregate", programme="CA-SAG"), 403)
    assert_problem(api_client(employer_user).get("vacancy-reports/aggregate.csv", programme="CA-SAG"), 403)
    assert_problem(api_client(make_user(Role.MINISTRY_OFFICER, country="ES")).get("vacancy-reports/aggregate", programme="CA-SAG"), 403)
    assert_problem(api_client(make_user(Role.UNION)).get("vacancy-reports/aggregate", programme="NOPE"), 404)
    assert_problem(api_client(make_user(Role.UNION)).get("vacancy-reports/aggregate"), 422, "programme")


def test_tokens_need_the_vacancies_scopes(programme, make_user, api_client):
    employer = make_user(Role.EMPLOYER, country="CA", org_admin=True)
    _, reader = account_services.api_token_create(actor=employer, organisation=employer.organisation, name="HR", scopes=["vacancies:read"])
    _, writer = account_services.api_token_create(
        actor=employer, organisation=employer.organisation, name="HR", scopes=["vacancies:read", "vacancies:write"]
    )
    assert_problem(api_client(token=reader).post("vacancy-reports", PAYLOAD), 403)
    assert api_client(token=writer).post("vacancy-reports", PAYLOAD).status_code == 201
    assert api_client(token=reader).get("vacancy-reports").json()["count"] == 1
    assert VacancyReport.objects.get().reported_by == employer
