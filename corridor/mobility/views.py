"""Pages of the change of employer: the worker's own (phone first: the grace clock, the openings they may apply to, their
applications, the completion of the move), the employer's (its openings, the applications received, accept or decline)
and the authorities' list of workers changing employer with the end of their grace period.

Openings show pay terms (wage data) and applications hold the cause of a change (complaint data): those pages are
closed to immigration officers. The list of changes in progress shows identity and the lawful-stay date only, so the
immigration authority sees it too. Selectors and services raise NotFound or Forbidden, which become the 404 or 403
page; any other refusal is shown beside the field it names (422, or 409). Every form that succeeds redirects.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.contracts import services as contracts
from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.views import data_category, form_status
from corridor.mobility import forms, selectors, services
from corridor.mobility.models import ApplicationStatus, OpeningStatus
from corridor.selection.services import is_ministry
from corridor.workers import selectors as worker_selectors

EMPLOYER_PAGE_ROLES = frozenset({Role.EMPLOYER, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.PLATFORM_ADMIN})



def _own_worker(request: HttpRequest):
    if Role.WORKER not in roles_of(request.user):
        raise Forbidden(_("This page is for workers: it shows their own change of employer."))
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet. Register your profile first (My profile)."))
    return worker


# --- index -------------------------------------------------------------------------------------------------------


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    if Role.WORKER in roles:
        return redirect("mobility:me")
    if Role.EMPLOYER in roles:
        return redirect("mobility:employer")
    if roles & selectors.OFFICIAL_ROLES:
        return redirect("mobility:changes")
    raise Forbidden(_("The change of employer concerns workers, employers and the authorities of a programme."))


# --- the worker's page -------------------------------------------------------------------------------------------


def _me_page(request: HttpRequest, worker, *, bound=None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    user = request.user
    employer_caused = request.GET.get("employer_caused", "") in ("1", "on", "true", "yes")
    blocks = []
    for journey in selectors.current_journeys(worker):
        programme = journey.placement.job_order.programme
        rules = selectors.change_rules(programme)
        openings = list(selectors.openings_for_worker(user=user, journey=journey, employer_caused=employer_caused))
        blocks.append({
            "journey": journey, "programme": programme, "policy": rules.policy, "max_changes": rules.max_changes,
            "grace_days": rules.grace_period_days, "grace": selectors.grace(journey),
            "release": selectors.released(journey), "counted": selectors.changes_counted(journey),
            "openings": [{"opening": o, "left": selectors.positions_left(o),
                          "form": bound.get(("apply", o.pk)) or forms.ApplyForm(prefix=f"a{o.pk}")} for o in openings],
        })
    applications = []
    for a in selectors.application_list(user=user).filter(worker=worker):
        applications.append({"application": a, "contract_in_force": a.contract_in_force,
                             "withdraw": a.status in (ApplicationStatus.APPLIED, ApplicationStatus.ACCEPTED),
                             "complete": a.status == ApplicationStatus.ACCEPTED and a.contract_in_force,
                             "errors": bound.get(("application", a.pk), [])})
    context = {"worker": worker, "blocks": blocks, "applications": applications, "employer_caused": employer_caused}
    return render(request, "mobility/me.html", context, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The worker's change of employer: the grace clock, the openings they may apply to, their applications."""
    return _me_page(request, _own_worker(request))


