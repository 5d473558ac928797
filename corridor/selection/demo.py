"""Demo selection: a published round of the Canadian seasonal programme (with its dry run, an upheld appeal and the
re-run that superseded it, and an appeal waiting for a decision), and a dry run of an employer-shortlist round in the
Korean programme. Needs the workers, employers and job orders of the other demo modules."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.employers.models import EmployerProfile
from corridor.joborders.models import JobOrder
from corridor.programmes.models import Programme
from corridor.selection import loading, services
from corridor.selection.models import Outcome, RunStatus, SelectionRound
from corridor.workers import demo as workers_demo
from corridor.workers.models import ConsentPurpose, Worker

D = workers_demo.DemoWorker
R = workers_demo.READY
SAG = ((ConsentPurpose.SELECTION, "CA-SAG"),)
EPS = ((ConsentPurpose.SELECTION, "KR-EPS"),)

# Work-ready workers who take part in the demo rounds (besides those of corridor/workers/demo.py).
EXTRA: dict[str, list] = {
    "MX": [
        D(R, "Ana Lucía", "Hernández Cruz", "female", datetime.date(1990, 8, 3), "Oaxaca", "+52 951 300 1101", "G40110201", "9211", "5",
          username="sel_mx_01", language_result=("en", "Cambridge English Placement Test", "B1"), consents=SAG),
        D(R, "Pedro", "Vázquez Luna", "male", datetime.date(1986, 2, 14), "Tlaxcala", "+52 246 300 1102", "G40110202", "9211", "12",
          username="sel_mx_02", consents=SAG),
        D(R, "Guadalupe", "Ramos Ortega", "female", datetime.date(1994, 5, 27), "Chiapas", "+52 961 300 1103", "G40110203", "9211", "2",
          username="sel_mx_03", consents=SAG),
        D(R, "Luis Alberto", "Mendoza Ríos", "male", datetime.date(1992, 11, 9), "Guanajuato", "+52 473 300 1104", "G40110204", "9211", "7",
          username="sel_mx_04", language_result=("en", "Cambridge English Placement Test", "A2"), consents=SAG),
        D(R, "Verónica", "Aguilar Soto", "female", datetime.date(1988, 1, 19), "Michoacán", "+52 443 300 1105", "G40110205", "9211", "9",
          username="sel_mx_05", consents=SAG),
        D(R, "Jorge", "Navarro Gil", "male", datetime.date(1995, 7, 2), "Puebla", "+52 222 300 1106", "G40110206", "9211", "1",
          username="sel_mx_06", consents=SAG),
        D(R, "Juan Carlos", "Pérez Soto", "male", datetime.date(1985, 4, 30), "Tlaxcala", "+52 246 300 1107", "G40110207", "9211", "14",
          username="sel_mx_07", consents=SAG),
        D(R, "Marisol", "Hernández Vega", "female", datetime.date(1991, 10, 12), "Tlaxcala", "+52 246 300 1108", "G40110208", "9211", "10",
          username="sel_mx_08", consents=SAG),
        D(R, "Rafael", "Cortés Medina", "male", datetime.date(1983, 12, 5), "Zacatecas", "+52 492 300 1109", "G40110209", "9211", "16",
          username="sel_mx_09", consents=SAG),
        D(R, "Elena", "Domínguez Paz", "female", datetime.date(1997, 3, 22), "Chiapas", "+52 961 300 1110", "G40110210", "9211", "1",
          username="sel_mx_10", consents=SAG),
    ],
    "JM": [
        D(R, "Kemar", "Campbell", "male", datetime.date(1991, 6, 6), "St. Elizabeth", "+1 876 555 0301", "A4100301", "9211", "6",
          username="sel_jm_01", consents=SAG),
        D(R, "Latoya", "Henry", "female", datetime.date(1993, 9, 18), "Clarendon", "+1 876 555 0302", "A4100302", "9211", "4",
          username="sel_jm_02", consents=SAG),
        D(R, "Omar", "Francis", "male", datetime.date(1987, 1, 25), "Manchester", "+1 876 555 0303", "A4100303", "9211", "10",
          username="sel_jm_03", consents=SAG),
        D(R, "Tamara", "Lewis", "female", datetime.date(1996, 12, 2), "St. Thomas", "+1 876 555 0304", "A4100304", "9211", "2",
          username="sel_jm_04", consents=SAG),
        D(R, "Ricardo", "Gordon", "male", datetime.date(1989, 8, 14), "Westmoreland", "+1 876 555 0305", "A4100305", "9211", "8",
          username="sel_jm_05", consents=SAG),
        D(R, "Sade", "Bailey", "female", datetime.date(1998, 4, 11), "Portland", "+1 876 555 0306", "A4100306", "9211", "1",
          username="sel_jm_06", consents=SAG),
    ],
    "NP": [
        D(R, "Krishna", "Adhikari", "male", datetime.date(1995, 2, 3), "Lumbini", "+977 984 300 0401", "10400401", "9329", "3",
          username="sel_np_01", language_result=("ko", "EPS-TOPIK", "pass"), consents=EPS),
        D(R, "Maya", "Karki", "female", datetime.date(1997, 6, 15), "Bagmati", "+977 984 300 0402", "10400402", "9329", "2",
          username="sel_np_02", language_result=("ko", "EPS-TOPIK", "pass"), consents=EPS),
        D(R, "Suman", "Bhandari", "male", datetime.date(1993, 11, 28), "Koshi", "+977 984 300 0403", "10400403", "9329", "5",
          username="sel_np_03", language_result=("ko", "EPS-TOPIK", "pass"), consents=EPS),
    ],
}

# Who ranks what in the Canadian round: username -> job order titles, first choice first.
SHOWCASE = "Apple harvest, Vineland orchard"
PRUNING = "Orchard pruning, returning crew"
PEACH = "Peach and pear harvest"
BLUEBERRY = "Blueberry harvest, Abbotsford"
RANKINGS = {
    "worker": [PRUNING, SHOWCASE, PEACH],
    "sel_mx_01": [SHOWCASE, BLUEBERRY, PEACH],
    "sel_mx_02": [PRUNING, SHOWCASE],
    "sel_mx_03": [SHOWCASE, PEACH, BLUEBERRY],
    "sel_mx_04": [BLUEBERRY, SHOWCASE, PEACH],
    "sel_mx_05": [SHOWCASE, PEACH],
    "sel_mx_06": [PRUNING, SHOWCASE, BLUEBERRY],
    "sel_mx_07": [PRUNING, PEACH],
    "sel_mx_08": [PRUNING, SHOWCASE],
    "sel_mx_09": [SHOWCASE, PRUNING, PEACH, BLUEBERRY],
    "sel_mx_10": [BLUEBERRY, PEACH],
    "sel_jm_01": [SHOWCASE, PEACH, BLUEBERRY],
    "sel_jm_02": [BLUEBERRY, SHOWCASE],
    "sel_jm_03": [SHOWCASE, BLUEBERRY, PEACH],
    "sel_jm_04": [SHOWCASE, PEACH],
    "sel_jm_05": [BLUEBERRY, PEACH, SHOWCASE],
    "sel_jm_06": [SHOWCASE, BLUEBERRY],
}
# Seasons completed in earlier years: username -> (employer organisation key, year, returned as agreed).
SEASONS = {
    "worker": ("ca_employer", 2, True),
    "sel_mx_07": ("ca_employer", 1, True),
    "sel_mx_08": ("ca_employer", 1, True),
    "sel_mx_09": ("ca_employer", 2, False),
    "sel_jm_03": ("ca_employer_bc", 1, True),
}


def _extra_workers(users: dict) -> None:
    today = timezone.localdate()
    for country, specs in EXTRA.items():
        officer = users.get(workers_demo.OFFICERS[country]) or User.objects.filter(username=workers_demo.OFFICERS[country]).first()
        if officer is None:
            continue
        for spec in specs:
            worker = workers_demo._existing(spec, country)
            if worker is None:
                worker = workers_demo._register(spec, country, officer)
                workers_demo._profile(worker, spec, country, worker.user or officer, today)
                worker = workers_demo._advance(worker, spec, country, officer, today)
            workers_demo._consents(worker, spec)


def _worker(username: str) -> Worker | None:
    return Worker.objects.filter(user__username=username).first()


def _orders(rnd: SelectionRound) -> dict[str, JobOrder]:
    return {o.title: o for o in loading.round_job_orders(rnd)}


def _sag_round(orgs: dict, users: dict) -> None:
    sag = Programme.objects.filter(code="CA-SAG").first()
    admin = users.get("ministry_admin")
    if sag is None or admin is None or SelectionRound.objects.filter(programme=sag).exists():
        return
    today = timezone.localdate()
    officers = {"MX": users.get("origin_officer"), "JM": users.get("origin_officer_jm")}
    for username, (org_key, years_back, returned) in SEASONS.items():
        worker, org = _worker(username), orgs.get(org_key)
        employer = EmployerProfile.objects.filter(organisation=org).first() if org is not None else None
        if worker is None or employer is None:
            continue
        services.season_record_add(
            actor=officers[worker.nationality], worker=worker, programme=sag, year=today.year - years_back,
            employer=employer.pk, completed=True, returned_as_agreed=returned,
            note="" if returned else "Stayed 40 days past the end of the permit without a justified reason.",
        )
    rnd = services.round_create(actor=admin, programme=sag, title=f"Seasonal agricultural work {today.year + 1}, round 1")
    orders = _orders(rnd)
    niagara = users.get("employer")
    pruning = orders.get(PRUNING)
    for username in ("worker", "sel_mx_07", "sel_mx_08"):
        worker = _worker(username)
        if worker is not None and pruning is not None and niagara is not None:
            nomination = services.nomination_create(actor=niagara, rnd=rnd, job_order=pruning, worker=worker.public_id)
            services.nomination_answer(actor=worker.user, nomination=nomination, consent=username != "sel_mx_08")
    for username, titles in RANKINGS.items():
        worker = _worker(username)
        chosen = [orders[t].reference for t in titles if t in orders]
        if worker is None or not chosen:
            continue
        services.preferences_set(actor=worker.user, rnd=rnd, worker=worker, job_orders=chosen)
    services.run_round(actor=admin, rnd=rnd, publish=False)
    first = services.run_round(actor=admin, rnd=rnd, publish=True)
    # Kemar Campbell appeals: he did complete a season with Fraser Valley Berry Farms, which nobody had recorded.
    kemar = _worker("sel_jm_01")
    fraser = EmployerProfile.objects.filter(organisation=orgs.get("ca_employer_bc")).first()
    outcome = Outcome.objects.filter(run=first, worker=kemar).first() if kemar is not None else None
    if outcome is not None and fraser is not None:
        appeal = services.appeal_lodge(
            actor=kemar.user, outcome=outcome,
            grounds="I worked the blueberry season for Fraser Valley Berry Farms two years ago and came home on the agreed "
            "date, but my outcome shows no recall priority. My pay slips and the exit stamp are with the Ministry of Labour.",
        )
        services.season_record_add(actor=officers["JM"], worker=kemar, programme=sag, year=today.year - 2,
                                   employer=fraser.pk, completed=True, returned_as_agreed=True,
                                   note="Confirmed from the employer's payroll and the exit record.")
        services.appeal_decide(actor=admin, appeal=appeal, upheld=True,
                               decision="Upheld. The season with Fraser Valley Berry Farms two years ago is confirmed and now "
                               "recorded; the round is run again so that the recall priority counts.")
        second = services.run_round(actor=admin, rnd=rnd, publish=True,
                                    reason=f"Appeal {appeal.pk} upheld: a completed season was missing from the record.")
    else:
        second = first
    # Tamara Lewis, who obtained her second choice, appeals for her first; the appeal waits for a decision.
    tamara = _worker("sel_jm_04")
    mine = Outcome.objects.filter(run=second, worker=tamara).first() if tamara is not None else None
    if mine is not None and second.status == RunStatus.PUBLISHED:
        services.appeal_lodge(actor=tamara.user, outcome=mine,
                              grounds="I did not get my first choice, the apple harvest. I have two more years of orchard "
                              "experience than my profile shows; my certificate from the parish office is attached at "
                              "the Ministry of Labour in Kingston.")


def _eps_round(users: dict) -> None:
    eps = Programme.objects.filter(code="KR-EPS").first()
    officer = users.get("origin_officer_np")
    if eps is None or officer is None or SelectionRound.objects.filter(programme=eps).exists():
        return
    rnd = services.round_create(actor=officer, programme=eps, title="EPS manufacturing, Nepal, round 1")
    orders = list(loading.round_job_orders(rnd))
    if not orders:
        return
    for username in ("worker_np", "sel_np_01", "sel_np_02", "sel_np_03"):
        worker = _worker(username)
        if worker is not None:
            services.preferences_set(actor=worker.user, rnd=rnd, worker=worker, job_orders=[orders[0].reference])
    services.run_round(actor=officer, rnd=rnd, publish=False)


@transaction.atomic
def build(orgs: dict, users: dict) -> None:
    _extra_workers(users)
    _sag_round(orgs, users)
    _eps_round(users)
