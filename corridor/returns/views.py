"""Pages of the end of the stay (docs/returns.md):

- /returns/ (worker identity): the origin authority's returns and overdue journeys, and its form to register one;
  workers are sent to their own page and immigration officers to the overstay flags (all they may see here);
- /returns/me/ (wage data; phone first): the worker's return, payouts to confirm, the evaluation of the employer,
  the employer's evaluation of them with their answer, and any overstay prompt in protective words;
- /returns/payouts/ (wage data): payouts, and the form to record one (employer, origin authority, ministry);
- /returns/overstay/ (permit data): overstay flags and their resolution (immigration, ministry, origin authority);
- /returns/evaluations/ (complaint data): the employer's aggregate and its evaluations of workers; officials' lists;
- /returns/retaliation/ (complaint data): possible-retaliation flags for the labour inspectorate and the ministry.

Selectors and services raise NotFound or Forbidden, which become the 404 or 403 page; any other refusal is shown
beside the field it names (422, or 409). Every form that succeeds redirects.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.contracts import services as contracts
from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.views import data_category, form_status, id_param
from corridor.deployment import journey as path
from corridor.deployment import selectors as journey_selectors
from corridor.deployment import services as dp
from corridor.returns import forms, selectors, services
from corridor.returns.models import FlagStatus, PayoutStatus, RetaliationStatus
from corridor.selection.services import is_ministry
from corridor.workers import selectors as worker_selectors

PAGE = 50
OFFICIALS = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER,
                       Role.LABOUR_INSPECTOR})




def _journey_param(request: HttpRequest):
    pk = id_param(request.GET.get("journey") or request.POST.get("journey"))
    if pk is None:
        raise NotFound(_("Choose the worker's journey first."), field="journey")
    return journey_selectors.journey_get(user=request.user, pk=pk)


def _try(form, call) -> tuple[object | None, int]:
    """Run `call()`; a refusal other than 403/404 goes beside the form's fields. (result, status)."""
    try:
        return call(), 200
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.add_service_errors(exc.as_errors())
        return None, form_status(exc)


# --- the origin authority's returns ------------------------------------------------------------------------------


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Registered returns and journeys overdue for a return, for the origin authority and the authorities."""
    roles = roles_of(request.user)
    if Role.WORKER in roles and not roles & OFFICIALS:
        return redirect("returns:me")
    if Role.IMMIGRATION_OFFICER in roles and not roles & OFFICIALS:
        return redirect("returns:overstay")
    if Role.EMPLOYER in roles and not roles & OFFICIALS:
        return redirect("returns:evaluations")
    if not roles & OFFICIALS:
        raise Forbidden(_("Returns are seen by the worker and the authorities of the programme."))
    page = Paginator(selectors.returns(user=request.user), PAGE).get_page(request.GET.get("page"))
    overdue = list(selectors.overdue(user=request.user)[:PAGE])
    return render(request, "returns/index.html", {"page": page, "overdue": overdue})


def _register_page(request, journey, form, status=200):
    context = {"journey": journey, "form": form, "order": journey.placement.job_order,
               "contract_end": services.contract_end(journey), "date_known": journey.state == path.RETURNED}
    return render(request, "returns/register.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """The origin authority registers a return: the date, the evidence and, when early, the reason."""
    journey = _journey_param(request)
    if not dp.is_origin(request.user, journey):
        raise Forbidden(_("Only the worker's origin authority registers the return."))
    date_known = journey.state == path.RETURNED
    if request.method == "GET":
        return _register_page(request, journey, forms.ReturnForm(date_known=date_known))
    form = forms.ReturnForm(request.POST, request.FILES, date_known=date_known)
    if not form.is_valid():
        return _register_page(request, journey, form, 422)
    data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    if date_known:
        call = lambda: services.return_details_add(actor=request.user, journey=journey, **data)  # noqa: E731
    else:
        data.setdefault("returned_on", "")
        call = lambda: services.return_register(actor=request.user, journey=journey, **data)  # noqa: E731
    record, status = _try(form, call)
    if record is None:
        return _register_page(request, journey, form, status)
    messages.success(request, _("The return is registered. %(why)s") % {"why": record.explanation})
    return redirect("returns:detail", pk=record.pk)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.return_get(user=request.user, pk=pk)
    return render(request, "returns/detail.html", {"record": record, "journey": record.journey})


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file of a return, to those who may see the return only."""
    record = selectors.return_get(user=request.user, pk=pk)
    if not record.evidence_file:
        raise NotFound(_("This return has no evidence file."))
    response = FileResponse(record.evidence_file.open("rb"), content_type=record.evidence_content_type)
    response["Content-Disposition"] = f'inline; filename="return-{record.journey_id}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- the worker's page -------------------------------------------------------------------------------------------


