"""Pages for job orders: the employer's form and the workflow steps, the ministry's review queue, the origin
authorities' verification queue, quota use, and the public vacancy board.

Selectors and services raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page; any other
refusal of a service is shown beside the field it names, with status 422.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from corridor.core.views import data_category
from corridor.employers import selectors as employer_selectors
from corridor.employers.models import MINISTRY_ROLES, ApprovalStatus, HousingStatus, InspectionResult
from corridor.joborders import selectors, services
from corridor.joborders.forms import AdvertForm, JobOrderForm, error_field
from corridor.joborders.models import JobOrder, Status
from corridor.programmes import selectors as programme_selectors
from corridor.reference import codes
from corridor.reference.selectors import isco_titles, national_classifications

LIST_PAGE = 50
BOARD_PAGE = 20
# Who reads job orders on these pages; the open ones are public on the vacancy board. Holders of the immigration
# role are refused whatever else they hold: job orders carry pay terms (GB.346 para 24, 44).
READER_ROLES = frozenset({Role.PLATFORM_ADMIN, Role.EMPLOYER, Role.LABOUR_INSPECTOR, Role.ORIGIN_OFFICER}) | MINISTRY_ROLES
QUOTA_ROLES = frozenset(
    {Role.PLATFORM_ADMIN, Role.ORIGIN_OFFICER, Role.UNION, Role.EMPLOYERS_ORG, Role.LABOUR_INSPECTOR, Role.RESEARCHER}
) | MINISTRY_ROLES
ACTIONS = ("submit", "review", "approve", "return", "verify", "fill", "close", "cancel")


# --- helpers -----------------------------------------------------------------------------------------------------


def _require_reader(user) -> None:
    roles = roles_of(user)
    if Role.IMMIGRATION_OFFICER in roles or not roles & READER_ROLES:
        raise Forbidden(
            _("Job orders are read by employers, labour ministries, origin authorities and labour inspectors. "
              "Open jobs are on the public vacancy board.")
        )


def _employer(user):
    """The user's own employer profile; only employers draft job orders."""
    if Role.EMPLOYER not in roles_of(user):
        raise Forbidden(_("Only employers draft job orders."))
    return employer_selectors.employer_of_user(user=user)


def _form_status(request: HttpRequest) -> int:
    """200 for a blank form, 422 when a submitted form comes back with errors."""
    return 422 if request.method == "POST" else 200


def _field_label(name: str) -> str:
    """A readable name for the field an error names (deductions[1].amount -> planned deductions, line 2)."""
    if not name:
        return ""
    base = error_field(name)
    special = {
        "adverts": _("Labour-market test (local adverts)"),
        "employer": _("Employer"),
        "programme": _("Programme"),
        "reasons": _("Reasons"),
        "reason": _("Reason"),
        "filled": _("Positions filled"),
        "note": _("Note"),
    }
    if base in special:
        label = special[base]
    else:
        try:
            label = str(JobOrder._meta.get_field(base).verbose_name)
        except FieldDoesNotExist:  # a field of no model (e.g. an advert's): show it as named
            label = base.replace("_", " ")
    if name.startswith("deductions[") and "]" in name:
        index = name[len("deductions["):name.index("]")]
        if index.isdigit():
            label = _("%(label)s, line %(n)d") % {"label": label, "n": int(index) + 1}
    return label[:1].upper() + label[1:]


def _labelled(errors: list[dict]) -> list[dict]:
    return [{**e, "label": _field_label(e.get("field") or "")} for e in errors]


def _percent(value) -> str:
    text = f"{Decimal(value).quantize(Decimal('0.1'))}"
    return text[:-2] if text.endswith(".0") else text


def travel_sentence(order: JobOrder) -> str:
    """Who pays the travel, in one sentence for workers."""
    outbound = Decimal(100) - Decimal(order.outbound_travel_worker_percent)
    back = Decimal(100) - Decimal(order.return_travel_worker_percent)
    if outbound == back:
        return _("Employer pays %(pct)s%% of the outbound and return travel.") % {"pct": _percent(outbound)}
    return _("Employer pays %(out)s%% of the outbound travel and %(back)s%% of the return travel.") % {
        "out": _percent(outbound), "back": _percent(back)
    }


