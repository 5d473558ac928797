"""Pages for programmes: list, detail with rules in plain language, create, edit, corridors, rule versions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, NotFound
from corridor.core.selectors import audit_history_for
from corridor.core.views import data_category
from corridor.programmes import selectors, services
from corridor.programmes.forms import CorridorForm, ProgrammeForm, RuleVersionForm
from corridor.programmes.models import InstitutionalDesign, ProgrammeCategory, ProgrammeStatus
from corridor.programmes.plain_language import describe
from corridor.reference import codes


def _forbidden(request, reason: str) -> HttpResponse:
    return render(request, "core/forbidden.html", {"reason": reason}, status=403)


def _not_found(request, exc: NotFound) -> HttpResponse:
    return render(request, "core/not_found.html", {"reason": exc.message}, status=404)


def _apply_errors(form, exc: DomainError) -> None:
    for err in exc.as_errors():
        field = err.get("field")
        form.add_error(field if field in form.fields else None, err["message"])


@data_category(Category.PROGRAMME)
@require_GET
def programme_list(request: HttpRequest) -> HttpResponse:
    filters = {k: request.GET.get(k, "").strip() for k in ("q", "category", "design", "status", "destination", "origin")}
    qs = selectors.programme_list(user=request.user, **filters)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    can_create = bool(roles_of(request.user) & {Role.MINISTRY_ADMIN, Role.PLATFORM_ADMIN})
    context = {
        "page": page,
        "filters": filters,
        "categories": ProgrammeCategory.choices,
        "designs": InstitutionalDesign.choices,
        "statuses": ProgrammeStatus.choices,
        "can_create": can_create,
    }
    template = "programmes/_list_rows.html" if request.headers.get("HX-Request") else "programmes/list.html"
    return render(request, template, context)


@data_category(Category.PROGRAMME)
@require_GET
def programme_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code)
    except NotFound as exc:
        return _not_found(request, exc)
    in_force = selectors.rule_version_in_force(programme=programme)
    shown = in_force or selectors.rule_version_latest(programme=programme)
    context = {
        "programme": programme,
        "destination_name": codes.country_name(programme.destination_country),
        "corridors": [(c, codes.country_name(c.origin_country)) for c in selectors.corridor_list(user=request.user, programme=programme)],
        "versions": selectors.rule_version_list(user=request.user, programme=programme),
        "in_force": in_force,
        "shown": shown,
        "plain": describe(shown.rules) if shown else [],
        "can_change": selectors.programme_can_change(user=request.user, programme=programme),
        "statuses": ProgrammeStatus,
        "today": timezone.localdate(),
    }
    return render(request, "programmes/detail.html", context)


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def programme_create(request: HttpRequest) -> HttpResponse:
    if not roles_of(request.user) & {Role.MINISTRY_ADMIN, Role.PLATFORM_ADMIN}:
        return _forbidden(request, _("Only a destination ministry's programme administrator can create a programme."))
    initial = {}
    if request.user.organisation:
        initial["destination_country"] = request.user.organisation.country
    form = ProgrammeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, owner=None if Role.MINISTRY_ADMIN in roles_of(request.user) else _platform_owner(form), **form.cleaned_data)
            messages.success(request, _("Programme %(code)s created as a draft. Review its rules, open corridors, then activate it.") % {"code": programme.code})
            return redirect("programmes:detail", code=programme.code)
        except DomainError as exc:
            _apply_errors(form, exc)
    status = 422 if request.method == "POST" else 200
    return render(request, "programmes/form.html", {"form": form, "creating": True}, status=status)


def _platform_owner(form):
    from corridor.accounts.models import Organisation, OrgKind

    return Organisation.objects.filter(kind=OrgKind.DESTINATION_MINISTRY, country=form.cleaned_data["destination_country"]).first()


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def programme_edit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code, action="change")
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    fields = ["name", "institutional_design", "category", "description", "agreement_title", "agreement_signed_on", "agreement_valid_from", "agreement_valid_until"]
    form = ProgrammeForm(request.POST or None, editing=True, initial={f: getattr(programme, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        try:
            services.programme_update(actor=request.user, programme=programme, changes=form.cleaned_data, reason=request.POST.get("reason", ""))
            messages.success(request, _("Programme updated."))
            return redirect("programmes:detail", code=programme.code)
        except DomainError as exc:
            _apply_errors(form, exc)
    status = 422 if request.method == "POST" else 200
    return render(request, "programmes/form.html", {"form": form, "programme": programme}, status=status)


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def programme_status(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code, action="change")
        services.programme_set_status(actor=request.user, programme=programme, status=request.POST.get("status", ""), reason=request.POST.get("reason", ""))
        messages.success(request, _("Status changed."))
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        if exc.status == 403:
            return _forbidden(request, exc.message)
        messages.error(request, exc.message)
    return redirect("programmes:detail", code=code.upper())


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def corridor_add(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code, action="change")
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    form = CorridorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.corridor_add(actor=request.user, programme=programme, **form.cleaned_data)
            messages.success(request, _("Corridor opened."))
            return redirect("programmes:detail", code=programme.code)
        except DomainError as exc:
            _apply_errors(form, exc)
    status = 422 if request.method == "POST" else 200
    return render(request, "programmes/corridor_form.html", {"form": form, "programme": programme}, status=status)


@data_category(Category.PROGRAMME)
@login_required
@require_POST
def corridor_toggle(request: HttpRequest, code: str, origin: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code, action="change")
        corridor = selectors.corridor_list(user=request.user, programme=programme).filter(origin_country=origin.upper()).first()
        if corridor is None:
            raise NotFound(_("No such corridor."))
        services.corridor_set_active(actor=request.user, corridor=corridor, is_active=not corridor.is_active, reason=request.POST.get("reason", ""))
        messages.success(request, _("Corridor updated."))
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        if exc.status == 403:
            return _forbidden(request, exc.message)
        messages.error(request, exc.message)
    return redirect("programmes:detail", code=code.upper())


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def rule_version_new(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code, action="change")
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    latest = selectors.rule_version_latest(programme=programme)
    initial = RuleVersionForm.initial_from_rules(latest.rules) if latest else {}
    form = RuleVersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        rules = form.rules()
        if form.is_valid():
            try:
                version = services.rule_version_create(
                    actor=request.user, programme=programme, rules=rules,
                    effective_from=form.cleaned_data["effective_from"], note=form.cleaned_data["note"],
                )
                messages.success(request, _("Rule version %(n)d saved.") % {"n": version.number})
                return redirect("programmes:detail", code=programme.code)
            except DomainError as exc:
                form.add_rule_errors(exc.as_errors())
    status = 422 if request.method == "POST" else 200
    return render(request, "programmes/rules_form.html", {"form": form, "programme": programme, "latest": latest}, status=status)


@data_category(Category.PROGRAMME)
@login_required
@require_http_methods(["GET", "POST"])
def rule_version_edit(request: HttpRequest, code: str, number: int) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code, action="change")
        version = selectors.rule_version_get(user=request.user, programme=programme, number=number)
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    form = RuleVersionForm(request.POST or None, initial=RuleVersionForm.initial_from_rules(version.rules), with_date=False)
    if request.method == "POST" and form.is_valid():
        rules = form.rules()
        if form.is_valid():
            try:
                services.rule_version_update(actor=request.user, version=version, rules=rules, note=form.cleaned_data.get("note", ""))
                messages.success(request, _("Rule version %(n)d corrected.") % {"n": version.number})
                return redirect("programmes:detail", code=programme.code)
            except DomainError as exc:
                form.add_rule_errors(exc.as_errors())
    status = 422 if request.method == "POST" else 200
    return render(request, "programmes/rules_form.html", {"form": form, "programme": programme, "version": version}, status=status)


@data_category(Category.PROGRAMME)
@require_GET
def rule_version_detail(request: HttpRequest, code: str, number: int) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code)
        version = selectors.rule_version_get(user=request.user, programme=programme, number=number)
    except NotFound as exc:
        return _not_found(request, exc)
    return render(request, "programmes/rule_version.html", {"programme": programme, "version": version, "plain": describe(version.rules)})


@data_category(Category.AUDIT)
@login_required
@require_GET
def programme_history(request: HttpRequest, code: str) -> HttpResponse:
    try:
        programme = selectors.programme_get(user=request.user, code=code)
        events = audit_history_for(user=request.user, subject=programme, whole_programme=True)
    except NotFound as exc:
        return _not_found(request, exc)
    except DomainError as exc:
        return _forbidden(request, exc.message)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "programmes/history.html", {"programme": programme, "page": page})
