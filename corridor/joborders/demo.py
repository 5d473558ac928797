"""Demo data for job orders: employers of the three demo programmes and their job orders in every state of the workflow.

Called by the demo once its organisations, users, programmes and wage figures exist. Everything goes through the
services, as in real use, so that every step is in the audit trail: the employers register, apply and are
approved; they draft orders with evidence of local advertising and submit them; one ministry officer reviews and
another approves (four eyes); the origin authorities verify; the ministry records filled positions; employers
close or cancel. An order is looked up by its employer and title first, so that building the demo twice changes
nothing.

Dates follow the real current date: every season lies in the next calendar year (so it is in the future and
covered by the rule version in force then), and the local adverts ended a week ago after running eight weeks, more
than any demo programme's minimum advertising period. Wages meet the floors computed from the illustrative wage
figures (Ontario 17.60 CAD and British Columbia 17.85 CAD an hour; 1,400 EUR a month for crop labourers in
Andalucía; 11,000 KRW an hour for manufacturing labourers in Korea).

CA-SAG (Niagara Orchards in Ontario, Fraser Valley Berry Farms in British Columbia) has at least one order in each
status:
- open: "Apple harvest, Vineland orchard" is the whole story of the issue: an approved employer with inspected
  housing; the order was submitted, reviewed by one officer, approved by another, verified by the Mexican and the
  Jamaican authorities and is on the vacancy board, described in English, French and Spanish;
- open with named returning workers ("Orchard pruning, returning crew"), open to workers changing employer
  ("Blueberry harvest, Abbotsford"), partly filled, filled, closed and cancelled orders;
- submitted, reviewed (waiting for the second officer), approved (waiting for Mexico's verification) and
  returned to the employer with the ministry's reasons ("Pear harvest");
- two drafts. "Apple thinning crew" meets every rule and is simply not submitted yet. "Cherry pickers, second
  crew" is the order the rules refuse: it offers 15.90 CAD an hour, under Ontario's floor of 17.60; it houses ten
  workers in the packing house's upper floor (six beds in one room, 4 m² each, no laundry or heating); and it was
  advertised locally for ten days instead of 28. Its submission fails with each of these findings, so it stays a
  draft (a refused submission leaves nothing to store; the returned order shows what a refusal tells the employer).

ES-MA-CIRC (Frutas del Condado in Huelva) and KR-EPS (Hanbit Precision in Gyeonggi-do) each have an open order,
verified by the Moroccan and the Nepalese authority.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.employers import services as employer_services
from corridor.employers.models import ApprovalStatus, EmployerApproval, EmployerProfile, HousingUnit, Worksite
from corridor.joborders import services
from corridor.joborders.checks import add_months
from corridor.joborders.models import JobOrder, Status
from corridor.programmes.models import Programme

ADVERT_WEEKS = 8

# The order whose submission the rules refuse (see the module docstring); kept as a draft.
REFUSED_TITLE = "Cherry pickers, second crew"
SHOWCASE_TITLE = "Apple harvest, Vineland orchard"

# How far along the workflow each target status goes.
PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: ["submit"],
    Status.REVIEWED: ["submit", "review"],
    Status.RETURNED: ["submit", "review", "return"],
    Status.APPROVED: ["submit", "review", "approve"],
    Status.OPEN: ["submit", "review", "approve", "verify"],
    Status.PARTLY_FILLED: ["submit", "review", "approve", "verify", "fill"],
    Status.FILLED: ["submit", "review", "approve", "verify", "fill"],
    Status.CLOSED: ["submit", "review", "approve", "verify", "fill", "close"],
    Status.CANCELLED: ["submit", "review", "approve", "cancel"],
}

TEXTS = {
    "apple": {
        "en": "Picking apples by hand from ladders and platforms, sorting them into bins and keeping the rows clean. "
        "40 hours a week guaranteed, overtime paid at 150%. Free housing in a heated bunkhouse with kitchen and "
        "laundry, five minutes' walk from the orchard. The employer pays the journey both ways.",
        "fr": "Cueillette manuelle des pommes depuis des échelles et des plateformes, tri dans des palox et entretien "
        "des rangs. 40 heures par semaine garanties, heures supplémentaires payées à 150 %. Logement gratuit dans un "
        "dortoir chauffé avec cuisine et buanderie, à cinq minutes à pied du verger. L'employeur paie le voyage "
        "aller et retour.",
        "es": "Cosecha manual de manzanas desde escaleras y plataformas, clasificación en cajones y limpieza de las "
        "hileras. 40 horas semanales garantizadas; las horas extra se pagan al 150 %. Alojamiento gratuito en una "
        "residencia con calefacción, cocina y lavandería, a cinco minutos a pie del huerto. El empleador paga el "
        "viaje de ida y vuelta.",
    },
    "pruning": {
        "en": "Pruning, thinning and tying young apple and pear trees. Reserved for three workers who worked on this "
        "farm in earlier seasons and asked to come back. 40 hours a week guaranteed; free housing on the farm.",
        "fr": "Taille, éclaircissage et palissage de jeunes pommiers et poiriers. Réservé à trois travailleurs qui ont "
        "travaillé dans cette exploitation lors de saisons précédentes et ont demandé à revenir. 40 heures par "
        "semaine garanties ; logement gratuit sur l'exploitation.",
        "es": "Poda, aclareo y amarre de manzanos y perales jóvenes. Reservado a tres trabajadores que ya trabajaron "
        "en esta granja en temporadas anteriores y pidieron volver. 40 horas semanales garantizadas; alojamiento "
        "gratuito en la granja.",
    },
    "peach": {
        "en": "Picking peaches and pears by hand, loading bins and caring for the trees between picks. 40 hours a "
        "week guaranteed, overtime paid at 150%. Free housing on the farm.",
        "fr": "Cueillette manuelle des pêches et des poires, chargement des palox et entretien des arbres entre les "
        "cueillettes. 40 heures par semaine garanties, heures supplémentaires payées à 150 %. Logement gratuit sur "
        "l'exploitation.",
        "es": "Cosecha manual de duraznos y peras, carga de cajones y cuidado de los árboles entre cosechas. 40 horas "
        "semanales garantizadas; las horas extra se pagan al 150 %. Alojamiento gratuito en la granja.",
    },
    "blueberry": {
        "en": "Picking blueberries by hand and packing them in the field. Workers already in Canada under the "
        "programme who wish to change employer may apply. 40 hours a week guaranteed, overtime paid at 150%. "
        "Shared housing on the farm for 120 CAD a month.",
        "fr": "Cueillette manuelle des bleuets et emballage au champ. Les travailleurs déjà au Canada dans le cadre "
        "du programme qui souhaitent changer d'employeur peuvent postuler. 40 heures par semaine garanties, heures "
        "supplémentaires payées à 150 %. Logement partagé sur la ferme pour 120 CAD par mois.",
        "es": "Cosecha manual de arándanos y empaque en el campo. Pueden postularse los trabajadores que ya están en "
        "Canadá con el programa y desean cambiar de empleador. 40 horas semanales garantizadas; las horas extra se "
        "pagan al 150 %. Vivienda compartida en la granja por 120 CAD al mes.",
    },
    "strawberry": {
        "es": "Recolección de fresas y otros frutos rojos en invernaderos de túnel en Moguer (Huelva). 39 horas "
        "semanales; las horas extra se pagan al 150 %. Alojamiento gratuito en la finca, con cocina, duchas y agua "
        "potable. El empleador paga el viaje de ida y vuelta desde Marruecos.",
        "fr": "Récolte de fraises et d'autres fruits rouges sous serres-tunnels à Moguer (Huelva). 39 heures par "
        "semaine ; les heures supplémentaires sont payées à 150 %. Logement gratuit sur l'exploitation, avec "
        "cuisine, douches et eau potable. L'employeur paie le voyage aller et retour depuis le Maroc.",
        "en": "Picking strawberries and other red fruit in polytunnels in Moguer (Huelva). 39 hours a week; overtime "
        "paid at 150%. Free housing on the farm with kitchen, showers and drinking water. The employer pays the "
        "journey from Morocco and back.",
    },
}


def _described(key: str, original: str = "en") -> dict:
    texts = TEXTS[key]
    return {
        "description": texts[original],
        "description_language": original,
        "translations": {lang: text for lang, text in texts.items() if lang != original},
    }


@dataclass
class Spec:
    """One demo job order: who makes it, its fields, and how far along the workflow it goes."""

    employer: str  # key into the employers built below
    title: str
    target: Status
    data: dict
    filled: int = 0
    reasons: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class Employer:
    profile: EmployerProfile
    user: User
    sites: dict[str, Worksite]
    units: dict[str, HousingUnit]
    reviewer: User  # reviews the employer's orders
    approver: User  # approves them: a second officer of the same ministry
    verifiers: dict[str, User]  # origin country -> officer of its competent authority


def _season(year: int, start: tuple[int, int], end: tuple[int, int]) -> dict:
    return {"start_date": datetime.date(year, *start), "end_date": datetime.date(year, *end)}


def _adverts(today: datetime.date, channel: str, *, days: int | None = None, applicants: int = 3, hires: int = 1) -> list[dict]:
    end = today - datetime.timedelta(days=7)
    start = end - datetime.timedelta(days=(days or ADVERT_WEEKS * 7) - 1)
    return [{"channel": channel, "start_date": start, "end_date": end, "local_applicants": applicants, "local_hires": hires}]


# --- employers -----------------------------------------------------------------------------------------------


def _registered(user: User, **data) -> EmployerProfile:
    existing = EmployerProfile.objects.filter(organisation_id=user.organisation_id).first()
    return existing or employer_services.employer_register(actor=user, **data)


def _approved(employer: EmployerProfile, programme, applicant: User, reviewer: User, vetting: dict) -> None:
    approval = EmployerApproval.objects.filter(employer=employer, programme=programme).first()
    if approval is None:
        approval = employer_services.employer_apply(actor=applicant, employer=employer, programme=programme)
    if approval.status == ApprovalStatus.PENDING:
        employer_services.employer_approve(actor=reviewer, employer=employer, programme=programme, vetting=vetting)


def _unit(user: User, worksite: Worksite, address: str, inspector: User | None = None, programme=None, **data) -> HousingUnit:
    unit = HousingUnit.objects.filter(worksite=worksite, address=address).first()
    if unit is None:
        unit = employer_services.housing_unit_create(actor=user, worksite=worksite, address=address, **data)
    if inspector is not None and not unit.inspections.exists():
        employer_services.housing_inspection_record(
            actor=inspector, unit=unit, date=timezone.localdate() - datetime.timedelta(days=21), result="pass",
            notes="Beds, kitchen, laundry and heating as declared; fire exits clear.", programme=programme,
        )
    return unit


def _niagara(users: dict, programme) -> Employer | None:
    user = users["employer"]
    profile = EmployerProfile.objects.filter(organisation_id=user.organisation_id).first()
    if profile is None:  # the employers demo registers Niagara Orchards
        return None
    sites = {w.name: w for w in profile.worksites.all()}
    orchard = sites["Vineland orchard"]
    units = {u.address: u for u in HousingUnit.objects.filter(worksite__employer=profile)}
    units["bunkhouse B"] = _unit(
        user, orchard, "4126 Victoria Avenue, bunkhouse B", users.get("labour_inspector"), programme,
        beds_per_room=[4, 4, 4, 4], floor_area_m2="140", facilities=["kitchen", "toilets", "shower", "laundry", "heating"],
        charge_amount="0", charge_currency="CAD",
    )
    return Employer(
        profile, user, sites, units, users["ministry_officer"], users["ministry_admin"],
        {"MX": users["origin_officer"], "JM": users["origin_officer_jm"]},
    )


def _fraser_valley(users: dict, programme) -> Employer:
    user = users["employer_bc"]
    profile = _registered(
        user, business_id="CA-BN 845512379", sectors=["A"], contact_name="Harjit Sandhu", contact_phone="+1 604 555 0142",
        contact_email="jobs@fraservalley-berries.demo.invalid",
        worksites=[{"name": "Abbotsford berry farm", "address": "3350 Mt Lehman Road, Abbotsford", "region": "British Columbia", "country": "CA"}],
    )
    _approved(profile, programme, user, users["ministry_admin"], {
        "documents_checked": "Business registration, WorkSafeBC clearance, land title.",
        "finances": "Accounts 2024-2025 reviewed; payroll up to date.",
        "compliance_history": "First season under the programme; no complaints on record.",
    })
    farm = profile.worksites.get(name="Abbotsford berry farm")
    house = _unit(
        user, farm, "3354 Mt Lehman Road, farm house", users.get("labour_inspector"), programme,
        beds_per_room=[3, 3, 2, 2], floor_area_m2="90", facilities=["kitchen", "toilets", "shower", "laundry", "heating"],
        charge_amount="120", charge_currency="CAD",
    )
    return Employer(
        profile, user, {farm.name: farm}, {"farm house": house}, users["ministry_officer"], users["ministry_admin"],
        {"MX": users["origin_officer"], "JM": users["origin_officer_jm"]},
    )


def _condado(users: dict, programme) -> Employer:
    user = users["employer_es"]
    profile = _registered(
        user, business_id="ES-CIF B21456789", sectors=["A"], contact_name="Rocío Márquez Domínguez",
        contact_phone="+34 959 555 017", contact_email="personal@frutasdelcondado.demo.invalid",
        worksites=[{"name": "Finca Los Arroyos", "address": "Carretera A-494, km 7, Moguer (Huelva)", "region": "Andalucía", "country": "ES"}],
    )
    _approved(profile, programme, user, users["ministry_admin_es"], {
        "documents_checked": "Company registration, social security certificate, farm housing licence.",
        "finances": "No debts with the tax agency or social security.",
        "compliance_history": "Six campaigns of collective hiring in origin; returns confirmed every season.",
    })
    farm = profile.worksites.get(name="Finca Los Arroyos")
    lodging = _unit(
        user, farm, "Finca Los Arroyos, alojamiento 1", beds_per_room=[4, 4, 4, 4, 4, 4], floor_area_m2="180",
        facilities=["kitchen", "toilets", "showers", "drinking water", "laundry"], charge_amount="0", charge_currency="EUR",
    )
    return Employer(
        profile, user, {farm.name: farm}, {"lodging": lodging}, users["ministry_officer_es"], users["ministry_admin_es"],
        {"MA": users["origin_officer_ma"]},
    )


def _hanbit(users: dict, programme) -> Employer:
    user = users["employer_kr"]
    profile = _registered(
        user, business_id="KR-BRN 134-81-56789", sectors=["C"], contact_name="Ji-ho Lee", contact_phone="+82 31 555 0190",
        contact_email="hr@hanbit-precision.demo.invalid",
        worksites=[{"name": "Ansan plant", "address": "Banwol Industrial Complex, 45 Sandan-ro, Danwon-gu, Ansan", "region": "Gyeonggi-do", "country": "KR"}],
    )
    _approved(profile, programme, user, users["ministry_admin_kr"], {
        "documents_checked": "Business registration, industrial accident insurance, dormitory plan.",
        "finances": "No wage arrears reported to the labour office.",
        "compliance_history": "Employs twelve workers under the scheme; one workplace inspection without findings.",
    })
    plant = profile.worksites.get(name="Ansan plant")
    dormitory = _unit(
        user, plant, "Ansan plant dormitory, 2nd floor", beds_per_room=[2, 2, 2, 2], floor_area_m2="56",
        facilities=["kitchen", "toilets", "shower", "laundry", "heating", "air conditioning"], charge_amount="120000",
        charge_currency="KRW",
    )
    return Employer(
        profile, user, {plant.name: plant}, {"dormitory": dormitory}, users["ministry_officer_kr"], users["ministry_admin_kr"],
        {"NP": users["origin_officer_np"]},
    )


# --- job orders ----------------------------------------------------------------------------------------------


def _ca_specs(year: int, today: datetime.date, niagara: Employer | None, fraser: Employer) -> list[Spec]:
    job_bank = "Job Bank (Government of Canada)"
    ontario = {
        "origin_countries": ["MX", "JM"], "isco_code": "9211", "sector": "A", "wage_amount": "18.25", "wage_currency": "CAD",
        "wage_unit": "hour", "hours_per_week": "40", "overtime_rate_percent": "150",
        "deductions": [{"type": "tax", "amount": "320"}, {"type": "social_security", "amount": "180"}],
        "adverts": _adverts(today, job_bank, applicants=4, hires=1),
    }
    specs = []
    if niagara is not None:
        orchard = niagara.sites["Vineland orchard"].pk
        packing = niagara.sites["Niagara-on-the-Lake packing house"].pk
        a = niagara.units["4122 Victoria Avenue, bunkhouse A"].pk
        b = niagara.units["bunkhouse B"].pk
        crowded = niagara.units["17 Line 2 Road, upper floor"].pk

        def niagara_order(title, target, season, positions, unit, **extra):
            data = {**ontario, "title": title, "positions": positions, "worksite": orchard, "housing": unit, **_season(year, *season)}
            filled, reasons, note = extra.pop("filled", 0), extra.pop("reasons", []), extra.pop("note", "")
            return Spec("niagara", title, target, {**data, **extra}, filled, reasons, note)

        specs += [
            niagara_order(SHOWCASE_TITLE, Status.OPEN, ((8, 16), (10, 29)), 6, a, **_described("apple"),
                          note="Wage, housing, season and advertising checked; nothing to add."),
            niagara_order(
                "Orchard pruning, returning crew", Status.OPEN, ((3, 1), (5, 28)), 3, b, min_experience_months=12,
                named_workers=["José Luis Martínez López", "Juan Carlos Pérez Soto", "Marisol Hernández Vega"],
                origin_countries=["MX"], **_described("pruning"),
            ),
            niagara_order("Peach and pear harvest", Status.PARTLY_FILLED, ((7, 5), (9, 24)), 10, b, filled=4, **_described("peach")),
            niagara_order("Sweet cherry harvest", Status.CLOSED, ((6, 14), (7, 30)), 5, b, filled=5,
                          description="Picking sweet cherries into buckets and carrying them to the sorting table."),
            niagara_order(
                "Late apple harvest, third crew", Status.CANCELLED, ((9, 13), (11, 12)), 8, b,
                reasons=["Our main buyer did not renew its contract for late apples; the two crews already hired will do the harvest."],
                description="Picking late apple varieties (Ambrosia, Empire) for cold storage.",
            ),
            niagara_order("Apple thinning crew", Status.DRAFT, ((6, 1), (7, 9)), 4, a,
                          description="Thinning young apples by hand so that the remaining fruit grows to size."),
            niagara_order(
                REFUSED_TITLE, Status.DRAFT, ((6, 14), (7, 30)), 10, crowded, wage_amount="15.90", worksite=packing,
                adverts=_adverts(today, job_bank, days=10, applicants=0, hires=0),
                description="Picking sweet cherries; sleeping quarters above the packing house.",
            ),
            niagara_order("Plum harvest", Status.SUBMITTED, ((8, 2), (9, 17)), 6, b,
                          description="Picking plums by hand and loading them into bins."),
            niagara_order("Apple harvest, second crew", Status.REVIEWED, ((9, 27), (11, 5)), 6, b, **_described("apple"),
                          note="Checks pass. The Job Bank advert and the order agree; ready for approval."),
            niagara_order(
                "Pear harvest", Status.RETURNED, ((8, 9), (9, 30)), 8, b,
                description="Picking Bartlett and Bosc pears.",
                note="The advert evidence does not match the offer; to be returned.",
                reasons=[
                    "The Job Bank advert gave a wage of 17.60 CAD an hour; this order offers 18.25. Advertise again at "
                    "the offered wage, so that local workers saw the same offer.",
                    "Say in the description how the 40 guaranteed hours are spread over the week and what is paid on "
                    "days when rain stops the picking.",
                ],
            ),
            niagara_order("Tree planting crew", Status.APPROVED, ((4, 5), (5, 28)), 5, b, origin_countries=["MX"],
                          description="Planting and staking new high-density apple rows."),
        ]
    farm = fraser.sites["Abbotsford berry farm"].pk
    house = fraser.units["farm house"].pk
    bc = {
        **ontario, "wage_amount": "18.40", "worksite": farm, "housing": house,
        "adverts": _adverts(today, job_bank, applicants=6, hires=2),
    }
    specs += [
        Spec("fraser", "Blueberry harvest, Abbotsford", Status.OPEN, {
            **bc, "title": "Blueberry harvest, Abbotsford", "positions": 8, "open_to_transfers": True,
            **_season(year, (7, 5), (9, 10)), **_described("blueberry"),
        }),
        Spec("fraser", "Raspberry harvest", Status.FILLED, {
            **bc, "title": "Raspberry harvest", "positions": 4, "origin_countries": ["MX"], **_season(year, (6, 21), (8, 6)),
            "description": "Picking raspberries into flats for the fresh market.",
        }, filled=4),
    ]
    return specs


def _es_spec(year: int, today: datetime.date, condado: Employer) -> Spec:
    title = "Strawberry and red-fruit harvest, Moguer"
    return Spec("condado", title, Status.OPEN, {
        "title": title, "origin_countries": ["MA"], "isco_code": "9211", "sector": "A", "positions": 20,
        **_season(year, (2, 1), (6, 15)), "worksite": condado.sites["Finca Los Arroyos"].pk,
        "housing": condado.units["lodging"].pk, "wage_amount": "1480.00", "wage_currency": "EUR", "wage_unit": "month",
        "hours_per_week": "39", "overtime_rate_percent": "150", "deductions": [{"type": "social_security", "amount": "95"}],
        "language": "es", "language_level": "A1", **_described("strawberry", original="es"),
        "adverts": _adverts(today, "SEPE, Servicio Público de Empleo Estatal (oferta de empleo)", applicants=9, hires=3),
    }, note="Comprobado: salario, alojamiento y publicación de la oferta.")


def _kr_spec(year: int, today: datetime.date, hanbit: Employer) -> Spec:
    title = "Production line worker, automotive metal parts"
    start = datetime.date(year, 3, 2)
    return Spec("hanbit", title, Status.OPEN, {
        "title": title, "origin_countries": ["NP"], "isco_code": "9329", "sector": "C", "positions": 8,
        "start_date": start, "end_date": add_months(start, 36) - datetime.timedelta(days=1),
        "worksite": hanbit.sites["Ansan plant"].pk, "housing": hanbit.units["dormitory"].pk, "wage_amount": "11500",
        "wage_currency": "KRW", "wage_unit": "hour", "hours_per_week": "40", "overtime_rate_percent": "150",
        "deductions": [{"type": "food", "amount": "150000"}], "language": "ko", "language_level": "EPS-TOPIK pass",
        "description": "Operating presses and an assembly line for automotive metal parts, with training in Korean "
        "safety rules on the job. 40 hours a week, overtime paid at 150%. Rooms for two in the factory dormitory "
        "for 120,000 KRW a month; meals in the canteen for 150,000 KRW a month.",
        "adverts": _adverts(today, "Work24 public employment portal (Ministry of Employment and Labor)", applicants=2, hires=0),
    })


def _advance(spec: Spec, order: JobOrder, employer: Employer) -> JobOrder:
    """Take a new order along the workflow to the spec's status, each step by the person who would take it."""
    for step in PATHS[spec.target]:
        if step == "submit":
            order = services.job_order_submit(actor=employer.user, order=order)
        elif step == "review":
            order = services.job_order_review(actor=employer.reviewer, order=order, note=spec.note)
        elif step == "return":
            order = services.job_order_return(actor=employer.approver, order=order, reasons=spec.reasons)
        elif step == "approve":
            order = services.job_order_approve(actor=employer.approver, order=order, note="Second reading done; approved.")
        elif step == "verify":
            for country in order.origin_countries:
                officer = employer.verifiers[country]
                order = services.job_order_verify(actor=officer, order=order, note="Employer and housing known to us; wage and travel terms confirmed.")
        elif step == "fill":
            order = services.job_order_record_filled(actor=employer.reviewer, order=order, filled=spec.filled)
        elif step == "close":
            order = services.job_order_close(actor=employer.user, order=order, reason="Every position is filled; the crew is confirmed.")
        elif step == "cancel":
            order = services.job_order_cancel(actor=employer.user, order=order, reason=spec.reasons[0])
    return order