def _own_worker(request: HttpRequest):
    if Role.WORKER not in roles_of(request.user):
        raise Forbidden(_("This page is for workers: it shows their own return."))
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet. Register your profile first (My profile)."))
    return worker


def _me_page(request: HttpRequest, bound: dict | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    user = request.user
    worker = _own_worker(request)
    cards = []
    for journey in journey_selectors.journeys_of_worker(user=user, worker=worker):
        if journey.departed_on is None:
            continue
        payouts = []
        for p in selectors.payouts(user=user, journey=journey):
            form = bound.get(("payout", p.pk)) or (forms.PayoutAnswerForm(prefix=f"p{p.pk}")
                                                   if p.status == PayoutStatus.RECORDED else None)
            payouts.append({"payout": p, "form": form})
        mine = selectors.employer_evaluations(user=user, journey=journey).first()
        theirs = selectors.worker_evaluations(user=user, journey=journey).first()
        closed = services.evaluation_window(journey)
        cards.append({
            "journey": journey, "order": journey.placement.job_order,
            "record": selectors.return_of(user=user, journey=journey),
            "flag": selectors.overstay_flags(user=user).filter(journey=journey, status=FlagStatus.OPEN).first(),
            "payouts": payouts, "my_evaluation": mine, "closed": closed,
            "evaluation_form": None if mine or closed else (
                bound.get(("evaluate", journey.pk)) or forms.EmployerEvaluationForm(prefix=f"e{journey.pk}")),
            "their_evaluation": theirs,
            "response_form": (bound.get(("respond", theirs.pk)) or forms.ResponseForm(prefix=f"r{theirs.pk}"))
            if theirs and not theirs.worker_response else None,
        })
    return render(request, "returns/me.html", {"worker": worker, "cards": cards}, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    return _me_page(request)


@data_category(Category.WAGE)
@login_required
@require_POST
def payout_answer(request: HttpRequest, pk: int) -> HttpResponse:
    payout = selectors.payout_get(user=request.user, pk=pk)
    form = forms.PayoutAnswerForm(request.POST, prefix=f"p{payout.pk}")
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    result, status = _try(form, lambda: services.payout_confirm(actor=request.user, payout=payout,
                                                                received=data.get("received", ""),
                                                                note=data.get("note", "")))
    if result is None:
        return _me_page(request, {("payout", payout.pk): form}, status)
    if result.status == PayoutStatus.NOT_RECEIVED:
        messages.warning(request, _("Thank you. The labour inspectorate and your origin authority are told that you "
                                    "did not receive it."))
    else:
        messages.success(request, _("Thank you, your answer is recorded."))
    return redirect(reverse("returns:me") + f"#journey-{payout.journey_id}")


@data_category(Category.COMPLAINT)
@login_required
@require_POST
def evaluate_employer(request: HttpRequest, pk: int) -> HttpResponse:
    """The worker evaluates the employer of one journey (from their page)."""
    journey = journey_selectors.journey_get(user=request.user, pk=pk)
    form = forms.EmployerEvaluationForm(request.POST, prefix=f"e{journey.pk}")
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    result, status = _try(form, lambda: services.employer_evaluate(actor=request.user, journey=journey, **data))
    if result is None:
        return _me_page(request, {("evaluate", journey.pk): form}, status)
    messages.success(request, _("Thank you. Your employer never sees your evaluation with your name."))
    return redirect(reverse("returns:me") + f"#journey-{journey.pk}")


@data_category(Category.COMPLAINT)
@login_required
@require_POST
def respond(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = selectors.worker_evaluation_get(user=request.user, pk=pk)
    form = forms.ResponseForm(request.POST, prefix=f"r{evaluation.pk}")
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    result, status = _try(form, lambda: services.evaluation_respond(actor=request.user, evaluation=evaluation,
                                                                    response=data.get("response", "")))
    if result is None:
        return _me_page(request, {("respond", evaluation.pk): form}, status)
    messages.success(request, _("Your answer is recorded with the evaluation."))
    return redirect(reverse("returns:me") + f"#journey-{evaluation.journey_id}")


# --- payouts -----------------------------------------------------------------------------------------------------


def _may_record_payout(user, journey) -> bool:
    return dp.is_employer(user, journey) or dp.is_origin(user, journey) or is_ministry(
        user, journey.placement.job_order.programme)


@data_category(Category.WAGE)
@login_required
@require_http_methods(["GET", "POST"])
def payouts(request: HttpRequest) -> HttpResponse:
    """Payouts the user may see (filter by status); with ?journey=N, the form to record one for that journey."""
    user = request.user
    roles = roles_of(user)
    if Role.WORKER in roles and not roles & (OFFICIALS | {Role.EMPLOYER}):
        return redirect("returns:me")
    if not roles & (OFFICIALS | {Role.EMPLOYER}):
        raise Forbidden(_("Payouts are seen by the worker, the employer and the authorities of the programme."))
    journey = _journey_param(request) if (request.GET.get("journey") or request.method == "POST") else None
    form, status = None, 200
    if journey is not None:
        if not _may_record_payout(user, journey):
            raise Forbidden(_("Only the employer, the worker's origin authority or the ministry records payouts."))
        if request.method == "POST":
            form = forms.PayoutForm(request.POST)
            form.is_valid()
            data = getattr(form, "cleaned_data", {})
            payout, status = _try(form, lambda: services.payout_record(actor=user, journey=journey, **data))
            if payout is not None:
                messages.success(request, _("The payout is recorded; the worker is asked to confirm receipt."))
                return redirect(reverse("returns:payouts") + f"?journey={journey.pk}")
        else:
            contract = contracts.in_force(journey.placement)
            pay = (contract.content.get("pay") if contract is not None else None) or {}
            form = forms.PayoutForm(initial={"currency": pay.get("currency", "")})
    state = request.GET.get("status", "")
    state = state if state in PayoutStatus.values else ""
    page = Paginator(selectors.payouts(user=user, journey=journey, status=state), PAGE).get_page(
        request.GET.get("page"))
    context = {"page": page, "journey": journey, "form": form, "status": state, "statuses": PayoutStatus.choices}
    return render(request, "returns/payouts.html", context, status=status)


# --- overstay flags ----------------------------------------------------------------------------------------------


@data_category(Category.PERMIT)
@login_required
@require_GET
def overstay(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("status", FlagStatus.OPEN)
    state = state if state in FlagStatus.values else ""
    page = Paginator(selectors.overstay_flags(user=request.user, status=state), PAGE).get_page(request.GET.get("page"))
    return render(request, "returns/overstay.html", {"page": page, "status": state})


@data_category(Category.PERMIT)
@login_required
@require_http_methods(["GET", "POST"])
def overstay_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.overstay_flag_get(user=request.user, pk=pk)
    status = 200
    form = forms.ResolveForm(request.POST or None)
    if request.method == "POST":
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        result, status = _try(form, lambda: services.overstay_flag_resolve(
            actor=request.user, flag=flag, resolution=data.get("resolution", ""), note=data.get("note", "")))
        if result is not None:
            messages.success(request, _("The flag is resolved."))
            return redirect("returns:overstay_detail", pk=flag.pk)
    journey = flag.journey
    may_resolve = flag.status == FlagStatus.OPEN and not contracts.is_worker(request.user, journey.worker)
    context = {"flag": flag, "journey": journey, "form": form if may_resolve else None,
               "grace_until": services.grace_until(journey)}
    return render(request, "returns/overstay_detail.html", context, status=status)


# --- evaluations -------------------------------------------------------------------------------------------------


@data_category(Category.COMPLAINT)
@login_required
@require_http_methods(["GET", "POST"])
def evaluations(request: HttpRequest) -> HttpResponse:
    """The employer: the aggregate of workers' evaluations of it (at least 3), its evaluations of workers and, with
    ?journey=N, the form to evaluate that worker. Officials: the evaluations of their remit."""
    user = request.user
    roles = roles_of(user)
    if Role.WORKER in roles and not roles & (OFFICIALS | {Role.EMPLOYER}):
        return redirect("returns:me")
    if not roles & (OFFICIALS | {Role.EMPLOYER}):
        raise Forbidden(_("Evaluations are seen by the worker, the employer and the authorities of the programme."))
    journey = _journey_param(request) if (request.GET.get("journey") or request.method == "POST") else None
    form, status = None, 200
    if journey is not None:
        if not dp.is_employer(user, journey):
            raise Forbidden(_("Only the worker's employer evaluates the worker."))
        form = forms.WorkerEvaluationForm(request.POST or None)
        if request.method == "POST":
            form.is_valid()
            data = getattr(form, "cleaned_data", {})
            result, status = _try(form, lambda: services.worker_evaluate(actor=user, journey=journey, **data))
            if result is not None:
                messages.success(request, _("Your evaluation is recorded; the worker sees it and may answer."))
                return redirect("returns:evaluations")
    aggregate = None
    if Role.EMPLOYER in roles:
        try:
            aggregate = selectors.aggregate_for(user=user)
        except NotFound:
            aggregate = None
    to_evaluate = []
    if Role.EMPLOYER in roles:
        done = set(selectors.worker_evaluations(user=user).values_list("journey_id", flat=True))
        for j in journey_selectors.journey_list(user=user).filter(
                state__in=[path.RETURNED, path.MOVED, path.TRAVELLED, path.EMPLOYED, path.CHANGING_EMPLOYER])[:200]:
            if j.pk not in done and dp.is_employer(user, j) and not services.evaluation_window(j):
                to_evaluate.append(j)
    context = {
        "journey": journey, "form": form, "aggregate": aggregate, "to_evaluate": to_evaluate,
        "of_workers": Paginator(selectors.worker_evaluations(user=user), PAGE).get_page(request.GET.get("page")),
        "of_employers": list(selectors.employer_evaluations(user=user)[:PAGE]) if roles & OFFICIALS else [],
    }
    return render(request, "returns/evaluations.html", context, status=status)


# --- retaliation flags -------------------------------------------------------------------------------------------


@data_category(Category.COMPLAINT)
@login_required
@require_http_methods(["GET", "POST"])
def retaliation(request: HttpRequest) -> HttpResponse:
    """Possible-retaliation flags, and the scan of a round (the ministry, the labour inspectorate)."""
    user = request.user
    rounds = selectors.rounds_to_scan(user=user)
    form = forms.ScanForm(request.POST or None, rounds=rounds)
    status = 200
    if request.method == "POST":
        form.is_valid()
        pk = id_param(getattr(form, "cleaned_data", {}).get("round"))
        rnd = next((r for r in rounds if r.pk == pk), None)
        if rnd is None:
            form.add_error("round", _("Choose a round."))
            status = 422
        else:
            found, status = _try(form, lambda: services.retaliation_scan(actor=user, rnd=rnd))
            if found is not None:
                messages.success(request, _("Scan done: %(n)d new flag(s).") % {"n": len(found)})
                return redirect("returns:retaliation")
    state = request.GET.get("status", RetaliationStatus.OPEN)
    state = state if state in RetaliationStatus.values else ""
    page = Paginator(selectors.retaliation_flags(user=user, status=state), PAGE).get_page(request.GET.get("page"))
    return render(request, "returns/retaliation.html", {"page": page, "status": state, "form": form if rounds else None},
                  status=status)


@data_category(Category.COMPLAINT)
@login_required
@require_http_methods(["GET", "POST"])
def retaliation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    flag = selectors.retaliation_flag_get(user=request.user, pk=pk)
    form = forms.DecideForm(request.POST or None)
    status = 200
    if request.method == "POST":
        form.is_valid()
        data = getattr(form, "cleaned_data", {})
        result, status = _try(form, lambda: services.retaliation_decide(
            actor=request.user, flag=flag, decision=data.get("decision", ""), reason=data.get("reason", "")))
        if result is not None:
            messages.success(request, _("The decision is recorded."))
            return redirect("returns:retaliation_detail", pk=flag.pk)
    may_decide = flag.status == RetaliationStatus.OPEN and services.is_inspector(request.user, flag.programme)
    return render(request, "returns/retaliation_detail.html",
                  {"flag": flag, "form": form if may_decide else None}, status=status)
