"""Demo data for the work-ready pool: workers of Mexico, Jamaica, Morocco and Nepal in every state of the pool.

For each of the four countries there is a worker who registered on their own and waits for verification, one
registered on their behalf by the origin authority who has not confirmed yet, one verified, one work-ready, one
excluded by the origin authority (with the reason) and one whose passport has expired. Everything goes through the
services, as in real use, so every step is in the audit trail: the workers register themselves (or the officers
register them), documents, test results, occupations, medical clearances and orientation are recorded, and the
origin authority's officers verify, mark work-ready and exclude.

The demo worker accounts of corridor/demo/content.py are linked to their profiles:
- José Luis Martínez López (`worker`, Mexico) is work-ready, has consented to selection for CA-SAG and to sharing
  his profile with its approved employers, so Niagara Orchards (`employer`) sees him;
- Fatima Zahra Benali (`worker_ma`, Morocco) is verified; her profile page tells her what is missing to become
  work-ready (the medical clearance and the orientation);
- Ram Bahadur Thapa (`worker_np`, Nepal) is work-ready with an EPS-TOPIK result and takes part in KR-EPS selection.

Dates of birth are fixed; documents, test results and clearances are dated from today, so that the states hold
whenever the demo is built. A worker is looked up by names, date of birth and nationality first (and a linked
account by its profile), so building the demo twice changes nothing.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.programmes.models import Programme
from corridor.workers import services
from corridor.workers.models import ConsentPurpose, PoolStatus, Worker

DEMO_WORKER_PASSWORD = "corridor-demo"  # the same as the demo accounts of corridor/demo/content.py

# Pool states of the demo.
SELF = "self"  # registered by the worker, waiting for verification
BEHALF = "behalf"  # registered by the origin authority, not confirmed by the worker yet
VERIFIED = "verified"
READY = "work_ready"
EXCLUDED = "excluded"
EXPIRED = "expired"  # registered, with an expired passport only
STATES = (SELF, BEHALF, VERIFIED, READY, EXCLUDED, EXPIRED)

OFFICERS = {"MX": "origin_officer", "JM": "origin_officer_jm", "MA": "origin_officer_ma", "NP": "origin_officer_np"}
LANGUAGES = {"MX": "es", "JM": "en", "MA": "ar", "NP": "ne"}
CLINICS = {
    "MX": "Clínica del IMSS, Tlaxcala",
    "JM": "Medical Associates Hospital, Kingston",
    "MA": "Centre de santé Hay Mohammadi, Agadir",
    "NP": "Nepal Medical Centre, Kathmandu",
}


@dataclass(frozen=True)
class DemoWorker:
    state: str
    given: str
    family: str
    sex: str
    born: datetime.date
    region: str
    phone: str
    passport: str
    isco: str
    years: str
    username: str = ""  # an existing demo account (content.py) or one made here for a self-registration
    education: str = ""
    language_result: tuple[str, str, str] | None = None  # (language, test, level)
    consents: tuple[tuple[str, str], ...] = ()  # (purpose, programme code)
    exclusion: str = ""
    skills: str = ""
    extra: dict = field(default_factory=dict)


WORKERS: dict[str, list[DemoWorker]] = {
    "MX": [
        DemoWorker(READY, "José Luis", "Martínez López", "male", datetime.date(1989, 6, 21), "Tlaxcala", "+52 246 100 2030",
                   "G28471903", "9211", "8", username="worker", education="lower_secondary",
                   language_result=("en", "Cambridge English Placement Test", "A2"),
                   consents=((ConsentPurpose.SELECTION, "CA-SAG"), (ConsentPurpose.EMPLOYERS, "CA-SAG")),
                   skills="Apple and peach harvest, pruning, tractor driving."),
        DemoWorker(SELF, "María Guadalupe", "Sánchez Flores", "female", datetime.date(1996, 3, 14), "Puebla",
                   "+52 222 310 4417", "G31577204", "9211", "3", username="worker_mx_guadalupe",
                   education="upper_secondary"),
        DemoWorker(BEHALF, "Juan Carlos", "Ramírez Torres", "male", datetime.date(1991, 11, 2), "Michoacán",
                   "+52 443 218 0934", "G19833415", "6111", "6"),
        DemoWorker(VERIFIED, "Rosa Elena", "Gómez Díaz", "female", datetime.date(1987, 1, 30), "Guanajuato",
                   "+52 473 125 7781", "G24410867", "9211", "10", education="primary"),
        DemoWorker(EXCLUDED, "Miguel Ángel", "Castillo Reyes", "male", datetime.date(1984, 9, 9), "Zacatecas",
                   "+52 492 144 2298", "G17720346", "9211", "12",
                   exclusion="Presented a forged medical certificate for the 2026 season (case STPS-MX-2026-0114)."),
        DemoWorker(EXPIRED, "Francisco Javier", "Morales Ortiz", "male", datetime.date(1979, 5, 17), "Oaxaca",
                   "+52 951 207 6650", "G09158273", "9211", "15"),
    ],
    "JM": [
        DemoWorker(SELF, "Shanice", "Brown", "female", datetime.date(1998, 7, 4), "St. Elizabeth", "+1 876 555 0142",
                   "A3318274", "9211", "2", username="worker_jm_shanice", education="upper_secondary"),
        DemoWorker(BEHALF, "Dwayne", "Thompson", "male", datetime.date(1990, 2, 19), "Manchester", "+1 876 555 0187",
                   "A2976540", "9211", "7"),
        DemoWorker(VERIFIED, "Kimberly", "Williams", "female", datetime.date(1993, 12, 1), "Clarendon", "+1 876 555 0121",
                   "A3104486", "6111", "5", education="vocational"),
        DemoWorker(READY, "Andre", "Robinson", "male", datetime.date(1988, 4, 26), "Westmoreland", "+1 876 555 0163",
                   "A2841139", "9211", "11", consents=((ConsentPurpose.SELECTION, "CA-SAG"),)),
        DemoWorker(EXCLUDED, "Marlon", "Clarke", "male", datetime.date(1985, 10, 13), "St. Catherine", "+1 876 555 0199",
                   "A2517703", "9211", "9",
                   exclusion="Left the programme to work without a permit in the 2025 season; eligible again after the date."),
        DemoWorker(EXPIRED, "Tanisha", "Reid", "female", datetime.date(1992, 8, 8), "St. Ann", "+1 876 555 0110",
                   "A1988025", "9211", "4"),
    ],
    "MA": [
        DemoWorker(VERIFIED, "Fatima Zahra", "Benali", "female", datetime.date(1991, 2, 11), "Souss-Massa",
                   "+212 661 204 387", "BK4127730", "9211", "6", username="worker_ma", education="primary",
                   language_result=("es", "DELE", "A2")),
        DemoWorker(SELF, "Khadija", "El Idrissi", "female", datetime.date(1995, 6, 23), "Gharb", "+212 662 918 045",
                   "BJ8820614", "9211", "3", username="worker_ma_khadija", education="lower_secondary"),
        DemoWorker(BEHALF, "Mohamed Amine", "Tazi", "male", datetime.date(1994, 1, 5), "Fès-Meknès", "+212 663 517 290",
                   "BH3390451", "6111", "4"),
        DemoWorker(READY, "Naima", "Ouazzani", "female", datetime.date(1986, 11, 28), "Souss-Massa", "+212 664 730 118",
                   "BE5672209", "9211", "9", language_result=("es", "DELE", "A1"),
                   consents=((ConsentPurpose.SELECTION, "ES-MA-CIRC"),)),
        DemoWorker(EXCLUDED, "Hassan", "Bouzid", "male", datetime.date(1983, 3, 3), "Oriental", "+212 665 042 773",
                   "BD1158836", "9211", "13",
                   exclusion="Did not return at the end of the 2025 season without a justified reason."),
        DemoWorker(EXPIRED, "Samira", "Alaoui", "female", datetime.date(1989, 9, 16), "Rabat-Salé-Kénitra",
                   "+212 666 381 594", "BB7045318", "9211", "5"),
    ],
    "NP": [
        DemoWorker(READY, "Ram Bahadur", "Thapa", "male", datetime.date(1996, 4, 9), "Gandaki", "+977 984 112 3456",
                   "10284736", "9329", "4", username="worker_np", education="upper_secondary",
                   language_result=("ko", "EPS-TOPIK", "pass"), consents=((ConsentPurpose.SELECTION, "KR-EPS"),)),
        DemoWorker(SELF, "Sunita", "Gurung", "female", datetime.date(1999, 1, 20), "Gandaki", "+977 984 118 0021",
                   "10371592", "9329", "1", username="worker_np_sunita", education="upper_secondary"),
        DemoWorker(BEHALF, "Bikash", "Tamang", "male", datetime.date(1997, 7, 30), "Bagmati", "+977 980 127 4410",
                   "10298814", "8219", "3"),
        DemoWorker(VERIFIED, "Anita", "Rai", "female", datetime.date(1995, 10, 12), "Koshi", "+977 981 233 5087",
                   "10310477", "9329", "2", language_result=("ko", "EPS-TOPIK", "pass")),
        DemoWorker(EXCLUDED, "Dil Bahadur", "Magar", "male", datetime.date(1990, 5, 1), "Lumbini", "+977 985 140 9962",
                   "10155203", "9312", "6",
                   exclusion="Used another person's EPS-TOPIK result (case DoFE-2026-221)."),
        DemoWorker(EXPIRED, "Sarita", "Shrestha", "female", datetime.date(1993, 3, 25), "Bagmati", "+977 986 152 7730",
                   "09987412", "9329", "3"),
    ],
}


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _identity(spec: DemoWorker, country: str) -> dict:
    return {
        "given_names": spec.given, "family_names": spec.family, "sex": spec.sex, "date_of_birth": spec.born,
        "nationality": country, "region_of_origin": spec.region, "education": spec.education,
        "language": LANGUAGES[country], "phone": spec.phone,
    }


def _existing(spec: DemoWorker, country: str) -> Worker | None:
    if spec.username:
        user = User.objects.filter(username=spec.username).first()
        if user is not None:
            found = Worker.objects.filter(user=user).first()
            if found is not None:
                return found
    return Worker.objects.filter(given_names=spec.given, family_names=spec.family, date_of_birth=spec.born,
                                 nationality=country).exclude(status=PoolStatus.MERGED).first()


def _register(spec: DemoWorker, country: str, officer) -> Worker:
    data = _identity(spec, country)
    if spec.state == BEHALF:
        return services.worker_register_on_behalf(actor=officer, **data)
    user = User.objects.filter(username=spec.username).first() if spec.username else None
    if user is not None:
        return services.worker_profile_create(actor=user, **data)
    return services.worker_register_self(username=spec.username, password=DEMO_WORKER_PASSWORD, **data)


def _profile(worker: Worker, spec: DemoWorker, country: str, actor, today: datetime.date) -> None:
    """Documents, results and occupation, recorded by the worker (or the officer for an unconfirmed record)."""
    if spec.state == EXPIRED:
        services.document_add(actor=actor, worker=worker, kind="passport", number=spec.passport, issuing_country=country,
                              issued_on=today - _days(11 * 365), expires_on=today - _days(200))
    else:
        services.document_add(actor=actor, worker=worker, kind="passport", number=spec.passport, issuing_country=country,
                              issued_on=today - _days(2 * 365), expires_on=today + _days(8 * 365))
    services.occupation_add(actor=actor, worker=worker, isco_code=spec.isco, years_experience=spec.years,
                            skills=spec.skills)
    if spec.language_result:
        language, test, level = spec.language_result
        services.language_result_add(actor=actor, worker=worker, language=language, test=test, level=level,
                                     taken_on=today - _days(120), valid_until=today + _days(600))


def _advance(worker: Worker, spec: DemoWorker, country: str, officer, today: datetime.date) -> Worker:
    """Take the worker to the state the demo shows."""
    if spec.state in (SELF, BEHALF, EXPIRED):
        return worker
    services.worker_verify(actor=officer, worker=worker, note="Passport checked at the registration office.")
    if spec.state == VERIFIED:
        return worker
    services.medical_add(actor=officer, worker=worker, fit=True, issued_on=today - _days(45),
                         valid_until=today + _days(320), issued_by=CLINICS[country])
    services.orientation_record(actor=officer, worker=worker, completed_on=today - _days(20))
    services.worker_mark_work_ready(actor=officer, worker=worker)
    if spec.state == EXCLUDED:
        services.worker_exclude(actor=officer, worker=worker, until=today + _days(365), reason=spec.exclusion)
    return worker


def _consents(worker: Worker, spec: DemoWorker) -> None:
    for purpose, code in spec.consents:
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            continue
        if not worker.consents.filter(purpose=purpose, programme=programme, withdrawn_at__isnull=True).exists():
            services.consent_give(actor=worker.user, worker=worker, purpose=purpose, programme=programme)


@transaction.atomic
def build(orgs: dict, users: dict) -> list[Worker]:
    """Workers in every state of the pool for the four origin countries; returns them (found or made)."""
    today = timezone.localdate()
    made = []
    for country, specs in WORKERS.items():
        officer = users.get(OFFICERS[country]) or User.objects.filter(username=OFFICERS[country]).first()
        if officer is None:
            continue
        for spec in specs:
            worker = _existing(spec, country)
            if worker is None:
                worker = _register(spec, country, officer)
                _profile(worker, spec, country, worker.user or officer, today)
                worker = _advance(worker, spec, country, officer, today)
            if worker.user is not None:
                _consents(worker, spec)
            made.append(worker)
    _duplicates(users, today)
    return made


# Second registrations of people already in the pool, spelt differently: the pool flags them for the origin authority.
# Mohammed Amin Tazi (Morocco) stays open for review; Khadija Idrissi (Morocco) is merged into her first record.
DUPLICATES = (
    ("MA", "Mohammed Amin", "Tazi", "male", datetime.date(1994, 1, 5), "Fès-Meknès", "+212 663 517 291", False),
    ("MA", "Khadija", "Idrissi", "female", datetime.date(1995, 6, 23), "Gharb", "+212 662 918 046", True),
)


def _duplicates(users: dict, today: datetime.date) -> None:
    from corridor.workers import duplicates
    from corridor.workers.models import DuplicateFlag

    for country, given, family, sex, born, region, phone, merge in DUPLICATES:
        officer = users.get(OFFICERS[country]) or User.objects.filter(username=OFFICERS[country]).first()
        if officer is None or Worker.objects.filter(given_names=given, family_names=family, date_of_birth=born).exists():
            continue
        second = services.worker_register_on_behalf(
            actor=officer, given_names=given, family_names=family, sex=sex, date_of_birth=born, nationality=country,
            region_of_origin=region, language=LANGUAGES[country], phone=phone,
        )
        flag = DuplicateFlag.objects.filter(models.Q(first=second) | models.Q(second=second)).first()
        if merge and flag is not None:
            keep = flag.first if flag.second_id == second.pk else flag.second
            duplicates.duplicate_merge(actor=officer, flag=flag, keep=keep.public_id)
