"""Pages of selection: rounds, runs and appeals for officials; ranking, recall offers, outcomes and appeals for workers
(phone first); recall nominations and shortlists for employers; seasons and skills tests for origin authorities.

Selectors and services raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page; any other
refusal of a service is shown beside the field it names (422, or 409 when the state of the round forbids it). Every
form that succeeds redirects (post, redirect, get).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from corridor.accounts.models import OrgKind
from corridor.core.access import Category, Role, organisation_of, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.views import data_category
from corridor.employers import selectors as employer_selectors
from corridor.joborders import selectors as joborder_selectors
from corridor.programmes import selectors as programme_selectors
from corridor.programmes.rulebook import RuleSet, SelectionMode
from corridor.reference import codes
from corridor.selection import explain, forms, selectors, services
from corridor.selection.models import AppealStatus, NominationStatus, PickStatus, RoundStatus, RunStatus
from corridor.workers import selectors as worker_selectors
from corridor.workers.models import Sex

PAGE = 100
# Who reads the rounds pages: officials of programmes and employers. Workers have their own page (selection:me).
ROUND_READERS = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER, Role.EMPLOYER})


# --- helpers -----------------------------------------------------------------------------------------------------


def _status(exc: DomainError) -> int:
    """422 for invalid input, 409 when the state of things forbids the step (a closed round, a run in progress)."""
    return exc.status if exc.status in (409, 422, 429) else 422


def _is_official(user, programme) -> bool:
    """The destination ministry of the programme, or an origin authority competent for one of its corridors."""
    return services.is_ministry(user, programme) or bool(services.origin_country_of(user, programme))


def _is_employer(user) -> bool:
    return Role.EMPLOYER in roles_of(user) and organisation_of(user) is not None


def _origin_officer_for(user, country: str) -> bool:
    org = organisation_of(user)
    return bool(Role.ORIGIN_OFFICER in roles_of(user) and org is not None and org.kind == OrgKind.ORIGIN_AUTHORITY
                and org.country == country)


def _require_round_reader(user) -> None:
    if not roles_of(user) & ROUND_READERS:
        raise Forbidden(_("Selection rounds are run by programme officials; workers follow their own selection on "
                          "the page “My selection”."))


def _require_official_or_employer(user, rnd) -> None:
    if not (_is_official(user, rnd.programme) or _is_employer(user)):
        raise Forbidden(_("Only the officials of this programme and its employers see this round."))


def _require_official(user, rnd) -> None:
    if not _is_official(user, rnd.programme):
        raise Forbidden(_("Only the destination ministry and the origin authorities of this programme see this."))


def _country(code: str) -> str:
    return codes.country_name(code) or code if code else _("Every corridor")


def _place(order) -> str:
    site = order.worksite
    country = codes.country_name(site.country) or site.country
    return f"{site.region}, {country}" if site.region else country


def _order_label(order, remaining: int | None = None) -> str:
    """Everything a worker needs to choose, in one line of a select box."""
    text = _("%(title)s — %(employer)s, %(place)s; %(wage)s %(currency)s %(unit)s; %(start)s to %(end)s") % {
        "title": order.title, "employer": order.employer.organisation.name, "place": _place(order),
        "wage": order.wage_amount, "currency": order.wage_currency, "unit": order.get_wage_unit_display(),
        "start": order.start_date.isoformat(), "end": order.end_date.isoformat(),
    }
    if remaining is not None:
        text += "; " + ngettext("%(n)d position left", "%(n)d positions left", remaining) % {"n": remaining}
    return text


def _max_preferences(programme) -> int:
    version = programme_selectors.rule_version_in_force(programme=programme)
    if version is None:
        return 10
    return RuleSet.model_validate(version.rules).selection.max_preferences


def _sex_label(key: str) -> str:
    return str(dict(Sex.choices).get(key, key)) if key else _("Not recorded")


def _page(request: HttpRequest, items, name: str = "page"):
    return Paginator(items, PAGE).get_page(request.GET.get(name))


# --- rounds ------------------------------------------------------------------------------------------------------


def _open_form(request: HttpRequest, data=None):
    """The form to open a round, or None when the user may open none."""
    programmes = selectors.programmes_for_rounds(user=request.user)
    if not programmes:
        return None
    origins: dict[str, str] = {}
    admin = False
    for programme in programmes:
        if services.is_programme_admin(request.user, programme):
            admin = True
            countries = [c.origin_country for c in
                         programme_selectors.corridor_list(user=request.user, programme=programme).filter(is_active=True)]
        else:  # an origin authority opens rounds for its own corridor only
            countries = [services.origin_country_of(request.user, programme)]
        for code in countries:
            origins.setdefault(code, codes.country_name(code) or code)
    return forms.RoundCreateForm(data, programmes=programmes, origins=sorted(origins.items()), every_corridor=admin)


def _rounds_page(request: HttpRequest, *, form=None, status: int = 200) -> HttpResponse:
    status_filter = request.GET.get("status", "").strip()
    if status_filter not in RoundStatus.values:
        status_filter = ""
    rounds = _page(request, selectors.round_list(user=request.user, status=status_filter))
    rows = [{"round": r, "corridor": _country(r.origin_country), "may_run": selectors.may_run(user=request.user, rnd=r)}
            for r in rounds.object_list]
    context = {
        "page": rounds, "rows": rows, "status_filter": status_filter, "statuses": RoundStatus.choices,
        "form": form if form is not None else _open_form(request),
    }
    return render(request, "selection/rounds.html", context, status=status)


@data_category(Category.PROGRAMME)
@login_required
@require_GET
def rounds(request: HttpRequest) -> HttpResponse:
    """Selection rounds, newest first, and the form to open one for those allowed."""
    _require_round_reader(request.user)
    return _rounds_page(request)


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def round_create(request: HttpRequest) -> HttpResponse:
    _require_round_reader(request.user)
    form = _open_form(request, request.POST)
    if form is None:
        raise Forbidden(_("Only programme administrators and origin authorities open selection rounds."))
    if form.is_valid():
        data = form.cleaned_data
        try:
            programme = programme_selectors.programme_get(user=request.user, code=data["programme"])
            rnd = services.round_create(actor=request.user, programme=programme, origin_country=data["origin_country"],
                                        title=data["title"], preferences_close_on=data["preferences_close_on"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _rounds_page(request, form=form, status=_status(exc))
        messages.success(request, _("Round opened. Its lottery seed is published: %(seed)s") % {"seed": rnd.seed})
        return redirect("selection:round", pk=rnd.pk)
    return _rounds_page(request, form=form, status=422)


def _round_page(request: HttpRequest, rnd, *, publish_form=None, close_form=None, run_errors=(), status: int = 200):
    user = request.user
    official = _is_official(user, rnd.programme)
    may_run = selectors.may_run(user=user, rnd=rnd)
    published = selectors.published_run(rnd=rnd)
    orders = _page(request, selectors.round_job_orders(rnd=rnd))
    runs = list(selectors.run_list(user=user, rnd=rnd))
    is_open = rnd.status == RoundStatus.OPEN
    context = {
        "round": rnd,
        "corridor": _country(rnd.origin_country),
        "official": official,
        "employer": _is_employer(user),
        "may_run": may_run and is_open,
        "published": published,
        "orders": orders,
        "rows": [{**row, "place": _place(row["order"])} for row in orders.object_list],
        "ranked": selectors.ranked_count(user=user, rnd=rnd) if official else None,
        "runs": runs,
        "open_appeals": selectors.open_appeals(rnd=rnd) if official else 0,
        "publish_form": publish_form or forms.PublishForm(),
        "close_form": close_form or forms.CloseRoundForm(),
        "run_errors": list(run_errors),
        "rerun": published is not None,
    }
    return render(request, "selection/round.html", context, status=status)


@data_category(Category.PROGRAMME)
@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A round: its published seed, job orders with the positions left, runs, and the steps for those who run it."""
    _require_round_reader(request.user)
    rnd = selectors.round_get(user=request.user, pk=pk)
    _require_official_or_employer(request.user, rnd)
    return _round_page(request, rnd)