@transaction.atomic
def build(orgs: dict, users: dict, programmes: dict) -> None:
    """Employers and job orders for the demo; `programmes` maps codes to Programme objects ("CA-SAG", "ES-MA-CIRC",
    "KR-EPS"). Needs the employers demo and the wage figures to have been built first."""
    today = timezone.localdate()
    year = today.year + 1
    # Read afresh: the caller's objects may predate the programmes' activation.
    fresh = Programme.objects.in_bulk([programmes[code].pk for code in ("CA-SAG", "ES-MA-CIRC", "KR-EPS")])
    sag, circ, eps = (fresh[programmes[code].pk] for code in ("CA-SAG", "ES-MA-CIRC", "KR-EPS"))
    employers = {"fraser": _fraser_valley(users, sag), "condado": _condado(users, circ), "hanbit": _hanbit(users, eps)}
    niagara = _niagara(users, sag)
    if niagara is not None:
        employers["niagara"] = niagara
    runs = [(sag, spec) for spec in _ca_specs(year, today, niagara, employers["fraser"])]
    runs += [(circ, _es_spec(year, today, employers["condado"])), (eps, _kr_spec(year, today, employers["hanbit"]))]
    for programme, spec in runs:
        employer = employers[spec.employer]
        if JobOrder.objects.filter(employer=employer.profile, title=spec.title).exists():
            continue
        order = services.job_order_create(actor=employer.user, employer=employer.profile, programme=programme, **spec.data)
        _advance(spec, order, employer)
