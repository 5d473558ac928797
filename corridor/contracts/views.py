"""Pages of contracts: the worker's placements and contract (phone first, in their language beside the destination's);
placements and contracts for employers, origin authorities and the destination ministry; the programme's contract
template; and the public page that verifies a code.

Selectors and services raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page; any other
refusal of a service is shown beside the field it names (422, or 409 when the state of the placement or contract
forbids the step). Every form that succeeds redirects (post, redirect, get).
"""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.contracts import forms, selectors, services, wording
from corridor.contracts.models import Contract, ContractStatus, Placement, PlacementStatus
from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.views import data_category, form_status
from corridor.programmes import selectors as programme_selectors
from corridor.reference import codes
from corridor.selection import selectors as selection_selectors
from corridor.selection.services import is_ministry, is_programme_admin
from corridor.workers import selectors as worker_selectors

PAGE = 50
OFFICE_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.MINISTRY_ADMIN, Role.MINISTRY_OFFICER, Role.ORIGIN_OFFICER,
                          Role.EMPLOYER})
VERIFY_RATE = "30/m"
IN_FORCE = (ContractStatus.ISSUED, ContractStatus.ACCEPTED)


# --- helpers -----------------------------------------------------------------------------------------------------



def _require_office(user) -> None:
    if not roles_of(user) & OFFICE_ROLES:
        if Role.WORKER in roles_of(user):
            raise Forbidden(_("Workers find their placements and contract on the page “My contract”."))
        raise Forbidden(_("Placements and contracts are handled by employers, origin authorities and the destination "
                          "ministry."))


def _own_worker(request: HttpRequest):
    if Role.WORKER not in roles_of(request.user):
        raise Forbidden(_("This page is for workers: it shows their own placements and contract."))
    worker = worker_selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet. Register your profile first (My profile)."))
    return worker


def _place(order) -> str:
    site = order.worksite
    country = codes.country_name(site.country) or site.country
    return f"{site.region}, {country}" if site.region else country


def _language_name(code: str) -> str:
    from django.utils.translation import get_language_info

    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


def verify_url(request: HttpRequest, code: str) -> str:
    return request.build_absolute_uri(reverse("verify") + "?" + urlencode({"code": code}))


def qr_data_uri(url: str) -> str | None:
    """A QR code of `url` as an SVG data URI (segno if installed, else qrcode), or None when neither is available."""
    try:
        import segno
    except ImportError:
        segno = None
    if segno is not None:
        svg = segno.make(url, error="m").svg_inline(scale=3)
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    try:
        import io

        import qrcode
        import qrcode.image.svg
    except ImportError:
        return None
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=6)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def _compared_with(contract: Contract, versions: list[Contract]) -> Contract | None:
    """The version an amendment is compared with: the one it replaced, else the one in force, else the latest
    delivered version before it."""
    if contract.version <= 1 or not contract.changes:
        return None
    if contract.supersedes_id:
        return next((v for v in versions if v.pk == contract.supersedes_id), None) or contract.supersedes
    earlier = [v for v in versions if v.version < contract.version]
    accepted = next((v for v in earlier if v.status == ContractStatus.ACCEPTED), None)
    if accepted is not None:
        return accepted
    return next((v for v in sorted(earlier, key=lambda v: -v.version) if v.locked_at is not None), None)


def _contract_view(request: HttpRequest, contract: Contract, versions: list[Contract]) -> dict:
    """What any page shows of one version: its items side by side, what it changes, its code and QR code."""
    base = _compared_with(contract, versions)
    changes = (wording.what_changes(contract.changes, base.content, contract.content, contract.worker_language)
               if base is not None else [])
    url = verify_url(request, contract.verification_code) if contract.verification_code else ""
    return {
        "contract": contract,
        "items": wording.side_by_side(contract.content, contract.worker_language, contract.destination_language),
        "worker_language": contract.worker_language,
        "destination_language": contract.destination_language,
        "worker_language_name": _language_name(contract.worker_language),
        "destination_language_name": _language_name(contract.destination_language),
        "same_language": contract.worker_language.split("-")[0] == contract.destination_language.split("-")[0],
        "changes": changes,
        "compared_with": base,
        "verify_url": url,
        "qr": qr_data_uri(url) if url else None,
        "pdf_available": _pdf_available(),
    }


