"""What each role's home page shows. Later parts of the cycle add their own panels here."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from corridor.core.access import Role, roles_of

ROLE_TASKS = {
    Role.PLATFORM_ADMIN: [
        (_("Programmes"), "programmes:list", _("All programmes, their corridors and rules.")),
        (_("Organisations"), "accounts:organisations", _("Register ministries, authorities, employers, agencies and partners.")),
        (_("Accounts"), "accounts:users", _("Create accounts and give roles, per programme or organisation-wide.")),
        (_("Audit trail"), "core:audit", _("Every change made on the platform.")),
        (_("API tokens"), "accounts:api_tokens", _("Keys for system-to-system exchange.")),
    ],
    Role.MINISTRY_ADMIN: [
        (_("Create a programme"), "programmes:create", _("Start from a preset modelled on a real scheme, or from scratch.")),
        (_("Your programmes"), "programmes:list", _("Edit rules, open corridors, activate or suspend.")),
        (_("Employers to review"), "employers:review_queue", _("Vet employers and approve, suspend or ban them per programme.")),
        (_("Review job orders"), "joborders:review_queue", _("Check job orders against the programme's rules, then approve or return them.")),
        (_("Selection rounds"), "selection:rounds", _("Open rounds, dry-run and publish the selection, decide appeals.")),
        (_("Placements and contracts"), "contracts:index", _("Placements in your programmes, their contracts, and each programme's contract template.")),
        (_("Journeys"), "deployment:index", _("Workers' journeys in your programmes: checklist, permits, travel, arrival, return, and substitution alerts.")),
        (_("Payslips"), "payroll:index", _("Workers' payslips in your programmes and what the checks found on them.")),
        (_("Changes of employer"), "mobility:changes", _("Workers changing employer and the end of their grace period; transfer openings.")),
        (_("Returns"), "returns:index", _("Returns, stays past the permit end, end-of-stay payouts and season evaluations.")),
        (_("Pathways"), "pathways:index", _("Workers eligible or close to the programme's pathway; skills certificates.")),
        (_("Wages and wage floors"), "wages:table", _("Prevailing and minimum wages, and the floor each job must meet.")),
        (_("Audit trail"), "core:audit", _("Changes to your programmes.")),
        (_("API tokens"), "accounts:api_tokens", _("Keys for exchange with origin authorities.")),
        (_("Vacancy monitoring"), "vacancies:aggregate", _("Reported vacancies by occupation and region, and suggested shortage occupations.")),
    ],
    Role.MINISTRY_OFFICER: [
        (_("Employers to review"), "employers:review_queue", _("Vet employers and approve, suspend or ban them per programme.")),
        (_("Review job orders"), "joborders:review_queue", _("Check job orders against the programme's rules, then approve or return them.")),
        (_("Wages and wage floors"), "wages:table", _("Prevailing and minimum wages, and the floor each job must meet.")),
        (_("Selection rounds"), "selection:rounds", _("Rounds of selection, their runs and the appeals against outcomes.")),
        (_("Placements and contracts"), "contracts:index", _("Placements in your programmes and their contracts.")),
        (_("Journeys"), "deployment:index", _("Workers' journeys in your programmes: checklist, permits, travel, arrival, return, and substitution alerts.")),
        (_("Payslips"), "payroll:index", _("Workers' payslips in your programmes and what the checks found on them.")),
        (_("Changes of employer"), "mobility:changes", _("Workers changing employer and the end of their grace period; transfer openings.")),
        (_("Returns"), "returns:index", _("Returns, stays past the permit end, end-of-stay payouts and season evaluations.")),
        (_("Pathways"), "pathways:index", _("Workers eligible or close to the programme's pathway; skills certificates.")),
        (_("Programmes"), "programmes:list", _("The rules you apply when reviewing job orders.")),
        (_("Vacancy monitoring"), "vacancies:aggregate", _("Reported vacancies by occupation and region, and suggested shortage occupations.")),
        (_("Audit trail"), "core:audit", _("Changes to your programmes.")),
    ],
    Role.ORIGIN_OFFICER: [
        (_("Workers"), "workers:list", _("Your nationals in the pool: register, verify, mark work-ready.")),
        (_("Programmes with your corridors"), "programmes:list", _("Rules and quotas for your nationals.")),
        (_("Verify job orders"), "joborders:verification_queue", _("Approved job orders waiting for your authority's verification.")),
        (_("Selection rounds"), "selection:rounds", _("Run selection for your corridor; record seasons and skills tests from a worker's profile.")),
        (_("Contracts to approve"), "contracts:index", _("Your nationals' placements: approve signed contracts, which locks and delivers them.")),
        (_("Journeys"), "deployment:index", _("Start your nationals' journeys, complete the pre-departure checklist, clear departures, record travel and return.")),
        (_("Substitution alerts"), "deployment:alerts", _("Differences between your nationals' contracts and what employers declare at destination.")),
        (_("Payslips"), "payroll:index", _("Your nationals' payslips abroad, what the checks found and what they are owed.")),
        (_("Returns"), "returns:index", _("Register your nationals' returns with evidence; payouts, stays past the permit end.")),
        (_("Changes of employer"), "mobility:changes", _("Your nationals changing employer and the end of their grace period.")),
        (_("Certificates and pathways"), "pathways:certificates", _("Issue skills certificates; see who is eligible for the pathway.")),
        (_("Reintegration referrals"), "pathways:referrals", _("Refer returned workers to reintegration services, with their consent.")),
        (_("Agency licences"), "agencies:licences", _("License recruitment agencies, renew, suspend or revoke with due process, check ratings.")),
        (_("Recruitment costs"), "costs:ledger", _("What your nationals paid, violations by agency, refund orders and deposit draws.")),
        (_("Audit trail"), "core:audit", _("Changes to the programmes you work on.")),
        (_("API tokens"), "accounts:api_tokens", _("Keys for exchange with the destination ministry.")),
    ],
    Role.IMMIGRATION_OFFICER: [
        (_("Programmes"), "programmes:list", _("Stay limits, renewal and permit rules.")),
        (_("Journeys and permits"), "deployment:index", _("Record visas and permits of workers cleared for departure; record overstays and changes of status.")),
        (_("Stays past the permit end"), "returns:overstay", _("Daily flags of workers past their permit end without a return: check before acting.")),
        (_("Changes of employer"), "mobility:changes", _("Workers changing employer: their stay is lawful until the end of the grace period.")),
        (_("Pathways"), "pathways:index", _("Workers eligible for the programme's pathway to another status.")),
    ],
    Role.LABOUR_INSPECTOR: [
        (_("Substitution alerts"), "deployment:alerts", _("Differences between workers' contracts and what employers declare at destination.")),
        (_("Payslips"), "payroll:index", _("Payslips with findings: underpayment, unlawful deductions, late pay, and arrears owed.")),
        (_("Possible retaliation"), "returns:retaliation", _("Workers who disputed or complained and were not named again by the same employer.")),
        (_("End-of-stay payouts"), "returns:payouts", _("Final pay, savings and insurance payouts, and those workers say they did not receive.")),
        (_("Recruitment costs"), "costs:ledger", _("Record costs workers were charged; follow refund orders.")),
        (_("Wages and wage floors"), "wages:table", _("Prevailing and minimum wages, and the floor each job must meet.")),
        (_("Programmes"), "programmes:list", _("Wage floors, deduction caps and housing standards to inspect against.")),
        (_("Audit trail"), "core:audit", _("Changes to the programmes you inspect.")),
    ],
    Role.EMPLOYER: [
        (_("Your employer profile"), "employers:me", _("Worksites, housing and your approval in each programme.")),
        (_("Job orders"), "joborders:list", _("Ask for workers under a programme and follow each job order through review.")),
        (_("Selection rounds"), "selection:rounds", _("Name returning workers for recall, choose from shortlists, see who was selected.")),
        (_("Placements and contracts"), "contracts:index", _("Confirm the workers placed with you, generate and sign their contracts, propose amendments.")),
        (_("Journeys"), "deployment:index", _("Confirm your workers' arrival, name a welfare contact, declare the terms you apply.")),
        (_("Payslips"), "payroll:index", _("Submit your workers' payslips (from each worker's journey) and see what the checks found.")),
        (_("Transfers"), "mobility:employer", _("Open job orders to workers already here who want to change employer; answer their applications.")),
        (_("End of season"), "returns:evaluations", _("Record final pay and payouts, evaluate your workers' season, see how workers rate you overall.")),
        (_("Skills certificates"), "pathways:certificates", _("Attest your workers' season: occupation, hours and skills.")),
        (_("Wage floors"), "wages:floor", _("Check that the wage you offer meets the programme's floor.")),
        (_("Programmes"), "programmes:list", _("The programmes you can recruit through and their rules.")),
        (_("Occupations"), "reference:occupations", _("Find the ISCO-08 code of the jobs you offer.")),
        (_("Report vacancies"), "vacancies:list", _("Vacancies you cannot fill and emerging needs, for the shortage-occupation list.")),
    ],
    Role.AGENCY: [
        (_("Workers"), "workers:list", _("Workers who consented to you, and registrations you made for workers.")),
        (_("Licence"), "agencies:licences", _("Apply for your licence, follow its status, and answer any proceeding.")),
        (_("Recruitment costs"), "costs:ledger", _("Declare the costs you paid or charged; refund orders naming you.")),
        (_("Programmes"), "programmes:list", _("The programmes and corridors you may recruit for. Workers never pay fees.")),
    ],
    Role.UNION: [
        (_("Programmes"), "programmes:list", _("Rules to review with the ministry and employers.")),
        (_("Quotas"), "joborders:quotas", _("Positions approved against each programme's quotas, per year.")),
        (_("Vacancy monitoring"), "vacancies:aggregate", _("Reported vacancies by occupation and region, and suggested shortage occupations.")),
    ],
    Role.EMPLOYERS_ORG: [
        (_("Programmes"), "programmes:list", _("Rules to review with the ministry and unions.")),
        (_("Quotas"), "joborders:quotas", _("Positions approved against each programme's quotas, per year.")),
        (_("Vacancy monitoring"), "vacancies:aggregate", _("Reported vacancies by occupation and region, and suggested shortage occupations.")),
    ],
    Role.RESEARCHER: [
        (_("Programmes"), "programmes:list", _("Programme design; statistics are published as aggregates only.")),
        (_("Occupations"), "reference:occupations", _("ISCO-08 and ESCO classifications.")),
        (_("Recruitment costs (SDG 10.7.1)"), "costs:sdg", _("Recruitment costs borne by workers, in months of earnings, as aggregates.")),
    ],
    Role.WORKER: [
        (_("My profile"), "workers:me", _("Your registration, documents, consents and whether you are eligible.")),
        (_("Programmes open to you"), "programmes:list", _("What each programme offers and requires, in your language.")),
        (_("Vacancy board"), "joborders:board", _("Open jobs with their pay, hours, housing and travel, in your language.")),
        (_("My selection"), "selection:me", _("Rank the job orders you want, answer employers who ask you back, see your outcome and why.")),
        (_("My contract"), "contracts:me", _("Confirm your placement, read your contract in your language, see what a change would change, accept it.")),
        (_("My journey"), "deployment:me", _("Where you are between your contract and your return home, what comes next, your welfare contact.")),
        (_("My payslips"), "payroll:me", _("Each payslip checked against your contract: what is wrong, what you are owed, and a way to dispute it.")),
        (_("Change employer"), "mobility:me", _("Employers open to transfers; apply without asking your employer. Your grace period.")),
        (_("My return"), "returns:me", _("Your return, final pay and savings to confirm, and your evaluation of the season.")),
        (_("My pathway"), "pathways:me", _("Your seasons and months towards the programme's pathway, your certificates and referrals.")),
        (_("Rate your agency"), "agencies:ratings", _("Tell other workers how the agency that recruited you behaved.")),
        (_("What I paid"), "costs:mine", _("Every payment you or your family made to get the job; what should be refunded to you.")),
    ],
}

ANONYMOUS_TASKS = [
    (_("Programmes"), "programmes:list", _("Read the rules of every active programme.")),
    (_("Vacancy board"), "joborders:board", _("Open jobs with their pay, hours, housing and travel, in your language.")),
    (_("Licensed agencies"), "agencies:register", _("Check that a recruitment agency holds a licence, and how workers rate it.")),
    (_("Check a contract"), "verify", _("Check that a contract, a job order or an agency licence is genuine and current.")),
    (_("Check a skills certificate"), "pathways:verify", _("Check that a worker's skills certificate is genuine and not revoked.")),
    (_("Occupations"), "reference:occupations", _("Search ISCO-08 and ESCO occupations.")),
    (_("Sign in"), "accounts:login", _("Officials, employers, agencies, workers and researchers.")),
    (_("Employers: sign up"), "employers:sign_up", _("Register your business to recruit under a programme.")),
    (_("Workers: register"), "workers:register", _("Register from your phone, free of charge, to be considered for jobs abroad.")),
]


def home_context(user) -> dict:
    roles = roles_of(user)
    order = [r.value for r in Role]
    role_list = sorted(roles, key=order.index)
    tasks, seen = [], set()
    for role in role_list or [None]:
        for title, url_name, text in ROLE_TASKS.get(role, ANONYMOUS_TASKS if role is None else []):
            if url_name in seen:
                continue
            seen.add(url_name)
            tasks.append({"title": title, "url": reverse(url_name), "text": text})
    return {
        "roles": [Role(r).label for r in role_list],
        "tasks": tasks,
        "panels": [panel for provider in _panels if (panel := provider(user))],
        "primary_role": role_list[0] if role_list else None,
    }


# Each app of the cycle registers a function returning a panel {"template": ..., **context} or None.
_panels: list[Callable[[object], dict | None]] = []


def register_home_panel(provider: Callable[[object], dict | None]) -> None:
    if provider not in _panels:
        _panels.append(provider)
