"""Demo pathways of the Canadian seasonal programme, built through the services on corridor/deployment/demo.py and
corridor/selection/demo.py:

- the programme's rules gain a pathway (a new rule version in force from today, published by the programme
  administrator through the programmes services: the preset offers none): two completed seasons lead to an
  illustrative agri-food pathway to permanent residence;
- sel_mx_08, back home as agreed a week ago after his second season, becomes eligible (and is told so); the workers
  with one earlier season (worker, sel_mx_07, sel_jm_03, ...) are nearly eligible;
- his employer attests the season (hours from the season's payslips) and the Mexican origin authority issues the
  skills certificate; the origin authority refers him, with his consent, to a skills-recognition service.

Running it twice changes nothing.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import User
from corridor.core.access import Role
from corridor.deployment.models import Journey
from corridor.pathways import services
from corridor.pathways.models import Referral, SkillsCertificate
from corridor.programmes import services as programme_services
from corridor.programmes.models import Programme
from corridor.programmes.selectors import rule_version_latest

PATHWAY = {"enabled": True, "seasons_required": 2, "months_required": None,
           "target_status": "Agri-food pathway to permanent residence (illustrative)"}
TASKS = ("Pruning, thinning and harvesting apples and pears by hand; grading fruit for quality; safe use of ladders "
         "and picking bins; working to food-safety and pesticide re-entry rules; trained a new crew member.")


def _user(users: dict, username: str) -> User | None:
    return users.get(username) or User.objects.filter(username=username).first()


def _pathway_rule(sag: Programme, admin: User | None) -> None:
    latest = rule_version_latest(programme=sag)
    if latest is None or admin is None or (latest.rules.get("pathway") or {}).get("enabled"):
        return
    today = timezone.localdate()
    start = max(today, latest.effective_from + datetime.timedelta(days=1))
    programme_services.rule_version_create(
        actor=admin, programme=sag, rules={**latest.rules, "pathway": PATHWAY}, effective_from=start,
        note="Pathway: workers with two completed seasons may apply for the agri-food pathway to permanent "
        "residence (GB.346 para 45; Madrid para 27).")


def _season(sag: Programme, users: dict) -> None:
    journey = (Journey.objects.filter(placement__job_order__programme=sag, worker__user__username="sel_mx_08",
                                      state="returned").select_related("placement__job_order__employer").first())
    origin = _user(users, "origin_officer")
    if journey is None or origin is None:
        return
    if not SkillsCertificate.objects.filter(journey=journey).exists():
        employer = (User.objects.filter(organisation_id=journey.placement.job_order.employer.organisation_id,
                                        role_assignments__role=Role.EMPLOYER, is_active=True).order_by("pk").first())
        if employer is not None:
            cert = services.certificate_attest(actor=employer, journey=journey, tasks=TASKS, hours_worked="640")
            services.certificate_issue(actor=origin, certificate=cert)
    if not Referral.objects.filter(worker=journey.worker).exists():
        day = max(journey.returned_on or timezone.localdate(), timezone.localdate() - datetime.timedelta(days=3))
        services.referral_create(
            actor=origin, worker=journey.worker, kind="training", consent=True, referred_on=day.isoformat(),
            provider="Centro de Evaluación de Competencias Laborales, Sinaloa",
            note="Certification of his orchard skills under the national competence standard; he agreed by phone.")


@transaction.atomic
def build(orgs: dict, users: dict) -> None:
    sag = Programme.objects.filter(code="CA-SAG").first()
    if sag is None:
        return
    _pathway_rule(sag, _user(users, "ministry_admin"))
    _season(sag, users)
    services.refresh_all()