@data_category(Category.COMPLAINT)
@login_required
@require_POST
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _own_worker(request)
    opening = selectors.opening_get(user=request.user, pk=pk)
    form = forms.ApplyForm(request.POST, prefix=f"a{opening.pk}")
    if form.is_valid():
        try:
            services.application_create(actor=request.user, opening=opening, cause=form.cleaned_data["cause"],
                                        message=form.cleaned_data["message"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _me_page(request, worker, bound={("apply", opening.pk): form}, status=form_status(exc))
        messages.success(request, _("Your application is sent. The employer answers here; nobody asks your current "
                                    "employer."))
        return redirect(reverse("mobility:me") + "#applications")
    return _me_page(request, worker, bound={("apply", opening.pk): form}, status=422)


def _application_action(request: HttpRequest, pk: int, call, done: str) -> HttpResponse:
    """A worker's or an employer's action on one application; refusals shown on the page the actor came from."""
    application = selectors.application_get(user=request.user, pk=pk)
    is_worker = contracts.is_worker(request.user, application.worker)
    try:
        call(application)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        if is_worker:
            return _me_page(request, _own_worker(request), bound={("application", pk): exc.as_errors()},
                            status=form_status(exc))
        return _employer_page(request, bound={("application", pk): exc.as_errors()}, status=form_status(exc))
    messages.success(request, done)
    if is_worker:
        return redirect(reverse("mobility:me") + "#applications")
    return redirect(reverse("mobility:employer") + f"#application-{pk}")


@data_category(Category.COMPLAINT)
@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_action(
        request, pk, lambda a: services.application_withdraw(actor=request.user, application=a,
                                                             reason=request.POST.get("reason", "")),
        _("Your application is withdrawn."))


@data_category(Category.COMPLAINT)
@login_required
@require_POST
def complete(request: HttpRequest, pk: int) -> HttpResponse:
    form = forms.CompleteForm(request.POST, prefix=f"m{pk}")
    data = form.cleaned_data if form.is_valid() else {}
    return _application_action(
        request, pk, lambda a: services.move_complete(
            actor=request.user, application=a, welfare_contact_name=data.get("welfare_contact_name"),
            welfare_contact_phone=data.get("welfare_contact_phone")),
        _("The move is complete: the worker now works for the new employer."))


# --- the employer's page -----------------------------------------------------------------------------------------


def _employer_page(request: HttpRequest, *, bound=None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    user = request.user
    roles = roles_of(user)
    if not roles & EMPLOYER_PAGE_ROLES:
        if Role.WORKER in roles:
            raise Forbidden(_("Workers find openings on the page “Change employer”."))
        raise Forbidden(_("This page is for employers and the destination ministry."))
    is_employer = Role.EMPLOYER in roles
    orders = []
    if is_employer:
        orders = selectors.orders_to_open(user=user)
    openings = []
    for o in selectors.opening_list(user=user).order_by("status", "ends_on", "pk")[:200]:
        may_close = o.status == OpeningStatus.OPEN and (contracts.is_employer_of(user, o.job_order)
                                                        or is_ministry(user, o.job_order.programme))
        openings.append({"opening": o, "left": selectors.positions_left(o),
                         "close": (bound.get(("close", o.pk)) or forms.CloseForm(prefix=f"c{o.pk}")) if may_close else None})
    received = []
    for a in selectors.application_list(user=user)[:200]:
        mine = contracts.is_employer_of(user, a.opening.job_order)
        contract = a.contract_in_force
        received.append({
            "application": a, "mine": mine, "show_cause": selectors.may_see_cause(user, a),
            "decline": (bound.get(("decline", a.pk)) or forms.ReasonForm(prefix=f"d{a.pk}"))
            if mine and a.status == ApplicationStatus.APPLIED else None,
            "complete": forms.CompleteForm(prefix=f"m{a.pk}") if mine and a.status == ApplicationStatus.ACCEPTED and contract else None,
            "waiting_contract": a.status == ApplicationStatus.ACCEPTED and not contract,
            "errors": bound.get(("application", a.pk), []),
        })
    create = bound.get("create") or (forms.OpeningForm(orders=orders) if orders else None)
    context = {"openings": openings, "received": received, "create": create, "is_employer": is_employer}
    return render(request, "mobility/employer.html", context, status=status)


@data_category(Category.WAGE)
@login_required
@require_http_methods(["GET", "POST"])
def employer(request: HttpRequest) -> HttpResponse:
    """The employer's openings and the applications it received; the destination ministry sees and closes openings."""
    if request.method == "GET":
        return _employer_page(request)
    if Role.EMPLOYER not in roles_of(request.user):
        raise Forbidden(_("Only an employer opens its job orders to workers changing employer."))
    orders = selectors.orders_to_open(user=request.user)
    form = forms.OpeningForm(request.POST, orders=orders)
    if not form.is_valid():
        return _employer_page(request, bound={"create": form}, status=422)
    order = next(o for o in orders if str(o.pk) == form.cleaned_data["job_order"])
    try:
        services.opening_create(actor=request.user, job_order=order, positions=form.cleaned_data["positions"],
                                ends_on=form.cleaned_data["ends_on"], note=form.cleaned_data["note"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.add_service_errors(exc.as_errors())
        return _employer_page(request, bound={"create": form}, status=form_status(exc))
    messages.success(request, _("The job order is open to workers changing employer."))
    return redirect("mobility:employer")


@data_category(Category.WAGE)
@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    opening = selectors.opening_get(user=request.user, pk=pk)
    form = forms.CloseForm(request.POST, prefix=f"c{opening.pk}")
    if not form.is_valid():
        return _employer_page(request, bound={("close", opening.pk): form}, status=422)
    try:
        services.opening_close(actor=request.user, opening=opening, reason=form.cleaned_data["reason"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.add_service_errors(exc.as_errors())
        return _employer_page(request, bound={("close", opening.pk): form}, status=form_status(exc))
    messages.success(request, _("The opening is closed."))
    return redirect("mobility:employer")


@data_category(Category.COMPLAINT)
@login_required
@require_POST
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _application_action(
        request, pk, lambda a: services.application_accept(actor=request.user, application=a),
        _("Accepted. The contract is drafted: sign it on the contract pages; the origin authority then approves it and "
          "the worker accepts it."))


@data_category(Category.COMPLAINT)
@login_required
@require_POST
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    application = selectors.application_get(user=request.user, pk=pk)
    form = forms.ReasonForm(request.POST, prefix=f"d{application.pk}")
    if not form.is_valid():
        return _employer_page(request, bound={("decline", pk): form}, status=422)
    try:
        services.application_decline(actor=request.user, application=application, reason=form.cleaned_data["reason"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.add_service_errors(exc.as_errors())
        return _employer_page(request, bound={("decline", pk): form}, status=form_status(exc))
    messages.success(request, _("Declined. The worker reads your reason."))
    return redirect("mobility:employer")


# --- the authorities' list ---------------------------------------------------------------------------------------


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def changes(request: HttpRequest) -> HttpResponse:
    """Workers changing employer, each with the date until which the stay stays lawful (soonest first)."""
    if not roles_of(request.user) & selectors.OFFICIAL_ROLES:
        raise Forbidden(_("This list is for the authorities of the programme."))
    rows = selectors.changes_in_progress(user=request.user)
    return render(request, "mobility/changes.html", {"rows": rows})