def _language_requirement(order: JobOrder) -> str:
    if not order.language:
        return ""
    name = codes.language_name(order.language) or order.language
    return f"{name} ({order.language_level})" if order.language_level else name


def _description(order: JobOrder, request: HttpRequest) -> dict:
    """The description in the reader's language where translated, with a note when shown in another language."""
    reader = (getattr(request, "LANGUAGE_CODE", "") or "en").split("-")[0].lower()
    text, language = order.description_in(reader)
    note = ""
    if text and language != reader:
        note = _("Shown in %(language)s: not yet translated into your language.") % {
            "language": codes.language_name(language) or language
        }
    return {"text": text, "language": language, "note": note}


def _place(order: JobOrder) -> str:
    site = order.worksite
    country = codes.country_name(site.country) or site.country
    return f"{site.region}, {country}" if site.region else country


def _origin_names(countries) -> list[str]:
    return [codes.country_name(c) or c for c in countries]


# --- the list ----------------------------------------------------------------------------------------------------


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def job_order_list(request: HttpRequest) -> HttpResponse:
    """The job orders the user may see, filtered by programme, status and text (HTMX refreshes the rows)."""
    _require_reader(request.user)
    filters = {k: request.GET.get(k, "").strip()[:100] for k in ("programme", "status", "q")}
    filters["programme"] = filters["programme"].upper()
    error, status = "", 200
    try:
        orders = selectors.job_order_list(user=request.user, **filters)
    except InvalidInput as exc:
        orders, error, status = JobOrder.objects.none(), exc.message, 400
    page = Paginator(orders, LIST_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "error": error,
        "statuses": Status.choices,
        "programmes": programme_selectors.programme_list(user=request.user),
        "can_create": selectors.employer_of(user=request.user) is not None,
        "can_import": selectors.employer_of(user=request.user) is not None
        or bool(roles_of(request.user) & (MINISTRY_ROLES | {Role.PLATFORM_ADMIN})),
        "can_import_employers": bool(roles_of(request.user) & {Role.MINISTRY_ADMIN, Role.PLATFORM_ADMIN}),
    }
    template = "joborders/_list_rows.html" if request.headers.get("HX-Request") else "joborders/list.html"
    return render(request, template, context, status=status)


# --- new and edit ------------------------------------------------------------------------------------------------


def _approved_programmes(user, employer) -> list:
    """Active programmes under which the employer holds an approval (suspended ones too: drafting is allowed)."""
    approvals = employer_selectors.approval_list(user=user, employer=employer).filter(
        status__in=[ApprovalStatus.APPROVED, ApprovalStatus.SUSPENDED], programme__status="active"
    )
    return [a.programme for a in approvals]


def _origins(user, programme, keep=()) -> list[tuple[str, str]]:
    """The programme's open corridors as (code, name); origins already on the order are kept so none is lost."""
    active = programme_selectors.corridor_list(user=user, programme=programme).filter(is_active=True)
    found = [c.origin_country for c in active]
    found += [c for c in keep if c not in found]
    return [(c, codes.country_name(c) or c) for c in found]


def _form_kwargs(request: HttpRequest, employer, programme, *, programmes=(), order=None) -> dict:
    units = employer_selectors.housing_list(user=request.user, employer=employer)
    if order is None or order.housing_id is None:
        units = units.filter(status=HousingStatus.OFFERED)
    else:
        units = [u for u in units if u.status == HousingStatus.OFFERED or u.pk == order.housing_id]
    return {
        "programmes": programmes,
        "origins": _origins(request.user, programme, keep=order.origin_countries if order else ()),
        "worksites": employer_selectors.worksite_list(user=request.user, employer=employer),
        "units": units,
        "classifications": national_classifications(user=request.user),
        "editing": order is not None,
    }


def _chosen(programmes: list, code: str):
    code = (code or "").strip().upper()
    return next((p for p in programmes if p.code == code), programmes[0] if programmes else None)