def _run(request: HttpRequest, pk: int, *, publish: bool) -> HttpResponse:
    _require_round_reader(request.user)
    rnd = selectors.round_get(user=request.user, pk=pk)
    _require_official(request.user, rnd)
    form = forms.PublishForm(request.POST if publish else None)
    reason = form.cleaned_data["reason"] if publish and form.is_valid() else ""
    if publish and form.errors:
        return _round_page(request, rnd, publish_form=form, status=422)
    try:
        run = services.run_round(actor=request.user, rnd=rnd, publish=publish, reason=reason)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        errors = exc.as_errors()
        if publish:
            form.add_service_errors([e for e in errors if e.get("field") == "reason"])
        others = [e for e in errors if not (publish and e.get("field") == "reason")]
        return _round_page(request, rnd, publish_form=form if publish else None, run_errors=others, status=_status(exc))
    if publish:
        messages.success(request, _("The run is published. Every worker who ranked job orders can now see the outcome and why."))
    else:
        messages.success(request, _("Dry run done: nothing is published. Check the figures below before publishing."))
    return redirect("selection:run", pk=run.pk)


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def run_dry(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, publish=False)


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def run_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, publish=True)


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def round_close(request: HttpRequest, pk: int) -> HttpResponse:
    _require_round_reader(request.user)
    rnd = selectors.round_get(user=request.user, pk=pk)
    _require_official(request.user, rnd)
    form = forms.CloseRoundForm(request.POST)
    if not form.is_valid():
        return _round_page(request, rnd, close_form=form, status=422)
    try:
        services.round_close(actor=request.user, rnd=rnd, reason=form.cleaned_data["reason"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        errors = exc.as_errors()
        form.add_service_errors([e for e in errors if e.get("field") == "reason"])
        others = [e for e in errors if e.get("field") != "reason"]
        return _round_page(request, rnd, close_form=form, run_errors=others, status=_status(exc))
    messages.success(request, _("Round closed."))
    return redirect("selection:round", pk=rnd.pk)


# --- runs --------------------------------------------------------------------------------------------------------


def _summary_tables(summary: dict) -> dict:
    by_sex = summary.get("selected_by_sex", {})
    applied = summary.get("applicants_by_sex", {})
    sexes = sorted(set(by_sex) | set(applied))
    history = summary.get("selected_by_history", {})
    return {
        "fill_percent": round(100 * float(summary.get("fill_rate", 0)), 1),
        "by_sex": [{"label": _sex_label(s), "selected": by_sex.get(s, 0), "applicants": applied.get(s, 0)} for s in sexes],
        "by_region": sorted(summary.get("selected_by_region", {}).items(), key=lambda kv: (-kv[1], kv[0])),
        "first_time": history.get("first_time", 0),
        "returning": history.get("returning", 0),
        "unfilled": summary.get("unfilled", []),
    }


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A run: what it was computed from, what it gave (summary and per job order with its cutoff) and, for officials
    and the employer of a job order, the workers selected."""
    _require_round_reader(request.user)
    run = selectors.run_get(user=request.user, pk=pk)
    rnd = run.round
    _require_official_or_employer(request.user, rnd)
    jobs = _page(request, selectors.run_job_orders(run=run))
    job_rows = [{
        "row": r, "place": _place(r.job_order),
        "cutoff": (explain.priority_text(r.cutoff_tier, r.cutoff_points, r.cutoff_lottery) if r.cutoff_tier is not None
                   else _("None: places were left")),
    } for r in jobs.object_list]
    selected = _page(request, selectors.selected_list(user=request.user, run=run), "wpage")
    context = {
        "run": run,
        "round": rnd,
        "corridor": _country(rnd.origin_country),
        "official": _is_official(request.user, rnd.programme),
        "may_run": selectors.may_run(user=request.user, rnd=rnd),
        "shortlist": run.mode == SelectionMode.EMPLOYER_SHORTLIST,
        "summary": run.summary,
        "tables": _summary_tables(run.summary),
        "superseded_by": getattr(run, "superseded_by", None),
        "jobs": jobs,
        "job_rows": job_rows,
        "selected": selected,
    }
    return render(request, "selection/run.html", context)


# --- appeals -----------------------------------------------------------------------------------------------------


def _appeals_page(request: HttpRequest, rnd, *, bound=None, errors=(), status: int = 200) -> HttpResponse:
    may_decide = selectors.may_run(user=request.user, rnd=rnd) and rnd.status == RoundStatus.OPEN
    wanted = request.GET.get("status", "").strip()
    if wanted not in AppealStatus.values:
        wanted = ""
    appeals = _page(request, selectors.appeal_list(user=request.user, rnd=rnd, status=wanted).order_by("-lodged_at", "-pk"))
    rows = []
    for appeal in appeals.object_list:
        form = None
        if may_decide and appeal.status == AppealStatus.LODGED:
            form = bound if bound is not None and bound.appeal_id == appeal.pk else forms.AppealDecideForm(prefix=f"a{appeal.pk}")
        rows.append({"appeal": appeal, "outcome": appeal.outcome, "explanation": selectors.explanation(outcome=appeal.outcome),
                     "shortlist": appeal.outcome.run.mode == SelectionMode.EMPLOYER_SHORTLIST, "form": form})
    context = {"round": rnd, "page": appeals, "rows": rows, "status_filter": wanted, "statuses": AppealStatus.choices,
               "may_decide": may_decide, "errors": list(errors)}
    return render(request, "selection/appeals.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def appeals(request: HttpRequest, pk: int) -> HttpResponse:
    """Appeals against the outcomes of a round, with the outcome explained and the decision form."""
    _require_round_reader(request.user)
    rnd = selectors.round_get(user=request.user, pk=pk)
    _require_official(request.user, rnd)
    return _appeals_page(request, rnd)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def appeal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_round_reader(request.user)
    appeal = selectors.appeal_get(user=request.user, pk=pk)
    rnd = appeal.outcome.run.round
    _require_official(request.user, rnd)
    form = forms.AppealDecideForm(request.POST, prefix=f"a{appeal.pk}")
    form.appeal_id = appeal.pk
    if form.is_valid():
        try:
            services.appeal_decide(actor=request.user, appeal=appeal, upheld=form.cleaned_data["upheld"],
                                   decision=form.cleaned_data["decision"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            others = [e for e in exc.as_errors() if (e.get("field") or "") not in form.fields]
            return _appeals_page(request, rnd, bound=form, errors=others, status=_status(exc))
        messages.success(request, _("Decision recorded. An upheld appeal is put right by correcting the record and re-running the round."))
        return redirect("selection:appeals", pk=rnd.pk)
    return _appeals_page(request, rnd, bound=form, status=422)


# --- the worker's page -------------------------------------------------------------------------------------------


def _own_worker(request: HttpRequest):
    if Role.WORKER not in roles_of(request.user):
        raise Forbidden(_("This page is for workers: it shows their own ranking and outcomes."))
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet. Register your profile first (My profile)."))
    return worker


def _preferences_open(rnd, published) -> bool:
    if rnd.status != RoundStatus.OPEN or published is not None:
        return False
    return rnd.preferences_close_on is None or timezone.localdate() <= rnd.preferences_close_on


def _ranking_choices(worker, rnd, prefs) -> tuple[list[dict], list[tuple[str, str]], int]:
    """The round's job orders for the worker (with the reasons where not eligible), the choices of the select boxes
    and how many boxes to show (at most K, the programme's limit)."""
    rows = [{**r, "place": _place(r["order"])} for r in selectors.rankable_job_orders(rnd=rnd, worker=worker)]
    choices = [(r["order"].reference, _order_label(r["order"], r["remaining"])) for r in rows if not r["reasons"]]
    known = {ref for ref, _label in choices}
    for pref in prefs:  # a ranked job order that is no longer open to the worker stays visible, marked
        if pref.job_order.reference not in known:
            choices.append((pref.job_order.reference, _("%(order)s (no longer open to you)") % {
                "order": f"{pref.job_order.title} — {pref.job_order.employer.organisation.name}"}))
    slots = min(_max_preferences(rnd.programme), max(len(choices), len(prefs)))
    return rows, choices, slots


def _round_block(request: HttpRequest, worker, rnd, bound: dict) -> dict:
    published = selectors.published_run(rnd=rnd)
    prefs = selectors.preferences_of(user=request.user, worker=worker, rnd=rnd)
    block = {"round": rnd, "corridor": _country(rnd.origin_country), "preferences": prefs, "published": published,
             "open": _preferences_open(rnd, published), "errors": bound.get(("withdraw", rnd.pk), [])}
    if not block["open"]:
        return block
    rows, choices, slots = _ranking_choices(worker, rnd, prefs)
    block["eligible"] = [r for r in rows if not r["reasons"]]
    block["ineligible"] = [r for r in rows if r["reasons"]]
    block["max"] = _max_preferences(rnd.programme)
    form = bound.get(("rank", rnd.pk))
    if form is None and slots:
        initial = {f"choice_{p.rank}": p.job_order.reference for p in prefs if p.rank <= slots}
        form = forms.RankingForm(initial=initial, slots=slots, choices=choices, prefix=f"r{rnd.pk}")
    block["form"] = form
    return block


def _outcome_block(request: HttpRequest, outcome, bound: dict) -> dict:
    appeals = list(selectors.appeal_list(user=request.user).filter(outcome=outcome).order_by("lodged_at", "pk"))
    in_force = outcome.run.status == RunStatus.PUBLISHED
    may_appeal = (in_force and outcome.run.round.status == RoundStatus.OPEN
                  and not any(a.status == AppealStatus.LODGED for a in appeals))
    form = bound.get(("appeal", outcome.pk)) or (forms.AppealForm(prefix=f"o{outcome.pk}") if may_appeal else None)
    return {"outcome": outcome, "in_force": in_force, "explanation": selectors.explanation(outcome=outcome),
            "appeals": appeals, "form": form, "shortlist": outcome.run.mode == SelectionMode.EMPLOYER_SHORTLIST}


def _me_page(request: HttpRequest, worker, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    user = request.user
    outcomes = list(selectors.outcomes_of(user=user, worker=worker)[:20])
    nominations = list(selectors.pending_nominations(user=user, worker=worker))
    context = {
        "worker": worker,
        "rounds": [_round_block(request, worker, rnd, bound) for rnd in selectors.worker_rounds(worker=worker)],
        "nominations": [{"nomination": n, "place": _place(n.job_order),
                         "errors": bound.get(("nomination", n.pk), [])} for n in nominations],
        "outcomes": [_outcome_block(request, o, bound) for o in outcomes],
    }
    return render(request, "selection/me.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The worker's selection: rank job orders in open rounds, answer recall offers, see outcomes and appeal."""
    return _me_page(request, _own_worker(request))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def ranking_save(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _own_worker(request)
    rnd = next((r for r in selectors.worker_rounds(worker=worker) if r.pk == pk), None)
    if rnd is None:
        raise NotFound(_("No open round you can take part in has this number."))
    prefs = selectors.preferences_of(user=request.user, worker=worker, rnd=rnd)
    if not _preferences_open(rnd, selectors.published_run(rnd=rnd)):
        return _me_page(request, worker, bound={("withdraw", rnd.pk): [
            {"field": "job_orders", "message": _("Rankings can no longer change in this round.")}]}, status=409)
    _rows, choices, slots = _ranking_choices(worker, rnd, prefs)
    form = forms.RankingForm(request.POST, slots=slots, choices=choices, prefix=f"r{rnd.pk}")
    if form.is_valid():
        chosen, where = form.references()
        try:
            services.preferences_set(actor=request.user, rnd=rnd, worker=worker, job_orders=chosen)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors(), where)
            return _me_page(request, worker, bound={("rank", rnd.pk): form}, status=_status(exc))
        messages.success(request, _("Your ranking is saved. You can change it until the round's results are published."))
        return redirect(reverse("selection:me") + f"#round-{rnd.pk}")
    return _me_page(request, worker, bound={("rank", rnd.pk): form}, status=422)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def ranking_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _own_worker(request)
    rnd = next((r for r in selectors.worker_rounds(worker=worker) if r.pk == pk), None)
    if rnd is None:
        raise NotFound(_("No open round you can take part in has this number."))
    try:
        services.preferences_withdraw(actor=request.user, rnd=rnd, worker=worker)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _me_page(request, worker, bound={("withdraw", rnd.pk): exc.as_errors()}, status=_status(exc))
    messages.success(request, _("You left the round: your ranking is removed."))
    return redirect("selection:me")


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def nomination_answer(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _own_worker(request)
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    if nomination.worker_id != worker.pk:
        raise NotFound(_("No such recall offer for you."))
    answer = request.POST.get("consent", "")
    if answer not in ("yes", "no"):
        return _me_page(request, worker, bound={("nomination", pk): [
            {"field": "consent", "message": _("Choose to accept or to decline.")}]}, status=422)
    try:
        services.nomination_answer(actor=request.user, nomination=nomination, consent=answer == "yes")
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _me_page(request, worker, bound={("nomination", pk): exc.as_errors()}, status=_status(exc))
    if answer == "yes":
        messages.success(request, _("You accepted: you come first for this job order if you also rank it."))
    else:
        messages.success(request, _("You declined. This costs you nothing and the employer is not told why."))
    return redirect("selection:me")


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def appeal_lodge(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _own_worker(request)
    outcome = selectors.outcome_get(user=request.user, pk=pk)
    if outcome.worker_id != worker.pk:
        raise NotFound(_("No such outcome of yours."))
    form = forms.AppealForm(request.POST, prefix=f"o{outcome.pk}")
    if form.is_valid():
        try:
            services.appeal_lodge(actor=request.user, outcome=outcome, grounds=form.cleaned_data["grounds"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _me_page(request, worker, bound={("appeal", outcome.pk): form}, status=_status(exc))
        messages.success(request, _("Your appeal is lodged. The programme administrator decides it and gives reasons."))
        return redirect(reverse("selection:me") + f"#outcome-{outcome.pk}")
    return _me_page(request, worker, bound={("appeal", outcome.pk): form}, status=422)


# --- the employer's part -----------------------------------------------------------------------------------------


def _require_employer(user) -> None:
    if not _is_employer(user):
        raise Forbidden(_("Only employers name workers for recall and choose from shortlists."))


def _employer_page(request: HttpRequest, rnd, *, nominate=None, shortlist_forms=None, row_errors=None,
                   status: int = 200) -> HttpResponse:
    user = request.user
    orders = selectors.employer_job_orders(user=user, rnd=rnd)
    published = selectors.published_run(rnd=rnd)
    open_for_names = _preferences_open(rnd, published)
    shortlists = []
    if published is not None and published.mode == SelectionMode.EMPLOYER_SHORTLIST and orders:
        mine = {o.pk for o in orders}
        for run_job in selectors.run_job_orders(run=published).filter(job_order_id__in=mine):
            candidates = list(selectors.shortlist_for_employer(user=user, run_job=run_job))
            decided = any(c.pick != PickStatus.PENDING for c in candidates)
            form = (shortlist_forms or {}).get(run_job.pk)
            if form is None and candidates and not decided and rnd.status == RoundStatus.OPEN:
                form = forms.ShortlistForm(candidates=[c.worker.public_id for c in candidates], prefix=f"s{run_job.pk}")
            names = {c.worker.public_id: c for c in candidates}
            shortlists.append({"run_job": run_job, "candidates": candidates, "decided": decided, "form": form,
                               "rows": [(names[i], pick, why) for i, pick, why in form.rows()] if form else []})
    context = {
        "round": rnd,
        "corridor": _country(rnd.origin_country),
        "orders": orders,
        "open_for_names": open_for_names,
        "nominate": nominate or (forms.NominationForm(job_orders=orders) if orders and open_for_names else None),
        "nominations": list(selectors.nominations_for_employer(user=user, rnd=rnd)),
        "withdrawable": (NominationStatus.AWAITING, NominationStatus.CONSENTED),
        "row_errors": row_errors or {},
        "published": published,
        "shortlists": shortlists,
    }
    return render(request, "selection/employer.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def employer_round(request: HttpRequest, pk: int) -> HttpResponse:
    """The employer's part in a round: name returning workers for recall, and choose from shortlists."""
    _require_employer(request.user)
    return _employer_page(request, selectors.round_get(user=request.user, pk=pk))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def nominate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_employer(request.user)
    rnd = selectors.round_get(user=request.user, pk=pk)
    orders = selectors.employer_job_orders(user=request.user, rnd=rnd)
    form = forms.NominationForm(request.POST, job_orders=orders)
    if form.is_valid():
        order = next(o for o in orders if str(o.pk) == form.cleaned_data["job_order"])
        try:
            services.nomination_create(actor=request.user, rnd=rnd, job_order=order, worker=form.cleaned_data["worker"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _employer_page(request, rnd, nominate=form, status=_status(exc))
        messages.success(request, _("Worker named. The nomination counts once the worker accepts it."))
        return redirect("selection:employer", pk=rnd.pk)
    return _employer_page(request, rnd, nominate=form, status=422)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def nomination_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _require_employer(request.user)
    nomination = selectors.nomination_get(user=request.user, pk=pk)
    try:
        services.nomination_withdraw(actor=request.user, nomination=nomination)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _employer_page(request, nomination.round, row_errors={nomination.pk: exc.as_errors()}, status=_status(exc))
    messages.success(request, _("Nomination withdrawn."))
    return redirect("selection:employer", pk=nomination.round_id)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def shortlist_decide(request: HttpRequest, pk: int) -> HttpResponse:
    _require_employer(request.user)
    run_job = selectors.run_job_get(user=request.user, pk=pk)
    candidates = [c.worker.public_id for c in selectors.shortlist_for_employer(user=request.user, run_job=run_job)]
    rnd = run_job.run.round
    form = forms.ShortlistForm(request.POST, candidates=candidates, prefix=f"s{run_job.pk}")
    if form.is_valid():
        chosen, reasons = form.picks()
        try:
            services.shortlist_decide(actor=request.user, run_job=run_job, picks=chosen, reasons=reasons,
                                      passed_over_reason=form.cleaned_data["passed_over_reason"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors(), chosen)
            return _employer_page(request, rnd, shortlist_forms={run_job.pk: form}, status=_status(exc))
        messages.success(request, _("Your choice from the shortlist is recorded with its reasons."))
        return redirect("selection:employer", pk=rnd.pk)
    return _employer_page(request, rnd, shortlist_forms={run_job.pk: form}, status=422)


# --- seasons and skills tests of a worker ------------------------------------------------------------------------


def _record_keeping(request: HttpRequest, public_id: str) -> dict:
    """The worker, the programmes in which the user records seasons, and whether the user records skills tests."""
    user = request.user
    try:
        worker = services.find_worker(public_id)
    except DomainError:
        raise NotFound(_("No worker in the pool has this identifier.")) from None
    origin = _origin_officer_for(user, worker.nationality)
    programmes = [p for p in programme_selectors.programme_list(user=user, status="active", origin=worker.nationality)
                  if origin or services.is_ministry(user, p)]
    if not origin and not programmes:
        raise Forbidden(_("Seasons and skills tests are recorded by the worker's origin authority and by the destination "
                          "ministry of a programme open to the worker's country."))
    try:  # the name only where the pool shows it to the user (the origin authority); the ministry sees the identifier
        named = worker_selectors.worker_get(user=user, public_id=worker.public_id)
    except DomainError:
        named = None
    employers: dict[int, object] = {}
    for programme in programmes:
        for employer in employer_selectors.employer_list(user=user, programme=programme.code):
            employers.setdefault(employer.pk, employer)
        for order in joborder_selectors.job_order_list(user=user, programme=programme.code).order_by("employer_id")[:2000]:
            employers.setdefault(order.employer_id, order.employer)
    return {"worker": worker, "named": named, "programmes": programmes, "origin": origin,
            "employers": sorted(employers.values(), key=lambda e: e.organisation.name)}


def _records_page(request: HttpRequest, keeping: dict, *, season_form=None, test_form=None, status: int = 200) -> HttpResponse:
    worker = keeping["worker"]
    context = {
        **keeping,
        "seasons": selectors.season_records(user=request.user, worker=worker),
        "tests": selectors.skills_tests(user=request.user, worker=worker),
        "season_form": season_form or (forms.SeasonRecordForm(programmes=keeping["programmes"], employers=keeping["employers"],
                                                              prefix="season") if keeping["programmes"] else None),
        "test_form": test_form or (forms.SkillsTestForm(prefix="test") if keeping["origin"] else None),
    }
    return render(request, "selection/worker_records.html", context, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def worker_records(request: HttpRequest, public_id: str) -> HttpResponse:
    """A worker's completed seasons (the basis of recall by rule) and skills tests (points), with the forms to add them."""
    return _records_page(request, _record_keeping(request, public_id))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def season_add(request: HttpRequest, public_id: str) -> HttpResponse:
    keeping = _record_keeping(request, public_id)
    form = forms.SeasonRecordForm(request.POST, programmes=keeping["programmes"], employers=keeping["employers"], prefix="season")
    if form.is_valid():
        data = form.cleaned_data
        programme = next(p for p in keeping["programmes"] if p.code == data["programme"])
        try:
            services.season_record_add(actor=request.user, worker=keeping["worker"], programme=programme, year=data["year"],
                                       employer=data["employer"] or None, completed=data["completed"],
                                       returned_as_agreed=data["returned_as_agreed"], note=data["note"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _records_page(request, keeping, season_form=form, status=_status(exc))
        messages.success(request, _("Season recorded."))
        return redirect("selection:worker", public_id=keeping["worker"].public_id)
    return _records_page(request, keeping, season_form=form, status=422)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def skills_test_add(request: HttpRequest, public_id: str) -> HttpResponse:
    keeping = _record_keeping(request, public_id)
    if not keeping["origin"]:
        raise Forbidden(_("Only the origin authority of the worker's country records skills tests."))
    form = forms.SkillsTestForm(request.POST, prefix="test")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.skills_test_add(actor=request.user, worker=keeping["worker"], isco_code=data["isco_code"],
                                     test=data["test"], score=data["score"], taken_on=data["taken_on"])
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
            return _records_page(request, keeping, test_form=form, status=_status(exc))
        messages.success(request, _("Skills test recorded."))
        return redirect("selection:worker", public_id=keeping["worker"].public_id)
    return _records_page(request, keeping, test_form=form, status=422)

