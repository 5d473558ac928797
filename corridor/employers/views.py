"""Pages for employers: registration, profile, the ministry's review queue, housing and inspections.

Selectors and services raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, NotFound
from corridor.core.views import data_category
from corridor.employers import selectors, services
from corridor.employers.forms import (
    HousingForm,
    InspectionForm,
    RegisterForm,
    ReviewForm,
    SignUpForm,
    WorksiteForm,
)
from corridor.employers.models import MINISTRY_ROLES, EmployerProfile
from corridor.programmes.models import Programme
from corridor.programmes.selectors import programme_get, programme_list


def _apply_errors(form, exc: DomainError) -> None:
    for err in exc.as_errors():
        field = (err.get("field") or "").split(".")[-1]
        field = {"photo": "photo", "rooms": "beds_per_room"}.get(field, field)
        form.add_error(field if field in form.fields else None, err["message"])


def _form_status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """An employer organisation's member registers it, with a first worksite."""
    if EmployerProfile.objects.filter(organisation_id=request.user.organisation_id).restrict(request.user, "change").exists():
        return redirect("employers:me")
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        site = {k: data.pop(f"worksite_{k}") for k in ("name", "address", "region")}
        worksites = []
        if site["name"] or site["address"]:
            site["country"] = request.user.organisation.country if request.user.organisation else ""
            worksites.append(site)
        try:
            services.employer_register(actor=request.user, worksites=worksites, **data)
            messages.success(request, _("Your organisation is registered. Apply to a programme from your profile."))
            return redirect("employers:me")
        except DomainError as exc:
            for err in exc.as_errors():
                field = err.get("field") or ""
                if field.startswith("worksites["):
                    field = "worksite_" + field.split(".")[-1]
                form.add_error(field if field in form.fields else None, err["message"])
    return render(request, "employers/register.html", {"form": form}, status=_form_status(request))


SIGN_UP_RATE = "10/h"


