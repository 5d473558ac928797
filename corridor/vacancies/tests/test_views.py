"""Vacancy pages: the report form, the organisation's reports with withdrawal, the aggregate with its CSV, and refusals."""

import pytest

from corridor.core.access import Role
from corridor.vacancies.models import VacancyReport
from corridor.vacancies.tests.conftest import LAST_MONTH, VALID

pytestmark = pytest.mark.django_db

MONTH = LAST_MONTH.strftime("%Y-%m")
FORM = {**VALID, "programme": "CA-SAG"}


def test_report_form_and_a_valid_report(programme, employer_user, web_client):
    client = web_client(employer_user)
    page = client.get("/vacancies/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="isco_code"' in html and "reference/occupations/search/" in html and 'value="CA-SAG"' in html
    response = client.post("/vacancies/new/", FORM)
    assert response.status_code == 302 and response.url == "/vacancies/"
    assert VacancyReport.objects.get().isco_code == "9211"
    listing = client.get("/vacancies/")
    assert listing.status_code == 200 and b"Crop farm labourers" in listing.content and b"/withdraw/" in listing.content


def test_only_programmes_of_the_users_country_are_offered(programme, make_user, web_client):
    page = web_client(make_user(Role.EMPLOYER, country="ES")).get("/vacancies/new/")
    assert page.status_code == 200 and b'value="CA-SAG"' not in page.content


def test_bad_report_is_422_with_the_message_beside_the_field(programme, employer_user, web_client):
    client = web_client(employer_user)
    response = client.post("/vacancies/new/", {**FORM, "isco_code": "9999", "vacancies": "0"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "is not an ISCO-08 group code" in html and "Enter a number from 1 to 100,000." in html
    assert 'id="id_isco_code-error"' in html
    unparsable = client.post("/vacancies/new/", {**FORM, "vacancies": "twelve"})
    assert unparsable.status_code == 422 and b"has-error" in unparsable.content
    assert not VacancyReport.objects.exists()


def test_duplicate_report_shows_the_conflict_on_the_month(programme, employer_user, web_client):
    client = web_client(employer_user)
    client.post("/vacancies/new/", FORM)
    again = client.post("/vacancies/new/", FORM)
    assert again.status_code == 422 and b"withdraw that report to correct it" in again.content


def test_withdraw_page(programme, employer_user, ministry, report, web_client):
    made = report(employer_user)
    officer = web_client(ministry)
    assert officer.get(f"/vacancies/{made.pk}/withdraw/").status_code == 403
    client = web_client(employer_user)
    assert client.get(f"/vacancies/{made.pk}/withdraw/").status_code == 200
    assert client.post(f"/vacancies/{made.pk}/withdraw/", {"reason": ""}).status_code == 422
    assert client.post(f"/vacancies/{made.pk}/withdraw/", {"reason": "Typing error."}).status_code == 302
    made.refresh_from_db()
    assert made.withdrawn_at is not None
    listing = client.get("/vacancies/").content.decode()
    assert "Withdrawn" in listing and f"/vacancies/{made.pk}/withdraw/" not in listing
    assert officer.get("/vacancies/999999/withdraw/").status_code == 404


def test_the_ministry_lists_every_report_of_its_country(programme, employer_user, ministry, report, web_client):
    report(employer_user)
    page = web_client(ministry).get("/vacancies/")
    assert page.status_code == 200 and employer_user.organisation.name.encode() in page.content
    assert b"/withdraw/" not in page.content


@pytest.fixture
def lines(programme, make_user, report):
    for _ in range(3):
        report(make_user(Role.EMPLOYER, country="CA"), vacancies=4)
    report(make_user(Role.EMPLOYER, country="CA"), isco_code="6111", vacancies=7)


def test_aggregate_page_for_the_ministry(lines, ministry, web_client):
    page = web_client(ministry).get("/vacancies/aggregate/", {"programme": "CA-SAG", "period_from": MONTH, "period_to": MONTH, "isco_level": "4", "breakdown": "region"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Field crop and vegetable growers" in html and "<td>7</td>" in html and "Suppressed" not in html
    assert "<td>12</td>" in html and "<strong>Yes</strong>" in html
    assert "/vacancies/aggregate.csv?programme=CA-SAG" in html and "Download CSV" in html


def test_aggregate_page_for_a_union_suppresses_small_cells(lines, union, web_client):
    client = web_client(union)
    page = client.get("/vacancies/aggregate/")  # opens on the first programme, last 12 months
    assert page.status_code == 200
    html = page.content.decode()
    assert "Suppressed: fewer than 3 reporting organisations" in html and "<td>7</td>" not in html
    assert "<td>12</td>" in html
    download = client.get("/vacancies/aggregate.csv", {"programme": "CA-SAG", "isco_level": "4", "breakdown": "national"})
    assert download.status_code == 200 and download["Content-Type"] == "text/csv; charset=utf-8"
    text = download.content.decode()
    assert text.startswith("isco_code,isco_title,region,") and "6111,Field crop and vegetable growers,,,,,,no,yes" in text


def test_aggregate_page_bad_filters_are_422(lines, ministry, web_client):
    client = web_client(ministry)
    page = client.get("/vacancies/aggregate/", {"programme": "CA-SAG", "period_from": "2026-05", "period_to": "2026-01", "isco_level": "4", "breakdown": "region"})
    assert page.status_code == 422 and b"The first month comes after the last." in page.content
    assert client.get("/vacancies/aggregate/", {"programme": "CA-SAG", "isco_level": "9", "breakdown": "region"}).status_code == 422
    assert client.get("/vacancies/aggregate.csv", {"programme": "CA-SAG", "period_to": "soon", "isco_level": "4", "breakdown": "region"}).status_code == 422


@pytest.mark.parametrize("url", ["/vacancies/", "/vacancies/new/", "/vacancies/aggregate/", "/vacancies/aggregate.csv"])
def test_immigration_is_refused_every_page(programme, immigration, web_client, url):
    assert web_client(immigration).get(url).status_code == 403


def test_employers_report_but_read_no_aggregate_and_anonymous_users_sign_in(programme, employer_user, web_client):
    assert web_client(employer_user).get("/vacancies/aggregate/").status_code == 403
    response = web_client().get("/vacancies/new/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_researchers_read_aggregates_but_report_nothing(programme, make_user, web_client):
    client = web_client(make_user(Role.RESEARCHER, country="CA"))
    assert client.get("/vacancies/aggregate/").status_code == 200
    assert client.get("/vacancies/new/").status_code == 403


def test_home_page_links_to_vacancies(programme, employer_user, union, web_client):
    assert b"/vacancies/" in web_client(employer_user).get("/").content
    assert b"/vacancies/aggregate/" in web_client(union).get("/").content
