"""Pages for programmes: list, detail with rules in plain language, create, edit, corridors, rule versions.

Selectors raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page.
"""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.selectors import audit_history_for
from corridor.core.views import data_category
from corridor.programmes import selectors, services
from corridor.programmes.forms import CorridorForm, ProgrammeForm, RuleVersionForm
from corridor.programmes.models import InstitutionalDesign, Programme, ProgrammeCategory, ProgrammeStatus
from corridor.programmes.plain_language import describe
from corridor.reference import codes

EDITABLE_FIELDS = (
    "name",
    "institutional_design",
    "category",
    "description",
    "agreement_title",
    "agreement_signed_on",
    "agreement_valid_from",
    "agreement_valid_until",
)


def _apply_errors(form, exc: DomainError) -> None:
    for err in exc.as_errors():
        field = err.get("field")
        form.add_error(field if field in form.fields else None, err["message"])


def _form_status(request: HttpRequest) -> int:
    """200 for a blank form, 422 when a submitted form comes back with errors."""
    return 422 if request.method == "POST" else 200


def _act_then_return(request: HttpRequest, code: str, action: Callable[[], object], done: str) -> HttpResponse:
    """Run a state change posted from the programme page and go back to it with the outcome as a message."""
    try:
        action()
        messages.success(request, done)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("programmes:detail", code=code.upper())


@data_category(Category.PROGRAMME)
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "category", "design", "status", "destination", "origin")}
    page = Paginator(selectors.programme_list(user=request.user, **filters), 25).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "categories": ProgrammeCategory.choices,
        "designs": InstitutionalDesign.choices,
        "statuses": ProgrammeStatus.choices,
        "can_create": bool(roles_of(request.user) & {Role.MINISTRY_ADMIN, Role.PLATFORM_ADMIN}),
    }
    template = "programmes/_list_rows.html" if request.headers.get("HX-Request") else "programmes/list.html"
    return render(request, template, context)