def _pdf_available() -> bool:
    try:
        from corridor.contracts import pdf  # noqa: F401
    except ImportError:
        return False
    return True


def _amendment_under_way(contract: Contract, versions: list[Contract]) -> bool:
    return any(v.version > contract.version and v.status not in (ContractStatus.REJECTED, ContractStatus.REVOKED)
               for v in versions)


def _actions(user, contract: Contract, versions: list[Contract]) -> dict:
    placement = contract.placement
    order, worker, programme = placement.job_order, placement.worker, placement.job_order.programme
    employer = services.is_employer_of(user, order)
    origin = services.is_origin_authority_for(user, worker, programme)
    ministry = is_ministry(user, programme)
    return {
        "sign": employer and contract.status == ContractStatus.DRAFT,
        "approve": origin and contract.status == ContractStatus.SIGNED,
        "revoke": (origin or ministry) and contract.status in (ContractStatus.ISSUED, ContractStatus.ACCEPTED,
                                                               ContractStatus.REJECTED),
        "amend": (employer or ministry) and contract.status in IN_FORCE and not _amendment_under_way(contract, versions),
        "answer": services.is_worker(user, worker) and contract.status == ContractStatus.ISSUED,
    }


# --- the worker's page -------------------------------------------------------------------------------------------


def _me_page(request: HttpRequest, worker, *, bound: dict | None = None, status: int = 200) -> HttpResponse:
    bound = bound or {}
    blocks = []
    for placement in selectors.placement_list(user=request.user).filter(worker=worker):
        versions = list(selectors.contract_list(user=request.user, placement=placement))
        pending = next((v for v in versions if v.status == ContractStatus.ISSUED), None)
        in_force = next((v for v in versions if v.status == ContractStatus.ACCEPTED), None)
        shown = pending or in_force or (versions[0] if versions else None)
        proposed = placement.status == PlacementStatus.PROPOSED
        may_answer_placement = proposed and placement.worker_confirmed_at is None
        block = {
            "placement": placement,
            "place": _place(placement.job_order),
            "errors": bound.get(("placement", placement.pk), []),
            "confirm": may_answer_placement,
            "decline_form": (bound.get(("decline", placement.pk)) or forms.DeclineForm(prefix=f"p{placement.pk}"))
            if proposed else None,
            "versions": versions,
            "view": _contract_view(request, shown, versions) if shown else None,
            "pending": pending,
            "in_force": in_force,
        }
        if pending is not None:
            block["answer_form"] = bound.get(("answer", pending.pk)) or forms.AnswerForm(prefix=f"c{pending.pk}")
            block["answer_errors"] = bound.get(("answer_errors", pending.pk), [])
        blocks.append(block)
    return render(request, "contracts/me.html", {"worker": worker, "blocks": blocks}, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    """The worker's placements (confirm or decline) and contract: in their language beside the destination's, with
    what an amendment changes, the verification code, and the answer."""
    return _me_page(request, _own_worker(request))


@data_category(Category.WAGE)
@login_required
@require_POST
def contract_answer(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _own_worker(request)
    contract = selectors.contract_get(user=request.user, pk=pk)
    if contract.placement.worker_id != worker.pk:
        raise NotFound(_("No such contract of yours."))
    form = forms.AnswerForm(request.POST, prefix=f"c{contract.pk}")
    if not form.is_valid():
        return _me_page(request, worker, bound={("answer", contract.pk): form}, status=422)
    accept = form.cleaned_data["answer"] == "yes"
    try:
        services.contract_answer(actor=request.user, contract=contract, accept=accept, via="web",
                                 note=form.cleaned_data["note"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.add_service_errors([e for e in exc.as_errors() if e.get("field") in form.fields])
        others = [e for e in exc.as_errors() if e.get("field") not in form.fields]
        return _me_page(request, worker, bound={("answer", contract.pk): form, ("answer_errors", contract.pk): others},
                        status=form_status(exc))
    if accept:
        messages.success(request, _("You accepted the contract. It is now the one in force; keep its code."))
    else:
        messages.success(request, _("You did not accept the contract. The employer and the authorities are told; "
                                    "nothing changes until a new version is delivered to you."))
    return redirect(reverse("contracts:me") + f"#placement-{contract.placement_id}")


# --- placements --------------------------------------------------------------------------------------------------


def _after_placement(request: HttpRequest, placement: Placement) -> str:
    if services.is_worker(request.user, placement.worker):
        return reverse("contracts:me") + f"#placement-{placement.pk}"
    return reverse("contracts:index") + f"#placement-{placement.pk}"


def _placement_refused(request: HttpRequest, placement: Placement, *, errors=None, decline=None, status: int):
    """Show the refusal on the page the placement was answered from."""
    if services.is_worker(request.user, placement.worker):
        bound = {("placement", placement.pk): errors or []}
        if decline is not None:
            bound[("decline", placement.pk)] = decline
        return _me_page(request, placement.worker, bound=bound, status=status)
    return _index_page(request, row_errors={placement.pk: errors or []},
                       decline_forms={placement.pk: decline} if decline is not None else None, status=status)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def placement_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    placement = selectors.placement_get(user=request.user, pk=pk)
    try:
        placement = services.placement_confirm(actor=request.user, placement=placement)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _placement_refused(request, placement, errors=exc.as_errors(), status=form_status(exc))
    if placement.status == PlacementStatus.CONFIRMED:
        messages.success(request, _("Placement confirmed by both sides. The contract is prepared next."))
    else:
        messages.success(request, _("Your confirmation is recorded. The placement is confirmed once the other side "
                                    "confirms too."))
    return redirect(_after_placement(request, placement))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def placement_decline(request: HttpRequest, pk: int) -> HttpResponse:
    placement = selectors.placement_get(user=request.user, pk=pk)
    form = forms.DeclineForm(request.POST, prefix=f"p{placement.pk}")
    if not form.is_valid():
        return _placement_refused(request, placement, decline=form, status=422)
    try:
        services.placement_decline(actor=request.user, placement=placement, reason=form.cleaned_data["reason"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        others = [e for e in exc.as_errors() if e.get("field") not in form.fields]
        form.add_service_errors([e for e in exc.as_errors() if e.get("field") in form.fields])
        return _placement_refused(request, placement, errors=others, decline=form, status=form_status(exc))
    messages.success(request, _("Placement declined. The reason is recorded."))
    return redirect(_after_placement(request, placement))


@data_category(Category.WAGE)
@login_required
@require_POST
def contract_generate(request: HttpRequest, pk: int) -> HttpResponse:
    _require_office(request.user)
    placement = selectors.placement_get(user=request.user, pk=pk)
    try:
        contract = services.contract_generate(actor=request.user, placement=placement)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _index_page(request, row_errors={placement.pk: exc.as_errors()}, status=form_status(exc))
    messages.success(request, _("Contract generated as a draft. Read it, then sign it."))
    return redirect("contracts:detail", pk=contract.pk)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def placements_from_run(request: HttpRequest, pk: int) -> HttpResponse:
    """From the selection run page: every worker the published run selected becomes a proposed placement."""
    _require_office(request.user)
    run = selection_selectors.run_get(user=request.user, pk=pk)
    try:
        made = services.placements_from_run(actor=request.user, run=run)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return render(request, "contracts/refused.html",
                      {"errors": exc.as_errors(), "back": reverse("selection:run", args=[run.pk])}, status=form_status(exc))
    messages.success(request, ngettext("%(n)d placement made. The worker and the employer confirm it.",
                                       "%(n)d placements made. Each worker and employer confirm theirs.",
                                       len(made)) % {"n": len(made)})
    return redirect(reverse("contracts:index") + "?" + urlencode({"programme": run.round.programme.code}))


# --- the officials' and employers' list --------------------------------------------------------------------------


def _index_page(request: HttpRequest, *, row_errors=None, decline_forms=None, status: int = 200) -> HttpResponse:
    user = request.user
    row_errors, decline_forms = row_errors or {}, decline_forms or {}
    wanted = request.GET.get("status", "").strip()
    if wanted not in PlacementStatus.values:
        wanted = ""
    programme = request.GET.get("programme", "").strip().upper()[:30]
    page = Paginator(selectors.placement_list(user=user, status=wanted, programme=programme), PAGE).get_page(
        request.GET.get("page"))
    rows = []
    for placement in page.object_list:
        order = placement.job_order
        versions = list(selectors.contract_list(user=user, placement=placement))
        employer = services.is_employer_of(user, order)
        proposed = placement.status == PlacementStatus.PROPOSED
        rows.append({
            "placement": placement,
            "place": _place(order),
            "latest": versions[0] if versions else None,
            "in_force": next((v for v in versions if v.status == ContractStatus.ACCEPTED), None),
            "confirm": employer and proposed and placement.employer_confirmed_at is None,
            "decline_form": (decline_forms.get(placement.pk) or forms.DeclineForm(prefix=f"p{placement.pk}"))
            if employer and proposed else None,
            "generate": (employer or is_ministry(user, order.programme))
            and placement.status == PlacementStatus.CONFIRMED and not versions,
            "errors": row_errors.get(placement.pk, []),
        })
    programmes = [p for p in programme_selectors.programme_list(user=user) if is_ministry(user, p)]
    context = {"page": page, "rows": rows, "status_filter": wanted, "programme_filter": programme,
               "statuses": PlacementStatus.choices, "template_programmes": programmes}
    return render(request, "contracts/index.html", context, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Placements and their contracts: at the employer's job orders, of the origin authority's nationals, in the
    ministry's programmes."""
    _require_office(request.user)
    return _index_page(request)


# --- one contract ------------------------------------------------------------------------------------------------


def _detail_page(request: HttpRequest, contract: Contract, *, errors=(), revoke_form=None, status: int = 200):
    versions = list(selectors.contract_list(user=request.user, placement=contract.placement))
    actions = _actions(request.user, contract, versions)
    context = {
        "contract": contract,
        "view": _contract_view(request, contract, versions),
        "placement": contract.placement,
        "place": _place(contract.placement.job_order),
        "versions": versions,
        "actions": actions,
        "errors": list(errors),
        "revoke_form": revoke_form or (forms.RevokeForm() if actions["revoke"] else None),
        "worker_page": services.is_worker(request.user, contract.placement.worker),
    }
    return render(request, "contracts/detail.html", context, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One version of a contract, side by side in the worker's and the destination's language, with its history."""
    return _detail_page(request, selectors.contract_get(user=request.user, pk=pk))


def _step(request: HttpRequest, pk: int, step, done: str) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    try:
        step(actor=request.user, contract=contract)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        return _detail_page(request, contract, errors=exc.as_errors(), status=form_status(exc))
    messages.success(request, done)
    return redirect("contracts:detail", pk=contract.pk)


@data_category(Category.WAGE)
@login_required
@require_POST
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.contract_sign,
                 _("Contract signed. The worker's origin authority approves it, which locks it and delivers it."))


@data_category(Category.WAGE)
@login_required
@require_POST
def contract_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(request, pk, services.contract_approve,
                 _("Contract approved: it is locked, has its verification code and is delivered to the worker."))


@data_category(Category.WAGE)
@login_required
@require_POST
def contract_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    form = forms.RevokeForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, contract, revoke_form=form, status=422)
    try:
        services.contract_revoke(actor=request.user, contract=contract, reason=form.cleaned_data["reason"])
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        others = [e for e in exc.as_errors() if e.get("field") not in form.fields]
        form.add_service_errors([e for e in exc.as_errors() if e.get("field") in form.fields])
        return _detail_page(request, contract, errors=others, revoke_form=form, status=form_status(exc))
    messages.success(request, _("Contract revoked. Its code now verifies as revoked."))
    return redirect("contracts:detail", pk=contract.pk)


@data_category(Category.WAGE)
@login_required
@require_http_methods(["GET", "POST"])
def contract_amend(request: HttpRequest, pk: int) -> HttpResponse:
    """The employer (or the ministry) proposes an amendment: a new version the worker must accept after seeing, in
    their language, what it changes."""
    _require_office(request.user)
    contract = selectors.contract_get(user=request.user, pk=pk)
    versions = list(selectors.contract_list(user=request.user, placement=contract.placement))
    placement = contract.placement
    if not (services.is_employer_of(request.user, placement.job_order) or is_ministry(request.user, placement.job_order.programme)):
        raise Forbidden(_("Only the employer or the destination ministry proposes an amendment."))
    form = forms.AmendForm(request.POST or None, content=contract.content)
    errors: list[dict] = []
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid() and not form.changes():
            form.add_error(None, _("Change at least one item: every item still has the value in force."))
        elif form.is_valid():
            try:
                amendment = services.contract_amend(actor=request.user, contract=contract, changes=form.changes(),
                                                    reason=form.cleaned_data["reason"])
            except (NotFound, Forbidden):
                raise
            except DomainError as exc:
                all_errors = exc.as_errors()
                known = set(form.fields) | set(form.field_map)
                form.add_service_errors([e for e in all_errors if (e.get("field") or "") in known])
                errors = [e for e in all_errors if (e.get("field") or "") not in known]
                status = form_status(exc)
            else:
                messages.success(request, _("Amendment drafted as version %(n)d. Sign it; once approved, the worker "
                                            "sees what changes and accepts it or not.") % {"n": amendment.version})
                return redirect("contracts:detail", pk=amendment.pk)
    elif contract.status not in IN_FORCE or _amendment_under_way(contract, versions):
        errors = [{"field": "status", "message": _("This version cannot be amended now: only the version delivered "
                                                   "to the worker is, and only one amendment at a time.")}]
        status = 409
    context = {"contract": contract, "placement": placement, "form": form, "errors": errors}
    return render(request, "contracts/amend.html", context, status=status)


@data_category(Category.WAGE)
@login_required
@require_GET
def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    contract = selectors.contract_get(user=request.user, pk=pk)
    try:
        from corridor.contracts.pdf import pdf_response
    except ImportError:
        raise NotFound(_("The PDF of contracts is not available yet; print this page instead.")) from None
    return pdf_response(contract)


# --- the programme's contract template ---------------------------------------------------------------------------


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def template(request: HttpRequest, code: str) -> HttpResponse:
    """The items every contract of the programme shares beyond the job order; set by the programme administrator,
    read by everybody else signed in."""
    programme = programme_selectors.programme_get(user=request.user, code=code)
    current = selectors.template_of(programme=programme)
    editable = is_programme_admin(request.user, programme)
    if request.method == "POST" and not editable:
        raise Forbidden(_("Only the programme administrator sets the contract template."))
    form = forms.TemplateForm(request.POST or None, initial=forms.TemplateForm.initial_of(current)) if editable else None
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.template_set(actor=request.user, programme=programme, **form.cleaned_data)
            except (NotFound, Forbidden):
                raise
            except DomainError as exc:
                form.add_service_errors(exc.as_errors())
                status = form_status(exc)
            else:
                messages.success(request, _("Contract template saved. Contracts generated from now on use it."))
                return redirect("contracts:template", code=programme.code)
    fields = [(forms.TemplateForm.base_fields[name].label, getattr(current, name)) for name in forms.TemplateForm.base_fields] \
        if current is not None else []
    context = {"programme": programme, "current": current, "form": form, "fields": fields,
               "ministry": is_ministry(request.user, programme)}
    return render(request, "contracts/template.html", context, status=status)


# --- public verification -----------------------------------------------------------------------------------------


def _status_label(facts: dict) -> str:
    kind, value = facts.get("kind"), facts.get("status")
    if kind == "contract":
        return str(dict(ContractStatus.choices).get(value, value))
    if kind == "job_order":
        from corridor.joborders.models import Status as JobStatus

        return str(dict(JobStatus.choices).get(value, value))
    from corridor.recruitment.models import LicenceStatus

    return str(dict(LicenceStatus.choices).get(value, value))


@data_category(Category.ORGANISATION)
@never_cache
@require_GET
def verify(request: HttpRequest) -> HttpResponse:
    """Anyone checks that a contract, a job order or an agency licence is genuine and current. Only non-personal
    facts are shown; an unknown, mistyped or withheld code gets the same answer. Rate-limited per address."""
    from django_ratelimit.core import is_ratelimited

    asked = "code" in request.GET
    form = forms.VerifyForm(request.GET if asked else None)
    context: dict = {"form": form, "asked": False, "facts": None, "limited": False}
    status = 200
    if asked:
        if is_ratelimited(request, group="contract-verify", key="ip", rate=VERIFY_RATE, increment=True):
            context["limited"] = True
            return render(request, "contracts/verify.html", context, status=429)
        if form.is_valid():
            facts = selectors.verify(form.cleaned_data["code"])
            context.update(asked=True, facts=facts, status_label=_status_label(facts) if facts else "")
        else:
            status = 422
    return render(request, "contracts/verify.html", context, status=status)
