"""Pages of the worker's journey: the list for officials and employers, one journey with the forms for the steps the
user may take, the worker's own page (phone first, in their language), and the substitution alerts.

Immigration officers see identity, state and permits only: the parts holding pay terms (checklist detail, declared
terms, substitution alerts) are separate sections, rendered only for users outside the firewall, and filled from the
selectors, which return nothing to them anyway. Selectors and services raise NotFound or Forbidden, which
`@data_category` turns into the 404 or 403 page; any other refusal is shown beside the field it names (422, or 409
when the state of the journey forbids the step). Every form that succeeds redirects (post, redirect, get).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from corridor.contracts import selectors as contract_selectors
from corridor.contracts import services as contracts
from corridor.core.access import Category, Role, is_firewalled, organisation_of, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.views import data_category, form_status
from corridor.deployment import forms, selectors, services
from corridor.deployment import journey as path
from corridor.deployment.models import AlertSource, AlertStatus, Journey, State
from corridor.selection.services import is_ministry
from corridor.workers import selectors as worker_selectors

PAGE = 50
LIST_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER,
                        Role.EMPLOYER, Role.IMMIGRATION_OFFICER, Role.LABOUR_INSPECTOR})
ALERT_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER,
                         Role.LABOUR_INSPECTOR})
# The usual path, for the progress line.
PATH = (path.SELECTED, path.CONTRACTED, path.CLEARED, path.PERMIT_ISSUED, path.TRAVELLED, path.EMPLOYED, path.RETURNED)
BEFORE_TRAVEL = (path.SELECTED, path.CONTRACTED, path.CLEARED, path.PERMIT_ISSUED)
ABROAD = (path.TRAVELLED, path.EMPLOYED, path.CHANGING_EMPLOYER)

# What comes next, said to officials and employers.
NEXT_OFFICE = {
    "contract_accepted": gettext_lazy("The worker accepts the contract (recorded from the contracts)."),
    "clear_departure": gettext_lazy("The origin authority clears the departure once the checklist is complete."),
    "issue_permit": gettext_lazy("The destination's immigration authority records the permit."),
    "depart": gettext_lazy("The origin authority records the departure."),
    "confirm_arrival": gettext_lazy("The employer confirms the arrival and names a welfare contact."),
    "start_employer_change": gettext_lazy("The worker may start a change of employer."),
    "resume_work": gettext_lazy("The worker may call off the change and go on with the employer."),
    "move": gettext_lazy("The worker moves to a new employer who accepted them (change of employer pages)."),
    "return": gettext_lazy("The origin authority records the return."),
    "change_status": gettext_lazy("The immigration authority may record a change of status."),
    "withdraw": gettext_lazy("The worker may withdraw before travelling."),
}

# What comes next, said to the worker.
NEXT_WORKER = {
    "contract_accepted": gettext_lazy("Accept your contract (page “My contract”)."),
    "clear_departure": gettext_lazy("Your country's authority checks your documents, medical clearance, orientation, "
                                    "insurance and travel, then clears you to leave."),
    "issue_permit": gettext_lazy("The destination's immigration authority issues your permit."),
    "depart": gettext_lazy("You travel. Your country's authority records your departure."),
    "confirm_arrival": gettext_lazy("Your employer confirms your arrival and gives you a welfare contact."),
    "start_employer_change": gettext_lazy("If you need to, you may start a change of employer."),
    "resume_work": gettext_lazy("You may call off the change and go on with your employer."),
    "move": gettext_lazy("Apply to employers open to transfers; once one accepts you and you accept the new contract, "
                         "you move (page “Change employer”)."),
    "return": gettext_lazy("At the end of the season you travel home; your country's authority records your return."),
    "change_status": gettext_lazy("The immigration authority may record a change of your status."),
    "withdraw": gettext_lazy("You may still withdraw before you travel, at no cost."),
}

WHERE_WORKER = {
    path.SELECTED: gettext_lazy("You were selected. Your contract comes next."),
    path.CONTRACTED: gettext_lazy("You accepted your contract. You are preparing to leave."),
    path.CLEARED: gettext_lazy("You are cleared to leave. Your permit comes next."),
    path.PERMIT_ISSUED: gettext_lazy("Your permit is issued. You may travel."),
    path.TRAVELLED: gettext_lazy("You have travelled. Your employer confirms your arrival."),
    path.EMPLOYED: gettext_lazy("You are working at destination."),
    path.CHANGING_EMPLOYER: gettext_lazy("You are changing employer."),
    path.RETURNED: gettext_lazy("You are back home. Your season is recorded."),
    path.OVERSTAYED: gettext_lazy("The immigration authority recorded that you stayed beyond your permit."),
    path.STATUS_CHANGED: gettext_lazy("You moved to another status at destination."),
    path.WITHDRAWN: gettext_lazy("You withdrew from this job."),
    path.MOVED: gettext_lazy("You moved to another employer; your stay goes on in your new journey."),
}


FIELD_LABELS = {
    "wage_amount": gettext_lazy("Wage"), "wage_currency": gettext_lazy("Currency of the wage"),
    "wage_unit": gettext_lazy("Wage per"), "hours_per_week": gettext_lazy("Hours a week"),
    "isco_code": gettext_lazy("Occupation (ISCO-08)"), "worksite": gettext_lazy("Worksite"),
    "start_date": gettext_lazy("Start"), "end_date": gettext_lazy("End"),
    "housing_charge": gettext_lazy("Housing charge"), "deductions_total": gettext_lazy("Deductions in total"),
    "employer": gettext_lazy("Employer"),
}
ACTION_LABELS = {
    "start": gettext_lazy("Journey opened"), "contract_accepted": gettext_lazy("Contract accepted"),
    "clear_departure": gettext_lazy("Cleared for departure"), "issue_permit": gettext_lazy("Permit recorded"),
    "depart": gettext_lazy("Departed"), "confirm_arrival": gettext_lazy("Arrival confirmed"),
    "start_employer_change": gettext_lazy("Change of employer started"),
    "resume_work": gettext_lazy("Change of employer called off"), "return": gettext_lazy("Returned"),
    "move": gettext_lazy("Moved to a new employer"), "continue": gettext_lazy("Went on from the previous employer"),
    "overstay": gettext_lazy("Stayed beyond the permit"), "change_status": gettext_lazy("Status changed"),
    "withdraw": gettext_lazy("Withdrawn"),
}
UNIT = {"hour": gettext_lazy("an hour"), "day": gettext_lazy("a day"), "week": gettext_lazy("a week"),
        "month": gettext_lazy("a month"), "piece": gettext_lazy("a piece")}


# --- helpers -----------------------------------------------------------------------------------------------------



def _split(form, exc: DomainError) -> list[dict]:
    """Put the service's errors beside the fields of `form` they name; return the others."""
    errors = exc.as_errors()
    form.add_service_errors([e for e in errors if (e.get("field") or "") in form.fields])
    return [e for e in errors if (e.get("field") or "") not in form.fields]