def _htmx_origins(form: JobOrderForm) -> None:
    """Changing the programme reloads the origin-country checkboxes for that programme's corridors."""
    if "programme" in form.fields:
        form.fields["programme"].widget.attrs.update(
            {"hx-get": reverse("joborders:origins"), "hx-target": "#origin-countries", "hx-swap": "outerHTML", "hx-trigger": "change"}
        )


def _new_initial(employer, programme) -> dict:
    initial = {"programme": programme.code, "wage_unit": "hour", "description_language": "en"}
    if len(employer.sectors or []) == 1:
        initial["sector"] = employer.sectors[0]
    return initial


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def job_order_new(request: HttpRequest) -> HttpResponse:
    """An employer drafts a job order under a programme where it is approved."""
    employer = _employer(request.user)
    programmes = _approved_programmes(request.user, employer)
    if not programmes:
        return render(request, "joborders/form.html", {"employer": employer, "form": None})
    programme = _chosen(programmes, request.POST.get("programme") or request.GET.get("programme", ""))
    form = JobOrderForm(
        request.POST or None, initial=_new_initial(employer, programme),
        **_form_kwargs(request, employer, programme, programmes=programmes),
    )
    _htmx_origins(form)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.job_order_create(actor=request.user, employer=employer, programme=programme, **form.service_data())
            messages.success(request, _("Job order %(ref)s saved as a draft. Add the local adverts, then submit it.") % {"ref": order.reference})
            return redirect("joborders:detail", pk=order.pk)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
    context = {"employer": employer, "form": form, "programme": programme, "check_url": reverse("joborders:check")}
    return render(request, "joborders/form.html", context, status=_form_status(request))


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def origin_choices(request: HttpRequest) -> HttpResponse:
    """HTMX partial of the new-order form: the origin-country checkboxes of the chosen programme."""
    employer = _employer(request.user)
    programmes = _approved_programmes(request.user, employer)
    programme = _chosen(programmes, request.GET.get("programme", ""))
    if programme is None:
        raise NotFound(_("Your organisation has no approval under an active programme."))
    form = JobOrderForm(initial={"programme": programme.code}, **_form_kwargs(request, employer, programme, programmes=programmes))
    return render(request, "joborders/_origins.html", {"field": form["origin_countries"]})


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def job_order_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a draft or returned job order."""
    order = selectors.job_order_get(user=request.user, pk=pk, action="change")
    if "edit" not in selectors.actions_for(user=request.user, order=order):
        messages.error(request, _("A job order can be changed only while it is a draft or returned to the employer."))
        return redirect("joborders:detail", pk=order.pk)
    form = JobOrderForm(
        request.POST or None, initial=JobOrderForm.initial_from(order), **_form_kwargs(request, order.employer, order.programme, order=order)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.job_order_update(actor=request.user, order=order, **form.service_data())
            messages.success(request, _("Job order saved."))
            return redirect("joborders:detail", pk=order.pk)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            form.add_service_errors(exc.as_errors())
    context = {
        "employer": order.employer, "form": form, "programme": order.programme, "order": order,
        "check_url": reverse("joborders:check_order", args=[order.pk]),
    }
    return render(request, "joborders/form.html", context, status=_form_status(request))


# --- checking without saving -------------------------------------------------------------------------------------


def _unsaved_order(employer, programme, clean: dict) -> JobOrder:
    order = JobOrder(employer=employer, programme=programme)
    for name in services.ORDER_FIELDS:
        if name in clean:
            setattr(order, name, clean[name])
    return order


def _check_response(request: HttpRequest, *, programme, errors=(), findings=None, version=None, saved=False,
                    new=False) -> HttpResponse:
    context = {
        "advert_hint": new and any(f.field == "adverts" for f in findings or []),
        "programme": programme,
        "errors": _labelled(list(errors)),
        "findings": _labelled([f.as_error() for f in findings or []]),
        "version": version,
        "checked": findings is not None,
        "saved": saved,
    }
    return render(request, "joborders/_check.html", context)


def _check_form(request: HttpRequest, employer, programme, form: JobOrderForm, adverts, *, new: bool = False) -> HttpResponse:
    if not form.is_valid():
        errors = [{"field": name, "message": m} for name, msgs in form.errors.items() for m in msgs if name != "__all__"]
        return _check_response(request, programme=programme, errors=errors)
    clean, errors = services.clean_order_input(form.service_data(), employer, programme)
    if errors:
        return _check_response(request, programme=programme, errors=errors)
    findings, version = services.order_findings(_unsaved_order(employer, programme, clean), adverts=adverts)
    return _check_response(request, programme=programme, findings=findings, version=version, new=new)


@data_category(Category.ORGANISATION)
@login_required
@require_POST
def check_new(request: HttpRequest) -> HttpResponse:
    """HTMX partial: the new order in the form checked against the programme's rules, without saving anything."""
    employer = _employer(request.user)
    programmes = _approved_programmes(request.user, employer)
    programme = _chosen(programmes, request.POST.get("programme", ""))
    if programme is None:
        raise NotFound(_("Your organisation has no approval under an active programme."))
    form = JobOrderForm(request.POST, **_form_kwargs(request, employer, programme, programmes=programmes))
    return _check_form(request, employer, programme, form, adverts=[], new=True)