@data_category(Category.PROGRAMME)
@require_GET
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code)
    in_force = selectors.rule_version_in_force(programme=programme)
    shown = in_force or selectors.rule_version_latest(programme=programme)
    corridors = selectors.corridor_list(user=request.user, programme=programme)
    context = {
        "programme": programme,
        "destination_name": codes.country_name(programme.destination_country),
        "corridors": [(c, codes.country_name(c.origin_country)) for c in corridors],
        "versions": selectors.rule_version_list(user=request.user, programme=programme),
        "in_force": in_force,
        "shown": shown,
        "plain": describe(shown.rules) if shown else [],
        "can_change": selectors.programme_can_change(user=request.user, programme=programme),
        "today": timezone.localdate(),
    }
    return render(request, "programmes/detail.html", context)


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    roles = roles_of(request.user)
    if not roles & {Role.MINISTRY_ADMIN, Role.PLATFORM_ADMIN}:
        raise Forbidden(_("Only a destination ministry's programme administrator can create a programme."))
    initial = {"destination_country": request.user.organisation.country} if request.user.organisation else {}
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        owner = None
        if Role.MINISTRY_ADMIN not in roles:
            # A platform administrator creates the programme for the destination country's ministry.
            owner = selectors.destination_ministry_of(country=form.cleaned_data["destination_country"])
        try:
            programme = services.programme_create(actor=request.user, owner=owner, **form.cleaned_data)
            messages.success(request, _("Programme %(code)s created as a draft. Review its rules, open corridors, then activate it.") % {"code": programme.code})
            return redirect("programmes:detail", code=programme.code)
        except DomainError as exc:
            _apply_errors(form, exc)
    return render(request, "programmes/form.html", {"form": form, "creating": True}, status=_form_status(request))


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    form = ProgrammeForm(request.POST or None, editing=True, initial={f: getattr(programme, f) for f in EDITABLE_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(actor=request.user, programme=programme, changes=form.cleaned_data, reason=request.POST.get("reason", ""))
            messages.success(request, _("Programme updated."))
            return redirect("programmes:detail", code=programme.code)
        except DomainError as exc:
            _apply_errors(form, exc)
    return render(request, "programmes/form.html", {"form": form, "programme": programme}, status=_form_status(request))


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def programme_status(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    return _act_then_return(
        request,
        code,
        lambda: services.programme_set_status(
            actor=request.user, programme=programme, status=request.POST.get("status", ""), reason=request.POST.get("reason", "")
        ),
        _("Status changed."),
    )


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def corridor_add(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    form = CorridorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.corridor_add(actor=request.user, programme=programme, **form.cleaned_data)
            messages.success(request, _("Corridor opened."))
            return redirect("programmes:detail", code=programme.code)
        except DomainError as exc:
            _apply_errors(form, exc)
    return render(request, "programmes/corridor_form.html", {"form": form, "programme": programme}, status=_form_status(request))


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def corridor_toggle(request: HttpRequest, code: str, origin: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    corridor = selectors.corridor_list(user=request.user, programme=programme).filter(origin_country=origin.upper()).first()
    if corridor is None:
        raise NotFound(_("No such corridor."))
    return _act_then_return(
        request,
        code,
        lambda: services.corridor_set_active(
            actor=request.user, corridor=corridor, is_active=not corridor.is_active, reason=request.POST.get("reason", "")
        ),
        _("Corridor updated."),
    )


def _rules_page(request: HttpRequest, programme: Programme, form: RuleVersionForm, save: Callable[[dict], object], context: dict) -> HttpResponse:
    """Shared by the new-version and correction pages: parse the form, let the service decide, show errors."""
    if request.method == "POST" and form.is_valid():
        rules = form.rules()
        if form.is_valid():
            try:
                save(rules)
                return redirect("programmes:detail", code=programme.code)
            except DomainError as exc:
                form.add_rule_errors(exc.as_errors())
    return render(request, "programmes/rules_form.html", {"form": form, "programme": programme, **context}, status=_form_status(request))


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def rule_version_new(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    latest = selectors.rule_version_latest(programme=programme)
    form = RuleVersionForm(request.POST or None, initial=RuleVersionForm.initial_from_rules(latest.rules) if latest else {})

    def save(rules: dict) -> None:
        version = services.rule_version_create(
            actor=request.user, programme=programme, rules=rules, effective_from=form.cleaned_data["effective_from"], note=form.cleaned_data["note"]
        )
        messages.success(request, _("Rule version %(n)d saved.") % {"n": version.number})

    return _rules_page(request, programme, form, save, {"latest": latest})


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def rule_version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    version = selectors.rule_version_get(user=request.user, programme=programme, number=number)
    form = RuleVersionForm(request.POST or None, initial=RuleVersionForm.initial_from_rules(version.rules), with_date=False)

    def save(rules: dict) -> None:
        services.rule_version_update(actor=request.user, version=version, rules=rules, note=form.cleaned_data.get("note", ""))
        messages.success(request, _("Rule version %(n)d corrected.") % {"n": version.number})

    return _rules_page(request, programme, form, save, {"version": version})


@data_category(Category.PROGRAMME)
@require_GET
def rule_version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code)
    version = selectors.rule_version_get(user=request.user, programme=programme, number=number)
    return render(request, "programmes/rule_version.html", {"programme": programme, "version": version, "plain": describe(version.rules)})


@data_category(Category.AUDIT)
@login_required
@require_GET
def programme_history(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code)
    events = audit_history_for(user=request.user, subject=programme, whole_programme=True)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "programmes/history.html", {"programme": programme, "page": page})


@data_category(Category.PROGRAMME)
@require_GET
def agreement_download(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code)
    return selectors.agreement_response(programme)


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def agreement_upload(request: HttpRequest, code: str) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    return _act_then_return(
        request,
        code,
        lambda: services.programme_attach_agreement(actor=request.user, programme=programme, upload=request.FILES.get("file")),
        _("Agreement attached."),
    )


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def rules_check(request: HttpRequest, code: str) -> HttpResponse:
    """HTMX partial: the errors and ILO warnings of the rules in the form, without saving anything."""
    programme = selectors.programme_get(user=request.user, code=code, action="change")
    form = RuleVersionForm(request.POST, with_date=False)
    errors, warnings = [], []
    if form.is_valid():
        rules = form.rules()
        if form.is_valid():
            verdict = services.validate_rules(rules)
            errors = [{"field": i.field, "message": i.message} for i in verdict.errors]
            warnings = verdict.warnings
    if not form.is_valid():
        errors = [{"field": form.fields[name].label if name in form.fields else "", "message": m} for name, msgs in form.errors.items() for m in msgs]
    return render(request, "programmes/_rules_check.html", {"programme": programme, "errors": errors, "warnings": warnings})