def _require_office(user, roles=LIST_ROLES) -> None:
    if not roles_of(user) & roles:
        if Role.WORKER in roles_of(user):
            raise Forbidden(_("Workers follow their journey on the page “My journey”."))
        raise Forbidden(_("Journeys are followed by employers and by the authorities of the programme."))


def _own_worker(request: HttpRequest):
    if Role.WORKER not in roles_of(request.user):
        raise Forbidden(_("This page is for workers: it shows their own journey."))
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet. Register your profile first (My profile)."))
    return worker


def _progress(journey: Journey) -> list[dict]:
    at = path.position(journey.state)
    labels = dict(State.choices)
    return [{"state": s, "label": labels[s], "done": i < at, "current": i == at and journey.state == s}
            for i, s in enumerate(PATH)]


def _is_inspector(user, journey: Journey) -> bool:
    org = organisation_of(user)
    return bool(Role.LABOUR_INSPECTOR in roles_of(user) and org is not None
                and org.country == journey.placement.job_order.programme.destination_country)


def _alert_text(alert, content: dict | None) -> str:
    """One alert, in words the worker understands."""
    pay = (content or {}).get("pay") or {}
    values = {"declared": alert.declared_value, "agreed": alert.contract_value or "—",
              "currency": pay.get("currency") or "", "unit": UNIT.get(pay.get("unit") or "", pay.get("unit") or "")}
    who = _("Your permit shows") if alert.source == AlertSource.PERMIT else _("Your employer declared")
    values["who"] = who
    texts = {
        "wage_amount": _("%(who)s a wage lower than your contract: %(declared)s instead of %(agreed)s %(currency)s "
                         "%(unit)s."),
        "hours_per_week": _("%(who)s %(declared)s hours a week; your contract says %(agreed)s."),
        "isco_code": _("%(who)s another occupation than your contract: %(declared)s instead of %(agreed)s."),
        "worksite": _("%(who)s another worksite than your contract: %(declared)s instead of %(agreed)s."),
        "start_date": _("%(who)s another start date than your contract: %(declared)s instead of %(agreed)s."),
        "end_date": _("%(who)s another end date than your contract: %(declared)s instead of %(agreed)s."),
        "housing_charge": _("%(who)s a housing charge higher than your contract: %(declared)s instead of %(agreed)s "
                            "%(currency)s."),
        "deductions_total": _("%(who)s deductions higher than your contract: %(declared)s instead of %(agreed)s "
                              "%(currency)s."),
        "employer": _("%(who)s another employer than your contract: %(declared)s instead of %(agreed)s."),
    }
    text = texts.get(alert.field, _("%(who)s %(declared)s where your contract says %(agreed)s."))
    return (text % values).replace("  ", " ") + " " + _("The origin authority and the labour inspectorate are informed.")