@data_category(Category.ORGANISATION)
@login_required
@require_POST
def check_order(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX partial: the order as changed in the form (or as saved, when no form is posted) checked against the
    programme's rules, without saving anything."""
    order = selectors.job_order_get(user=request.user, pk=pk, action="change")
    adverts = list(order.adverts.all().restrict(request.user))
    if "title" not in request.POST:
        findings, version = services.order_findings(order, adverts=adverts)
        return _check_response(request, programme=order.programme, findings=findings, version=version, saved=True)
    form = JobOrderForm(request.POST, **_form_kwargs(request, order.employer, order.programme, order=order))
    return _check_form(request, order.employer, order.programme, form, adverts)


# --- detail and the workflow -------------------------------------------------------------------------------------


def _detail(request: HttpRequest, order: JobOrder, *, status: int = 200, **extra) -> HttpResponse:
    actions = selectors.actions_for(user=request.user, order=order)
    housing_visible = bool(
        order.housing_id and employer_selectors.housing_list(user=request.user).filter(pk=order.housing_id).exists()
    )
    context = {
        "order": order,
        "actions": actions,
        "adverts": order.adverts.all().restrict(request.user),
        "verifications": order.verifications.all().restrict(request.user).select_related("authority", "verified_by"),
        "occupation": isco_titles([order.isco_code], user=request.user).get(order.isco_code, ""),
        "floor_label": services.wage_floor_label(order),
        "travel": selectors.travel_split(order),
        "travel_sentence": travel_sentence(order),
        "origins": _origin_names(order.origin_countries),
        "sector": dict(codes.sector_choices()).get(order.sector, order.sector),
        "language": _language_requirement(order),
        "description_language": codes.language_name(order.description_language) or order.description_language,
        "translations": [(codes.language_name(k) or k, v) for k, v in (order.translations or {}).items()],
        "check_report": _labelled(order.check_report or []),
        "housing_visible": housing_visible,
        "advert_form": AdvertForm() if "adverts" in actions else None,
        "on_board": selectors.on_board(order),
        "action_errors": [],
        "failed": "",
        "posted": {},
        **extra,
    }
    # Each refusal also beside the fact it concerns (err.wage_amount, err.housing, ...).
    err: dict[str, list[str]] = {}
    for e in context["action_errors"]:
        err.setdefault(error_field(e.get("field") or "") or "status", []).append(e["message"])
    context["err"] = err
    return render(request, "joborders/detail.html", context, status=status)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def job_order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_reader(request.user)
    return _detail(request, selectors.job_order_get(user=request.user, pk=pk))


def _whole(value: str):
    """A whole number from the form, or the text itself so that the service names what is wrong with it."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() else value


@data_category(Category.ORGANISATION)
@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of the workflow posted from the detail page."""
    _require_reader(request.user)
    order = selectors.job_order_get(user=request.user, pk=pk)
    post, actor = request.POST, request.user
    steps: dict[str, tuple[Callable[[], object], str]] = {
        "submit": (lambda: services.job_order_submit(actor=actor, order=order), _("Submitted for review.")),
        "review": (lambda: services.job_order_review(actor=actor, order=order, note=post.get("note", "")), _("Review recorded.")),
        "approve": (lambda: services.job_order_approve(actor=actor, order=order, note=post.get("note", "")), _("Job order approved.")),
        "return": (lambda: services.job_order_return(actor=actor, order=order, reasons=post.get("reasons", "")), _("Returned to the employer.")),
        "verify": (lambda: services.job_order_verify(actor=actor, order=order, note=post.get("note", "")), _("Verification recorded.")),
        "fill": (lambda: services.job_order_record_filled(actor=actor, order=order, filled=_whole(post.get("filled", ""))), _("Filled positions recorded.")),
        "close": (lambda: services.job_order_close(actor=actor, order=order, reason=post.get("reason", "")), _("Job order closed.")),
        "cancel": (lambda: services.job_order_cancel(actor=actor, order=order, reason=post.get("reason", "")), _("Job order cancelled.")),
    }
    if action not in steps:
        raise NotFound(_("No such step."))
    call, done = steps[action]
    try:
        call()
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        posted = {k: post.get(k, "") for k in ("note", "reasons", "reason", "filled")}
        return _detail(request, order, status=422, action_errors=_labelled(exc.as_errors()), failed=action, posted=posted)
    messages.success(request, done)
    return redirect("joborders:detail", pk=order.pk)


@data_category(Category.ORGANISATION)
@login_required
@require_POST
def advert_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add evidence of local advertising (the labour-market test) to a draft or returned order."""
    order = selectors.job_order_get(user=request.user, pk=pk, action="change")
    form = AdvertForm(request.POST)
    if form.is_valid():
        try:
            services.advert_add(actor=request.user, order=order, **form.cleaned_data)
            messages.success(request, _("Advert added."))
            return redirect("joborders:detail", pk=order.pk)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            for err in exc.as_errors():
                field = err.get("field") or ""
                form.add_error(field if field in form.fields else None, err["message"])
    return _detail(request, order, status=422, advert_form=form)


# --- queues ------------------------------------------------------------------------------------------------------


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Orders waiting for the destination ministry, oldest submission first."""
    roles = roles_of(request.user)
    if Role.IMMIGRATION_OFFICER in roles or not roles & (MINISTRY_ROLES | {Role.PLATFORM_ADMIN}):
        raise Forbidden(_("Only officers of a destination labour ministry review job orders."))
    page = Paginator(selectors.review_queue(user=request.user), LIST_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "title": _("Job orders to review"), "empty": _("No job order is waiting for review."), "queue": "review"}
    return render(request, "joborders/queue.html", context)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def verification_queue(request: HttpRequest) -> HttpResponse:
    """Approved orders waiting for this origin authority's verification."""
    roles = roles_of(request.user)
    if Role.IMMIGRATION_OFFICER in roles or Role.ORIGIN_OFFICER not in roles:
        raise Forbidden(_("Only officers of an origin country's competent authority verify job orders."))
    page = Paginator(selectors.verification_queue(user=request.user), LIST_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page, "title": _("Job orders to verify"), "empty": _("No approved job order is waiting for your verification."),
        "queue": "verify",
    }
    return render(request, "joborders/queue.html", context)


# --- quotas ------------------------------------------------------------------------------------------------------


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def quotas(request: HttpRequest) -> HttpResponse:
    """Positions approved against each quota of a programme, per year."""
    roles = roles_of(request.user)
    if Role.IMMIGRATION_OFFICER in roles or not roles & QUOTA_ROLES:
        raise Forbidden(_("Quota use is shown to labour ministries, origin authorities, inspectors and social partners."))
    programmes = list(programme_selectors.programme_list(user=request.user))
    code = request.GET.get("programme", "").strip()[:30] or (programmes[0].code if programmes else "")
    programme = programme_selectors.programme_get(user=request.user, code=code) if code else None
    years: dict[int, list] = {}
    for counter in selectors.quota_use(user=request.user, programme=programme) if programme else []:
        counter.high = counter.limit * 9 // 10  # the meter turns to a warning when 90% is used
        years.setdefault(counter.year, []).append(counter)
    summary = None
    if programme is not None:
        try:
            summary = selectors.job_order_summary(user=request.user, programme=programme)
        except Forbidden:
            summary = None  # origin authorities and inspectors see quota use, not the per-occupation summary
    context = {"programmes": programmes, "programme": programme, "years": sorted(years.items()), "summary": summary}
    return render(request, "joborders/quotas.html", context)


# --- the public vacancy board ------------------------------------------------------------------------------------


def _housing_facts(order: JobOrder) -> dict | None:
    if order.housing is None:
        return None
    facts = employer_selectors.housing_for_candidate(unit=order.housing)
    last = facts.get("last_inspection")
    if last:
        last = {**last, "label": InspectionResult(last["result"]).label if last["result"] in InspectionResult.values else last["result"]}
    return {**facts, "last_inspection": last}


def _card(order: JobOrder, request: HttpRequest, occupations: dict) -> dict:
    return {
        "order": order,
        "occupation": occupations.get(order.isco_code, ""),
        "place": _place(order),
        "housing": _housing_facts(order),
        "travel": travel_sentence(order),
        "language": _language_requirement(order),
        "description": _description(order, request),
        "origins": _origin_names(order.origin_countries),
    }


def _board_filters(request: HttpRequest) -> dict:
    get = request.GET
    return {
        "programme": get.get("programme", "").strip().upper()[:30],
        "origin": get.get("origin", "").strip()[:60],
        "isco": get.get("isco", "").strip()[:10],
        "region": get.get("region", "").strip()[:100],
        "month": get.get("month", "").strip()[:10],
        "transfers": get.get("transfers", "") in ("1", "on", "true", "yes"),
    }


@data_category(Category.ORGANISATION)
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Open job orders as workers see them, public and light enough for a phone."""
    filters = _board_filters(request)
    errors, status = [], 200
    try:
        orders = selectors.board(user=request.user, **filters)
    except InvalidInput as exc:
        errors, status = exc.as_errors(), 400
        orders = JobOrder.objects.none()
    page = Paginator(
        orders.select_related("housing__worksite").prefetch_related("housing__photos"), BOARD_PAGE
    ).get_page(request.GET.get("page"))
    everything = selectors.board(user=request.user).order_by()
    codes_on_board = sorted(set(everything.values_list("isco_code", flat=True)))
    occupations = isco_titles(codes_on_board + [o.isco_code for o in page.object_list], user=request.user)
    active = programme_selectors.programme_list(user=request.user, status="active")
    origins = sorted(set(active.order_by().filter(corridors__is_active=True).values_list("corridors__origin_country", flat=True).distinct()))
    context = {
        "page": page,
        "cards": [_card(o, request, occupations) for o in page.object_list],
        "filters": filters,
        "errors": _labelled_board(errors),
        "programmes": active,
        "origins": [(c, codes.country_name(c) or c) for c in origins],
        "regions": selectors.board_regions(),
        "occupations": [(c, occupations.get(c, "")) for c in codes_on_board],
    }
    return render(request, "joborders/board.html", context, status=status)


def _labelled_board(errors: list[dict]) -> list[dict]:
    labels = {"origin": _("Origin country"), "isco": _("Occupation"), "month": _("Month"), "region": _("Region"), "programme": _("Programme")}
    return [{**e, "label": labels.get(e.get("field") or "", "")} for e in errors]


@data_category(Category.ORGANISATION)
@require_GET
def board_detail(request: HttpRequest, reference: str) -> HttpResponse:
    """One open job order on the board, with the housing's photos and its last inspection result."""
    order = selectors.board_get(reference=reference, user=request.user)
    occupations = isco_titles([order.isco_code], user=request.user)
    return render(request, "joborders/board_detail.html", {"card": _card(order, request, occupations)})