@data_category(Category.ORGANISATION)
@require_http_methods(["GET", "POST"])
def sign_up(request: HttpRequest) -> HttpResponse:
    """A new employer registers itself and its first account; it is then signed in and can apply to programmes."""
    from django.contrib.auth import login
    from django_ratelimit.core import is_ratelimited

    if request.user.is_authenticated:
        return redirect("employers:me")
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if is_ratelimited(request, group="employer-sign-up", key="ip", rate=SIGN_UP_RATE, increment=True):
            form.is_valid()
            form.add_error(None, _("Too many sign-ups from this address; try again in an hour."))
            return render(request, "employers/sign_up.html", {"form": form}, status=429)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("password_again")
            site = {k: data.pop(f"worksite_{k}") for k in ("name", "address", "region")}
            site["country"] = data["country"]
            try:
                profile = services.employer_sign_up(worksites=[site], **data)
            except DomainError as exc:
                for err in exc.as_errors():
                    field = err.get("field") or ""
                    if field.startswith("worksites["):
                        field = "worksite_" + field.split(".")[-1]
                    form.add_error(field if field in form.fields else None, err["message"])
            else:
                user = profile.organisation.members.get(username=data["username"].strip())
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, _("Your organisation is registered. Add housing and apply to a programme."))
                return redirect("employers:detail", pk=profile.pk)
    return render(request, "employers/sign_up.html", {"form": form}, status=status)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    try:
        employer = selectors.employer_of_user(user=request.user)
    except NotFound:
        if Role.EMPLOYER in roles_of(request.user):
            return redirect("employers:register")
        raise
    return redirect("employers:detail", pk=employer.pk)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def employer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The profile with worksites, approvals per programme and housing units."""
    employer = selectors.employer_get(user=request.user, pk=pk)
    is_member = EmployerProfile.objects.filter(pk=pk).restrict(request.user, "change").exists()
    applied = set(selectors.approval_list(user=request.user, employer=employer).values_list("programme_id", flat=True))
    open_programmes = []
    if is_member:
        open_programmes = [
            p for p in programme_list(user=request.user, destination=employer.organisation.country) if p.pk not in applied
        ]
    context = {
        "employer": employer,
        "is_member": is_member,
        "worksites": selectors.worksite_list(user=request.user, employer=employer),
        "approvals": selectors.approval_list(user=request.user, employer=employer),
        "units": selectors.housing_list(user=request.user, employer=employer),
        "open_programmes": open_programmes,
        "worksite_form": WorksiteForm(initial={"country": employer.organisation.country}) if is_member else None,
        "is_reviewer": bool(roles_of(request.user) & MINISTRY_ROLES),
    }
    return render(request, "employers/detail.html", context)


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    employer = selectors.employer_get(user=request.user, pk=pk, action="change")
    programme = programme_get(user=request.user, code=request.POST.get("programme", "")[:30])
    try:
        services.employer_apply(actor=request.user, employer=employer, programme=programme)
        messages.success(request, _("Application sent to the ministry for %(code)s.") % {"code": programme.code})
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("employers:detail", pk=employer.pk)


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def worksite_add(request: HttpRequest, pk: int) -> HttpResponse:
    employer = selectors.employer_get(user=request.user, pk=pk, action="change")
    form = WorksiteForm(request.POST or None, initial={"country": employer.organisation.country})
    if request.method == "POST" and form.is_valid():
        try:
            services.worksite_create(actor=request.user, employer=employer, **form.cleaned_data)
            messages.success(request, _("Worksite added."))
            return redirect("employers:detail", pk=employer.pk)
        except DomainError as exc:
            _apply_errors(form, exc)
    return render(request, "employers/worksite_form.html", {"form": form, "employer": employer}, status=_form_status(request))


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    """Applications the ministry officer may decide on, pending first."""
    if not roles_of(request.user) & (MINISTRY_ROLES | {Role.PLATFORM_ADMIN}):
        raise Forbidden(_("Only officers of a destination labour ministry review employers."))
    return render(request, "employers/review_queue.html", {"approvals": selectors.review_queue(user=request.user)[:200]})


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """One employer's application under one programme, with the decision form."""
    employer = selectors.employer_get(user=request.user, pk=pk)
    programme = programme_get(user=request.user, code=code)
    approval = selectors.approval_get(user=request.user, employer=employer, programme=programme)
    form = ReviewForm(
        request.POST or None,
        initial={k: getattr(approval, k) for k in ("documents_checked", "finances", "compliance_history")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        vetting = {k: data[k] for k in ("documents_checked", "finances", "compliance_history")}
        target = {"actor": request.user, "employer": employer, "programme": programme}
        actions = {
            "approve": lambda: services.employer_approve(vetting=vetting, **target),
            "reject": lambda: services.employer_reject(reason=data["reason"], vetting=vetting, **target),
            "suspend": lambda: services.employer_suspend(reason=data["reason"], until=data["until"], **target),
            "ban": lambda: services.employer_ban(reason=data["reason"], until=data["until"], **target),
            "renew": lambda: services.employer_renew(vetting=vetting, **target),
        }
        try:
            actions[data["action"]]()
            messages.success(request, _("Decision recorded."))
            return redirect("employers:review", pk=employer.pk, code=programme.code)
        except DomainError as exc:
            if exc.field == "status":
                form.add_error("action", exc.message)
            else:
                _apply_errors(form, exc)
    on_date = timezone.localdate()
    may_submit, why = selectors.employer_may_submit_job_orders(employer, programme, on_date)
    context = {"employer": employer, "programme": programme, "approval": approval, "form": form, "may_submit": may_submit, "why": why}
    return render(request, "employers/review.html", context, status=_form_status(request))


def _housing_form(request: HttpRequest, employer, unit=None) -> HttpResponse:
    worksites = selectors.worksite_list(user=request.user, employer=employer)
    initial = {"charge_currency": "", "status": "offered"}
    if unit is not None:
        initial = {
            "worksite": unit.worksite_id,
            "address": unit.address,
            "beds_per_room": ", ".join(str(b) for b in unit.beds_per_room),
            "floor_area_m2": unit.floor_area_m2,
            "facilities": ", ".join(unit.facilities),
            "charge_amount": unit.charge_amount,
            "charge_currency": unit.charge_currency,
            "status": unit.status,
        }
    elif request.GET.get("worksite", "").isdigit():
        initial["worksite"] = int(request.GET["worksite"])
    form = HousingForm(request.POST or None, request.FILES or None, worksites=worksites, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        photo = data.pop("photo")
        worksite = selectors.worksite_get(user=request.user, pk=data.pop("worksite"), action="change")
        try:
            with transaction.atomic():
                if unit is None:
                    unit = services.housing_unit_create(actor=request.user, worksite=worksite, **data)
                else:
                    unit = services.housing_unit_update(actor=request.user, unit=unit, **data)
                if photo is not None:
                    services.housing_photo_add(actor=request.user, unit=unit, upload=photo)
            messages.success(request, _("Housing unit saved."))
            return redirect("employers:housing", pk=unit.pk)
        except DomainError as exc:
            _apply_errors(form, exc)
    return render(
        request, "employers/housing_form.html", {"form": form, "employer": employer, "unit": unit}, status=_form_status(request)
    )


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def housing_new(request: HttpRequest) -> HttpResponse:
    return _housing_form(request, selectors.employer_of_user(user=request.user))


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def housing_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.housing_get(user=request.user, pk=pk, action="change")
    return _housing_form(request, unit.worksite.employer, unit)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def housing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A housing unit with its photos and the check against a chosen programme's housing standard."""
    unit = selectors.housing_get(user=request.user, pk=pk)
    country = unit.worksite.country
    programmes = list(Programme.objects.filter(destination_country=country).restrict(request.user).order_by("code"))
    chosen = request.GET.get("programme", "").strip()[:30]
    check = None
    if chosen:
        check = selectors.housing_check(unit=unit, programme=programme_get(user=request.user, code=chosen))
    context = {
        "unit": unit,
        "programmes": programmes,
        "chosen": chosen.upper(),
        "check": check,
        "can_change": EmployerProfile.objects.filter(pk=unit.worksite.employer_id).restrict(request.user, "change").exists(),
        "inspections": selectors.inspection_list(user=request.user, unit=unit)[:5],
        "can_inspect": Role.LABOUR_INSPECTOR in roles_of(request.user),
    }
    return render(request, "employers/housing_detail.html", context)


@data_category(Category.INSPECTION)
@login_required
@require_http_methods(["GET", "POST"])
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    """A labour inspector records a visit to a housing unit; the unit's earlier inspections are listed."""
    unit = selectors.housing_get(user=request.user, pk=pk)
    if Role.LABOUR_INSPECTOR not in roles_of(request.user):
        raise Forbidden(_("Only labour inspectors record inspections."))
    form = InspectionForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.housing_inspection_record(actor=request.user, unit=unit, **form.cleaned_data)
            messages.success(request, _("Inspection recorded."))
            return redirect("employers:inspect", pk=unit.pk)
        except DomainError as exc:
            _apply_errors(form, exc)
    context = {"unit": unit, "form": form, "inspections": selectors.inspection_list(user=request.user, unit=unit)}
    return render(request, "employers/inspection_form.html", context, status=_form_status(request))