# --- the list ----------------------------------------------------------------------------------------------------


def _index_page(request: HttpRequest, *, start_form=None, errors=(), status: int = 200) -> HttpResponse:
    user = request.user
    wanted = request.GET.get("state", "").strip()
    if wanted not in State.values:
        wanted = ""
    programme = request.GET.get("programme", "").strip().upper()[:30]
    page = Paginator(selectors.journey_list(user=user, state=wanted, programme=programme), PAGE).get_page(
        request.GET.get("page"))
    protected = not is_firewalled(user, Category.WAGE)
    open_alerts: dict[int, int] = {}
    if protected:
        ids = [j.pk for j in page.object_list]
        for alert in selectors.alerts(user=user, status=AlertStatus.OPEN).filter(journey_id__in=ids):
            open_alerts[alert.journey_id] = open_alerts.get(alert.journey_id, 0) + 1
    rows = [{"journey": j, "alerts": open_alerts.get(j.pk, 0)} for j in page.object_list]
    starts = bool(roles_of(user) & {Role.ORIGIN_OFFICER, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.PLATFORM_ADMIN})
    context = {"page": page, "rows": rows, "state_filter": wanted, "programme_filter": programme,
               "states": State.choices, "protected": protected, "errors": list(errors),
               "start_form": (start_form or forms.StartForm()) if starts else None,
               "alerts_page": bool(roles_of(user) & ALERT_ROLES) and protected}
    return render(request, "deployment/index.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Journeys: at the employer's job orders, of the origin authority's nationals, in the destination's programmes."""
    _require_office(request.user)
    return _index_page(request)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def start(request: HttpRequest) -> HttpResponse:
    """Open the journey of a confirmed placement (from this list, or the button on the contracts pages)."""
    _require_office(request.user)
    form = forms.StartForm(request.POST)
    if not form.is_valid():
        return _index_page(request, start_form=form, status=422)
    try:
        placement = contract_selectors.placement_get(user=request.user, pk=form.cleaned_data["placement"])
        journey = services.journey_start(actor=request.user, placement=placement)
    except Forbidden:
        raise
    except NotFound as exc:
        form.add_error("placement", exc.message)
        return _index_page(request, start_form=form, status=404)
    except DomainError as exc:
        others = _split(form, exc)
        return _index_page(request, start_form=form, errors=others, status=form_status(exc))
    messages.success(request, _("Journey opened. The pre-departure checklist comes next."))
    return redirect("deployment:detail", pk=journey.pk)


# --- one journey -------------------------------------------------------------------------------------------------


def _roles_for(user, journey: Journey) -> dict:
    return {
        "origin": services.is_origin(user, journey),
        "employer": services.is_employer(user, journey),
        "immigration": services.is_immigration(user, journey),
        "worker": contracts.is_worker(user, journey.worker),
        "ministry": is_ministry(user, journey.placement.job_order.programme),
        "inspector": _is_inspector(user, journey),
    }


def _forms_for(who: dict, journey: Journey, bound: dict) -> dict:
    """The forms of the steps this user may take now (a bound form, after a refusal, replaces the blank one)."""
    state = journey.state
    allowed = set(path.allowed(state))
    out: dict = {}

    def put(name: str, show: bool, make):
        if name in bound:
            out[name] = bound[name]
        elif show:
            out[name] = make()

    origin = who["origin"]
    put("predeparture", origin and state in BEFORE_TRAVEL, lambda: forms.PredepartureForm.of(journey))
    put("clearance", origin and (state == path.CONTRACTED or state == path.SELECTED), lambda: True)
    put("depart", origin and "depart" in allowed, forms.DepartureForm)
    put("return", origin and "return" in allowed, forms.ReturnForm)
    put("withdraw", (origin or who["worker"]) and "withdraw" in allowed,
        forms.WorkerWithdrawForm if who["worker"] else forms.WithdrawForm)
    put("permit", who["immigration"] and "issue_permit" in allowed, forms.PermitForm)
    put("overstay", who["immigration"] and "overstay" in allowed, forms.OverstayForm)
    put("status", who["immigration"] and "change_status" in allowed, forms.StatusChangeForm)
    put("arrival", who["employer"] and "confirm_arrival" in allowed, forms.ArrivalForm)
    put("terms", who["employer"] and state in ABROAD, forms.TermsForm)
    put("change", who["worker"] and "start_employer_change" in allowed, forms.EmployerChangeForm)
    return out


def _detail_page(request: HttpRequest, journey: Journey, *, bound=None, errors=(), status: int = 200) -> HttpResponse:
    user = request.user
    who = _roles_for(user, journey)
    protected = not is_firewalled(user, Category.WAGE)
    context = {
        "journey": journey,
        "placement": journey.placement,
        "order": journey.placement.job_order,
        "progress": _progress(journey),
        "steps": [{"step": st, "label": ACTION_LABELS.get(st.action, st.action)}
                  for st in selectors.steps(user=user, journey=journey).select_related("actor")],
        "next": [NEXT_OFFICE.get(a, a) for a in selectors.what_next(journey)],
        "permits": list(selectors.permits(user=user, journey=journey)),
        "who": who,
        "forms": _forms_for(who, journey, bound or {}),
        "errors": list(errors),
        "protected": protected,
    }
    if protected:
        context["checklist"] = selectors.checklist(journey)
        context["alerts"] = [{"alert": a, "label": FIELD_LABELS.get(a.field, a.field)}
                             for a in selectors.alerts(user=user, journey=journey)]
        context["declarations"] = [{"declared": d, "facts": [(FIELD_LABELS.get(k, k), v) for k, v in d.facts.items()]}
                                   for d in selectors.declarations(user=user, journey=journey)]
        context["may_resolve"] = who["origin"] or who["inspector"]
    return render(request, "deployment/detail.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One journey: where it stands, the steps taken, what comes next and the forms of the steps the user may take."""
    journey = selectors.journey_get(user=request.user, pk=pk)
    if contracts.is_worker(request.user, journey.worker):
        return redirect(reverse("deployment:me") + f"#journey-{journey.pk}")
    return _detail_page(request, journey)


def _act(request: HttpRequest, pk: int, name: str, form_class, call, done: str) -> HttpResponse:
    """Parse the form, call the service, redirect; or show the refusal beside the field on the page it came from."""
    journey = selectors.journey_get(user=request.user, pk=pk)
    worker = contracts.is_worker(request.user, journey.worker)
    form = form_class(request.POST) if form_class is not None else None
    if form is not None and not form.is_valid():
        return _refused(request, journey, name, form, [], 422, worker)
    try:
        call(journey, form.cleaned_data if form is not None else {}, form)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        others = _split(form, exc) if form is not None else exc.as_errors()
        return _refused(request, journey, name, form, others, form_status(exc), worker)
    messages.success(request, done)
    if worker:
        return redirect(reverse("deployment:me") + f"#journey-{journey.pk}")
    return redirect("deployment:detail", pk=journey.pk)


def _refused(request, journey, name, form, errors, status, worker) -> HttpResponse:
    bound = {name: form} if form is not None else {}
    if worker:
        return _me_page(request, journey.worker, bound={journey.pk: bound}, errors={journey.pk: errors}, status=status)
    return _detail_page(request, journey, bound=bound, errors=errors, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def predeparture(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "predeparture", forms.PredepartureForm,
                lambda j, d, f: services.predeparture_update(actor=request.user, journey=j, **d),
                _("Pre-departure facts saved."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def clear(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "clearance", None, lambda j, d, f: services.clear_departure(actor=request.user, journey=j),
                _("The worker is cleared for departure. The immigration authority records the permit next."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def depart(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "depart", forms.DepartureForm,
                lambda j, d, f: services.departure_record(actor=request.user, journey=j, departed_on=d["departed_on"]),
                _("Departure recorded. The employer confirms the arrival."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def return_(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "return", forms.ReturnForm,
                lambda j, d, f: services.return_record(actor=request.user, journey=j, returned_on=d["returned_on"],
                                                       as_agreed=d["as_agreed"] == "yes", note=d["note"]),
                _("Return recorded, with the season for recall by rule."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    journey = selectors.journey_get(user=request.user, pk=pk)
    form_class = forms.WorkerWithdrawForm if contracts.is_worker(request.user, journey.worker) else forms.WithdrawForm
    return _act(request, pk, "withdraw", form_class,
                lambda j, d, f: services.withdraw(actor=request.user, journey=j, reason=d["reason"]),
                _("Withdrawal recorded. It costs the worker nothing."))


@data_category(Category.PERMIT)
@login_required
@require_POST
def permit(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "permit", forms.PermitForm,
                lambda j, d, f: services.permit_record(actor=request.user, journey=j, **d),
                _("Permit recorded. The worker may travel."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def overstay(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "overstay", forms.OverstayForm,
                lambda j, d, f: services.overstay_record(actor=request.user, journey=j, note=d["note"]),
                _("Stay beyond the permit recorded."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def status_change(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "status", forms.StatusChangeForm,
                lambda j, d, f: services.status_change_record(actor=request.user, journey=j, note=d["note"]),
                _("Change of status recorded."))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def arrival(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "arrival", forms.ArrivalForm,
                lambda j, d, f: services.arrival_confirm(actor=request.user, journey=j, **d),
                _("Arrival confirmed. The worker sees the welfare contact on their page."))


@data_category(Category.WAGE)
@login_required
@require_POST
def terms(request: HttpRequest, pk: int) -> HttpResponse:
    found: list = []

    def call(journey, data, form):
        found.extend(services.terms_declare(actor=request.user, journey=journey, **form.facts()))

    response = _act(request, pk, "terms", forms.TermsForm, call, _("Terms declared."))
    if found:
        messages.warning(request, _("%(n)d item(s) differ from the worker's contract: the origin authority, the labour "
                                    "inspectorate and the worker are told.") % {"n": len(found)})
    return response


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def employer_change(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "change", forms.EmployerChangeForm,
                lambda j, d, f: services.employer_change_start(actor=request.user, journey=j, note=d["note"]),
                _("Your change of employer has started. The authorities are told."))


# --- the worker's page -------------------------------------------------------------------------------------------


def _me_page(request: HttpRequest, worker, *, bound=None, errors=None, status: int = 200) -> HttpResponse:
    user = request.user
    bound, errors = bound or {}, errors or {}
    blocks = []
    for journey in selectors.journeys_of_worker(user=user, worker=worker):
        contract = contracts.in_force(journey.placement)
        content = contract.content if contract is not None else None
        who = {"origin": False, "employer": False, "immigration": False, "worker": True}
        shown = _forms_for(who, journey, bound.get(journey.pk, {}))
        blocks.append({
            "journey": journey,
            "order": journey.placement.job_order,
            "where": WHERE_WORKER.get(journey.state, ""),
            "progress": _progress(journey),
            "next": [NEXT_WORKER.get(a, a) for a in selectors.what_next(journey)],
            "alerts": [{"alert": a, "text": _alert_text(a, content)}
                       for a in selectors.alerts(user=user, journey=journey)],
            "permits": list(selectors.permits(user=user, journey=journey)),
            "forms": shown,
            "errors": errors.get(journey.pk, []),
        })
    return render(request, "deployment/me.html", {"worker": worker, "blocks": blocks}, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The worker's journey: where they are, what comes next, the welfare contact, and any difference between their
    contract and what is declared at destination."""
    return _me_page(request, _own_worker(request))


# --- substitution alerts -----------------------------------------------------------------------------------------


def _alerts_page(request: HttpRequest, *, bound=None, status: int = 200) -> HttpResponse:
    user = request.user
    bound = bound or {}
    wanted = request.GET.get("status", AlertStatus.OPEN if "status" not in request.GET else "").strip()
    if wanted not in AlertStatus.values:
        wanted = ""
    page = Paginator(selectors.alerts(user=user, status=wanted), PAGE).get_page(request.GET.get("page"))
    rows = []
    for alert in page.object_list:
        may = services.is_origin(user, alert.journey) or _is_inspector(user, alert.journey)
        form = bound.get(alert.pk) or (forms.ResolveForm(prefix=f"a{alert.pk}")
                                      if may and alert.status == AlertStatus.OPEN else None)
        rows.append({"alert": alert, "label": FIELD_LABELS.get(alert.field, alert.field), "form": form, "errors": bound.get(("errors", alert.pk), [])})
    errors = [e for key, value in bound.items() if isinstance(key, tuple) for e in value]
    context = {"page": page, "rows": rows, "status_filter": wanted, "statuses": AlertStatus.choices, "errors": errors}
    return render(request, "deployment/alerts.html", context, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def alerts(request: HttpRequest) -> HttpResponse:
    """Differences between locked contracts and what is declared at destination, for the origin authority and the
    labour inspectorate (and the destination ministry, to read)."""
    _require_office(request.user, ALERT_ROLES)
    return _alerts_page(request)


@data_category(Category.WAGE)
@login_required
@require_POST
def alert_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request.user, ALERT_ROLES)
    alert = selectors.alert_get(user=request.user, pk=pk)
    form = forms.ResolveForm(request.POST, prefix=f"a{alert.pk}")
    if not form.is_valid():
        return _alerts_page(request, bound={alert.pk: form}, status=422)
    try:
        services.alert_resolve(actor=request.user, alert=alert, resolution=form.cleaned_data["resolution"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        others = _split(form, exc)
        return _alerts_page(request, bound={alert.pk: form, ("errors", alert.pk): others}, status=form_status(exc))
    messages.success(request, _("Alert resolved. The resolution is recorded."))
    return redirect(reverse("deployment:alerts") + "?" + urlencode({"status": AlertStatus.OPEN}))
