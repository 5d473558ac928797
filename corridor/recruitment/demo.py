"""Licensed agencies for the demo, built through the services: licences in Mexico, Jamaica, Morocco and Nepal, a
suspension proceeding waiting for the agency's response (Jamaica), a licence revoked after due process with an
appeal decided by a second officer (Nepal), an application waiting for a decision (Nepal), a link to an employer,
and workers' ratings: enough counted ratings for the Mexican agency's averages to show, too few for the Moroccan one.

Running it twice changes nothing: every object is looked up first.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.employers.models import ApprovalStatus, EmployerProfile
from corridor.programmes.models import Programme
from corridor.recruitment import services
from corridor.recruitment.models import (
    AgencyEmployerLink,
    AgencyLicence,
    AgencyRating,
    LicenceProceeding,
    LicenceStatus,
)
from corridor.workers.models import ConsentPurpose, Worker

RATER_PASSWORD = "corridor-demo-rater-2026"


@dataclass(frozen=True)
class Rater:
    username: str
    given: str
    family: str
    sex: str
    born: datetime.date
    phone: str
    scores: tuple[int, int, int, int]  # fees, information, contract honesty, treatment
    comment: str = ""
    publish: bool = True


MX_RATERS = [
    Rater("rater_mx_1", "María Guadalupe", "Sánchez Ruiz", "female", datetime.date(1990, 3, 14), "+52 55 1000 0101", (5, 4, 5, 5)),
    Rater("rater_mx_2", "Juan Carlos", "Pérez Ortiz", "male", datetime.date(1985, 7, 2), "+52 55 1000 0102", (5, 5, 4, 4),
          "They explained the contract line by line."),
    Rater("rater_mx_3", "Rosa Elena", "Flores Vega", "female", datetime.date(1993, 11, 20), "+52 55 1000 0103", (4, 4, 4, 5)),
    Rater("rater_mx_4", "Miguel Ángel", "Torres Díaz", "male", datetime.date(1988, 1, 9), "+52 55 1000 0104", (5, 3, 4, 4)),
    Rater("rater_mx_5", "Luis Alberto", "Ramos Cruz", "male", datetime.date(1996, 5, 30), "+52 55 1000 0105", (5, 4, 5, 4)),
    Rater("rater_mx_6", "Ana Laura", "Jiménez Mora", "female", datetime.date(1991, 9, 17), "+52 55 1000 0106", (4, 5, 5, 5)),
    Rater("rater_mx_7", "Pedro", "Castillo Núñez", "male", datetime.date(1987, 4, 4), "+52 55 1000 0107", (2, 3, 3, 3),
          "An employee asked me for 1,500 pesos for the medical exam.", publish=False),
]
MA_RATERS = [
    Rater("rater_ma_1", "Khadija", "Ouali", "female", datetime.date(1992, 2, 11), "+212 600 000 101", (5, 4, 4, 5)),
    Rater("rater_ma_2", "Naima", "Berrada", "female", datetime.date(1989, 6, 25), "+212 600 000 102", (4, 4, 3, 4)),
]


def _org(orgs: dict, key: str):
    return orgs.get(key)


def _licence(agency, actor, officer, *, programme: Programme, today: datetime.date, ownership: str, capital: str,
             deposit: str, currency: str, bond: str, grant: bool = True) -> AgencyLicence:
    existing = AgencyLicence.objects.filter(agency=agency).order_by("-pk").first()
    if existing is not None:
        return existing
    licence = services.licence_apply(
        actor=actor, today=today, ownership=ownership, capital_amount=capital, capital_currency=currency,
        deposit_amount=deposit, deposit_currency=currency, bond_reference=bond,
        scopes=[{"programme": programme.code, "origin_country": agency.country}],
    )
    if grant:
        licence = services.licence_grant(
            actor=officer, licence=licence, today=today, valid_from=today - datetime.timedelta(days=180),
            valid_until=today + datetime.timedelta(days=2 * 365), note="Documents, capital and bank guarantee verified.",
        )
    return licence


def _rater(spec: Rater, nationality: str, language: str) -> Worker:
    from corridor.workers import services as worker_services

    user = User.objects.filter(username=spec.username).first()
    if user is not None:
        worker = Worker.objects.filter(user=user).first()
        if worker is not None:
            return worker
    return worker_services.worker_register_self(
        username=spec.username, password=RATER_PASSWORD, given_names=spec.given, family_names=spec.family, sex=spec.sex,
        date_of_birth=spec.born.isoformat(), nationality=nationality, language=language, phone=spec.phone, via="web",
    )


def _ratings(agency, officer, raters: list[Rater], nationality: str, language: str) -> None:
    from corridor.workers import services as worker_services

    for spec in raters:
        worker = _rater(spec, nationality, language)
        if AgencyRating.objects.filter(worker=worker, agency=agency).exists():
            continue
        if not worker.consents.filter(purpose=ConsentPurpose.AGENCY, agency=agency, withdrawn_at__isnull=True).exists():
            worker_services.consent_give(actor=worker.user, worker=worker, purpose=ConsentPurpose.AGENCY, agency=agency,
                                         language=language)
        fees, information, honesty, treatment = spec.scores
        rating = services.rating_submit(actor=worker.user, agency=agency, fees=fees, information=information,
                                        contract_honesty=honesty, treatment=treatment, comment=spec.comment)
        if spec.publish:
            services.rating_moderate(actor=officer, rating=rating, decision="publish")


def _link(agency_user, employer_org, programme: Programme, today: datetime.date) -> None:
    employer = EmployerProfile.objects.filter(organisation=employer_org).first()
    if employer is None or not employer.approvals.filter(programme=programme, status=ApprovalStatus.APPROVED).exists():
        return
    if AgencyEmployerLink.objects.filter(agency=agency_user.organisation, employer=employer, programme=programme).exists():
        return
    services.link_record(actor=agency_user, employer=employer, programme=programme, since=today - datetime.timedelta(days=150),
                         today=today)


@transaction.atomic
def build(orgs: dict, users: dict) -> None:
    """Agencies for the demo; needs the organisations and users of corridor/demo/content.py and its programmes."""
    today = timezone.localdate()
    sag = Programme.objects.filter(code="CA-SAG").first()
    circ = Programme.objects.filter(code="ES-MA-CIRC").first()
    eps = Programme.objects.filter(code="KR-EPS").first()

    # Mexico: licensed for the Canadian seasonal programme; recruits for Niagara Orchards; rated by enough workers.
    if sag is not None and "agency" in users:
        mx_officer = users["origin_officer"]
        _licence(
            orgs["mx_agency"], users["agency"], mx_officer, programme=sag, today=today,
            ownership="Jorge Hernández Cruz (55%), Lucía Morales Peña (45%); director: Jorge Hernández Cruz",
            capital="1500000", deposit="750000", currency="MXN", bond="BANORTE-FIANZA-2025-118",
        )
        _link(users["agency"], orgs["ca_employer"], sag, today)
        _ratings(orgs["mx_agency"], mx_officer, MX_RATERS, "MX", "es")

    # Jamaica: licensed; the authority has given notice of a suspension and is waiting for the agency's response.
    if sag is not None and "agency_jm" in users:
        jm_officer = users["origin_officer_jm"]
        licence = _licence(
            orgs["jm_agency"], users["agency_jm"], jm_officer, programme=sag, today=today,
            ownership="Winston Brown (100%); manager: Claudette Reid", capital="8000000", deposit="2500000", currency="JMD",
            bond="NCB-GUAR-7781",
        )
        if licence.status == LicenceStatus.ACTIVE and not licence.proceedings.exists():
            services.proceeding_open(
                actor=jm_officer, licence=licence, kind="suspension", today=today,
                respond_by=today + datetime.timedelta(days=21),
                grounds="Three workers of the 2026 season report paying JMD 45,000 each for 'processing' before departure. "
                        "Receipts are on file with the Overseas Employment Unit.",
            )

    # Morocco: licensed for the circular programme with Spain; only two counted ratings, so no averages are shown.
    if circ is not None and "agency_ma" in users:
        ma_officer = users["origin_officer_ma"]
        _licence(
            orgs["ma_agency"], users["agency_ma"], ma_officer, programme=circ, today=today,
            ownership="Karim Alaoui (70%), Samira Tazi (30%)", capital="500000", deposit="200000", currency="MAD",
            bond="CIH-CAUTION-2025-044",
        )
        _ratings(orgs["ma_agency"], ma_officer, MA_RATERS, "MA", "ar")

    # Nepal: one licence revoked after due process (notice, response, decision, appeal decided by a second officer),
    # and another agency's application waiting for a decision.
    if eps is not None and "agency_np" in users:
        np_officer, np_officer2 = users["origin_officer_np"], users["origin_officer_np2"]
        licence = _licence(
            orgs["np_agency"], users["agency_np"], np_officer, programme=eps, today=today,
            ownership="Hari Prasad Adhikari (100%)", capital="10000000", deposit="3000000", currency="NPR",
            bond="NABIL-BG-2025-310",
        )
        if licence.status == LicenceStatus.ACTIVE and not LicenceProceeding.objects.filter(licence=licence).exists():
            agency_user = users["agency_np"]
            proceeding = services.proceeding_open(
                actor=np_officer, licence=licence, kind="revocation", today=today,
                respond_by=today + datetime.timedelta(days=14),
                grounds="The agency kept the passports of 14 workers selected for the Employment Permit System until "
                        "each paid NPR 120,000.",
            )
            services.proceeding_respond(
                actor=agency_user, proceeding=proceeding, today=today,
                response="The passports were held for safekeeping at the workers' request.",
            )
            services.proceeding_decide(
                actor=np_officer, proceeding=proceeding, decision="upheld", today=today,
                reason="Fourteen workers and two bank statements confirm the payments; retaining identity documents is "
                       "prohibited (fair recruitment principle 11).",
            )
            services.proceeding_appeal(actor=agency_user, proceeding=proceeding, today=today,
                                       appeal="The sanction is disproportionate; the passports have been returned.")
            services.proceeding_decide_appeal(
                actor=np_officer2, proceeding=proceeding, decision="upheld",
                reason="Returning the passports after the notice does not undo the payments demanded. The revocation stands.",
            )
    if eps is not None and "agency_np2" in users:
        _licence(
            orgs["np_agency2"], users["agency_np2"], None, programme=eps, today=today, grant=False,
            ownership="Sushila Gurung (50%), Bikash Tamang (50%)", capital="5000000", deposit="3000000", currency="NPR",
            bond="EVEREST-BG-2026-012",
        )
