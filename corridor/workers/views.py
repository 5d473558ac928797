"""Pages of the work-ready pool: the worker's registration (phone first), claim, "My profile", "Who can see my
profile" and data download; the origin authority's list with its verification actions; registration on a worker's
behalf; the profile's parts.

Selectors and services raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page; any other
refusal of a service is shown beside the field it names (422; 413 for an oversized upload).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from corridor.core.views import data_category
from corridor.reference import codes
from corridor.workers import forms, selectors, services
from corridor.workers.models import ConsentPurpose, PoolStatus, Worker

REGISTER_RATE = "20/h"
CLAIM_RATE = "20/h"
LIST_PAGE = 50


# --- helpers --------------------------------------------------------------------------------------------------------


def _status_for(request: HttpRequest, exc: DomainError | None = None) -> int:
    if exc is not None and exc.status == 413:
        return 413
    return 422 if request.method == "POST" else 200


def _apply_errors(form, exc: DomainError) -> None:
    for err in exc.as_errors():
        field = (err.get("field") or "").split(".")[0]
        form.add_error(field if field in form.fields else None, err["message"])


def _ratelimited(request: HttpRequest, group: str, rate: str) -> bool:
    from django_ratelimit.core import is_ratelimited

    return is_ratelimited(request, group=group, key="ip", rate=rate, increment=True)


def _sign_in(request: HttpRequest, user, response_to: str) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    response = redirect(response_to)
    if user.language in dict(settings.LANGUAGES):
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax", secure=settings.HTTPS)
    return response


def _worker(request: HttpRequest, public_id: str, action: str = "view") -> Worker:
    return selectors.worker_get(user=request.user, public_id=public_id, action=action)


def _profile_url(request: HttpRequest, worker: Worker) -> str:
    if services.is_self(request.user, worker):
        return reverse("workers:me")
    return reverse("workers:detail", args=[worker.public_id])


def _form_page(request, *, form, title: str, intro: str = "", submit: str, back: str, worker: Worker | None = None,
               status: int = 200, multipart: bool = False, danger: bool = False) -> HttpResponse:
    context = {"form": form, "title": title, "intro": intro, "submit": submit, "back": back, "worker": worker,
               "multipart": multipart, "danger": danger}
    return render(request, "workers/form.html", context, status=status)


# --- registration by the worker, and the claim of a registration made for them -------------------------------------


@data_category(Category.WORKER_CONTACT)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """A worker registers on their own, from a phone, in their language; then they are signed in."""
    if request.user.is_authenticated:
        return redirect("workers:me")
    form = forms.SelfRegisterForm(request.POST or None, initial={"language": get_language() or "en"})
    status = 200
    if request.method == "POST":
        status = 422
        if _ratelimited(request, "worker-register", REGISTER_RATE):
            form.is_valid()
            form.add_error(None, _("Too many registrations from this address; try again in an hour."))
            return render(request, "workers/register.html", {"form": form}, status=429)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("password_again")
            try:
                worker = services.worker_register_self(via="web", **data)
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("You are registered. Your worker identifier is %(id)s.") % {"id": worker.public_id})
                return _sign_in(request, worker.user, reverse("workers:me"))
    return render(request, "workers/register.html", {"form": form}, status=status)


@data_category(Category.WORKER_CONTACT)
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    """A worker registered by the origin authority or an agency confirms the registration and makes an account."""
    if request.user.is_authenticated:
        return redirect("workers:me")
    form = forms.ClaimForm(request.POST or None, initial={"public_id": request.GET.get("id", "")[:12]})
    status = 200
    if request.method == "POST":
        status = 422
        if _ratelimited(request, "worker-claim", CLAIM_RATE):
            form.is_valid()
            form.add_error(None, _("Too many attempts from this address; try again in an hour."))
            return render(request, "workers/claim.html", {"form": form}, status=429)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("password_again")
            try:
                _worker_row, user = services.worker_claim(via="web", language=get_language(), **data)
            except DomainError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("Your registration is confirmed and your account is ready."))
                return _sign_in(request, user, reverse("workers:me"))
    return render(request, "workers/claim.html", {"form": form}, status=status)


# --- my profile -----------------------------------------------------------------------------------------------------


def _eligibility_rows(request: HttpRequest, worker: Worker) -> list[dict]:
    rows = []
    for programme in selectors.programmes_for(user=request.user, worker=worker)[:20]:
        try:
            report = selectors.eligibility(worker=worker, programme=programme, language=get_language())
        except DomainError:  # e.g. a programme with no rules in force: nothing to check against
            report = None
        rows.append({"programme": programme, "report": report})
    return rows


def _profile_context(request: HttpRequest, worker: Worker) -> dict:
    user = request.user
    mine = services.is_self(user, worker)
    today = timezone.localdate()
    documents = list(selectors.part_list(user=user, worker=worker, part="documents"))
    for document in documents:
        document.is_expired = services.document_expired(document, today)
    medical = list(selectors.part_list(user=user, worker=worker, part="medical"))
    for clearance in medical:
        clearance.valid_today = clearance.issued_on <= today <= clearance.valid_until
    officer = services.is_origin_officer_for(user, worker.nationality)
    return {
        "worker": worker,
        "mine": mine,
        "can_change": selectors.may_change(user=user, worker=worker),
        "officer": officer,
        "contact": selectors.contact_get(user=user, worker=worker),
        "documents": documents,
        "languages": selectors.part_list(user=user, worker=worker, part="languages"),
        "occupations": selectors.part_list(user=user, worker=worker, part="occupations"),
        "medical": medical,
        "consents": [c for c in selectors.consent_list(user=user, worker=worker) if c.valid] if mine or officer else [],
        "next_step": selectors.next_step(worker),
        "missing": [m for m in services.work_ready_missing(worker) if m["field"] != "status"]
        if worker.status == PoolStatus.VERIFIED else [],
        "eligibility": _eligibility_rows(request, worker) if mine or officer else [],
        "nationality_name": codes.country_name(worker.nationality) or worker.nationality,
        "language_name": codes.language_name(worker.language) or worker.language,
        "excluded": worker.banned_until is not None and worker.banned_until >= today,
        "verify_form": forms.VerifyForm() if officer and worker.status == PoolStatus.REGISTERED else None,
        "exclude_form": forms.ExcludeForm() if officer and worker.status != PoolStatus.MERGED else None,
        "may_mark_ready": officer and worker.status == PoolStatus.VERIFIED,
    }


@data_category(Category.WORKER_IDENTITY)
@require_http_methods(["GET", "POST"])
def me(request: HttpRequest) -> HttpResponse:
    """The worker's home: status, the next step in plain words, the profile, consents and eligibility. A worker
    account without a profile yet fills it in here."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    worker = selectors.worker_of_user(user=request.user)
    if worker is not None:
        if request.method == "POST":
            return redirect("workers:me")
        return render(request, "workers/detail.html", _profile_context(request, worker))
    if Role.WORKER not in roles_of(request.user):
        return redirect("workers:list")
    form = forms.RegisterForm(request.POST or None, initial={"language": request.user.language or get_language()})
    del form.fields["address"]
    if request.method == "POST" and form.is_valid():
        try:
            services.worker_profile_create(actor=request.user, **form.cleaned_data)
            messages.success(request, _("Your profile is registered."))
            return redirect("workers:me")
        except DomainError as exc:
            _apply_errors(form, exc)
    return _form_page(
        request, form=form, title=_("Your worker profile"), submit=_("Register my profile"), back=reverse("core:home"),
        intro=_("Tell us who you are and how to reach you. The origin authority of your country then verifies it."),
        status=_status_for(request),
    )


def _own_worker(request: HttpRequest) -> Worker:
    worker = selectors.worker_of_user(user=request.user)
    if worker is None:
        raise NotFound(_("Your account has no worker profile yet."))
    return worker


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def consents(request: HttpRequest) -> HttpResponse:
    """"Who can see my profile": the consents given, with a withdraw button each, and those that can be given."""
    worker = _own_worker(request)
    language = get_language()
    all_consents = list(selectors.consent_list(user=request.user, worker=worker))
    given = {(c.purpose, c.programme_id, c.agency_id) for c in all_consents if c.valid}
    offers = []
    for programme in selectors.programmes_for(user=request.user, worker=worker):
        for purpose in (ConsentPurpose.SELECTION, ConsentPurpose.EMPLOYERS):
            if (purpose, programme.pk, None) not in given:
                offers.append({"purpose": purpose, "programme": programme, "agency": None,
                               "wording": services.consent_wording(purpose=purpose, programme=programme, language=language)})
    for agency in selectors.agencies_for(user=request.user, worker=worker):
        if (ConsentPurpose.AGENCY, None, agency.pk) not in given:
            offers.append({"purpose": ConsentPurpose.AGENCY, "programme": None, "agency": agency,
                           "wording": services.consent_wording(purpose=ConsentPurpose.AGENCY, agency=agency, language=language)})
    context = {
        "worker": worker,
        "valid": [c for c in all_consents if c.valid],
        "past": [c for c in all_consents if not c.valid],
        "offers": offers,
        "authority": codes.country_name(worker.nationality) or worker.nationality,
    }
    return render(request, "workers/consents.html", context)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def consent_give(request: HttpRequest) -> HttpResponse:
    worker = _own_worker(request)
    purpose = request.POST.get("purpose", "")[:12]
    try:
        programme = (
            selectors.programme_choice(user=request.user, code=request.POST["programme"])
            if request.POST.get("programme") else None
        )
        agency = selectors.agency_choice(user=request.user, agency_id=request.POST["agency"]) if request.POST.get("agency") else None
        services.consent_give(actor=request.user, worker=worker, purpose=purpose, programme=programme, agency=agency,
                              language=get_language())
        messages.success(request, _("Consent given. You can withdraw it here at any time."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("workers:consents")


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def consent_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    worker = _own_worker(request)
    consent = selectors.consent_get(user=request.user, worker=worker, pk=pk)
    try:
        services.consent_withdraw(actor=request.user, consent=consent, reason=request.POST.get("reason", "")[:2000])
        messages.success(request, _("Consent withdrawn: they no longer see your profile through it."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("workers:consents")


@data_category(Category.WORKER_CONTACT)
@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """Everything held about the signed-in worker, as a JSON download."""
    worker = _own_worker(request)
    data = services.worker_export(actor=request.user, worker=worker, collect=selectors.export_data)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{worker.public_id.lower()}-data.json"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- the origin authority's and agencies' pages -------------------------------------------------------------------


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def worker_list(request: HttpRequest) -> HttpResponse:
    """The workers the user may see, with filters: for the origin authority, its nationals."""
    form = forms.FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    try:
        qs = selectors.worker_list(user=request.user, status=data.get("status", ""), nationality=data.get("nationality", ""),
                                   q=data.get("q", ""))
    except InvalidInput as exc:
        _apply_errors(form, exc)
        qs = Worker.objects.none()
    page = Paginator(qs, LIST_PAGE).get_page(request.GET.get("page"))
    roles = roles_of(request.user)
    context = {
        "form": form,
        "page": page,
        "may_register": bool(roles & {Role.ORIGIN_OFFICER, Role.AGENCY}),
        "is_officer": Role.ORIGIN_OFFICER in roles,
        "today": timezone.localdate(),
    }
    return render(request, "workers/list.html", context)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def unconfirmed(request: HttpRequest) -> HttpResponse:
    """Registrations the user's organisation made for workers who have not confirmed them yet."""
    page = Paginator(selectors.unconfirmed_list(user=request.user), LIST_PAGE).get_page(request.GET.get("page"))
    return render(request, "workers/unconfirmed.html", {"page": page, "today": timezone.localdate()})


@data_category(Category.WORKER_CONTACT)
@login_required
@require_http_methods(["GET", "POST"])
def register_on_behalf(request: HttpRequest) -> HttpResponse:
    """The origin authority or a licensed agency registers a worker; the worker confirms it later."""
    roles = roles_of(request.user)
    if not roles & {Role.ORIGIN_OFFICER, Role.AGENCY}:
        raise Forbidden(_("Only the origin authority or a licensed recruitment agency registers workers on their behalf."))
    org = request.user.organisation
    fixed = org.country if Role.ORIGIN_OFFICER in roles and org is not None else None
    form = forms.RegisterForm(request.POST or None, fixed_nationality=fixed, initial={"language": get_language()})
    if request.method == "POST" and form.is_valid():
        try:
            worker = services.worker_register_on_behalf(actor=request.user, **form.cleaned_data)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered as %(id)s. Give the worker this identifier: they confirm the registration at "
                  "%(url)s with it, their phone number and date of birth.")
                % {"name": worker.full_name, "id": worker.public_id, "url": request.build_absolute_uri(reverse("workers:claim"))},
            )
            return redirect("workers:detail", public_id=worker.public_id)
    return _form_page(
        request, form=form, title=_("Register a worker on their behalf"), submit=_("Register"), back=reverse("workers:list"),
        intro=_("The registration is complete once the worker confirms it with the identifier you give them, their "
                "phone number and date of birth. No one may charge the worker for registering."),
        status=_status_for(request),
    )


# --- one worker's profile -------------------------------------------------------------------------------------------


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def worker_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    worker = _worker(request, public_id)
    if services.is_self(request.user, worker):
        return redirect("workers:me")
    return render(request, "workers/detail.html", _profile_context(request, worker))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def identity_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    worker = _worker(request, public_id, "change")
    initial = {k: getattr(worker, k) for k in services.PROFILE_FIELDS}
    form = forms.IdentityForm(request.POST or None, initial=initial, fixed_nationality=worker.nationality)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "nationality"}
        try:
            services.worker_update(actor=request.user, worker=worker, **data)
            messages.success(request, _("Saved."))
            return redirect(_profile_url(request, worker))
        except DomainError as exc:
            _apply_errors(form, exc)
    return _form_page(request, form=form, title=_("About you") if services.is_self(request.user, worker) else worker.full_name,
                      submit=_("Save"), back=_profile_url(request, worker), worker=worker, status=_status_for(request))


@data_category(Category.WORKER_CONTACT)
@login_required
@require_http_methods(["GET", "POST"])
def contact_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    worker = _worker(request, public_id, "change")
    contact = selectors.contact_get(user=request.user, worker=worker)
    initial = {k: getattr(contact, k) for k in services.CONTACT_FIELDS} if contact else {}
    form = forms.ContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(actor=request.user, worker=worker, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect(_profile_url(request, worker))
        except DomainError as exc:
            _apply_errors(form, exc)
    return _form_page(request, form=form, title=_("Contact details"), submit=_("Save"), back=_profile_url(request, worker),
                      worker=worker, status=_status_for(request))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def orientation_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    worker = _worker(request, public_id, "change")
    form = forms.OrientationForm(request.POST or None, initial={"completed_on": worker.orientation_completed_on})
    if request.method == "POST" and form.is_valid():
        try:
            services.orientation_record(actor=request.user, worker=worker, completed_on=form.cleaned_data["completed_on"])
            messages.success(request, _("Saved."))
            return redirect(_profile_url(request, worker))
        except DomainError as exc:
            _apply_errors(form, exc)
    return _form_page(request, form=form, title=_("Pre-departure orientation"), submit=_("Save"),
                      back=_profile_url(request, worker), worker=worker, status=_status_for(request))


# The profile's parts: (form, title, add, change, remove, keyword the change and remove services take).
PART_PAGES = {
    "documents": (forms.DocumentForm, gettext_lazy("Identity document"), services.document_add, services.document_change,
                  services.document_remove, "document"),
    "languages": (forms.LanguageResultForm, gettext_lazy("Language result"), services.language_result_add,
                  services.language_result_change, services.language_result_remove, "result"),
    "occupations": (forms.OccupationForm, gettext_lazy("Occupation"), services.occupation_add, services.occupation_change,
                    services.occupation_remove, "occupation"),
    "medical": (forms.MedicalForm, gettext_lazy("Medical clearance"), services.medical_add, services.medical_change,
                services.medical_remove, "clearance"),
}


def _part_initial(part: str, item) -> dict:
    form_class = PART_PAGES[part][0]
    initial = {name: getattr(item, name) for name in form_class.base_fields if name != "file" and hasattr(item, name)}
    if part == "medical":
        initial["fit"] = "true" if item.fit else "false"
    return initial


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def part_edit(request: HttpRequest, public_id: str, part: str, pk: int | None = None) -> HttpResponse:
    """Add (pk None) or change one part of the profile."""
    if part not in PART_PAGES:
        raise NotFound(_("No such part of a profile."))
    form_class, title, add, change, _remove, keyword = PART_PAGES[part]
    worker = _worker(request, public_id, "change")
    item = selectors.part_get(user=request.user, worker=worker, part=part, pk=pk, action="change") if pk else None
    form = form_class(request.POST or None, request.FILES or None, initial=_part_initial(part, item) if item else None)
    error = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        upload = (data.pop("file", None) or None) if part == "documents" else None
        extra = {"upload": upload} if part == "documents" else {}
        try:
            if item is None:
                saved = add(actor=request.user, worker=worker, **extra, **data)
            else:
                saved = change(actor=request.user, **{keyword: item}, **extra, **data)
        except (NotFound, Forbidden):
            raise
        except DomainError as exc:
            error = exc
            _apply_errors(form, exc)
        else:
            if part == "documents" and services.document_expired(saved):
                messages.warning(request, _("Saved. This document has expired: it does not count as a valid document."))
            else:
                messages.success(request, _("Saved."))
            return redirect(_profile_url(request, worker))
    return _form_page(request, form=form, title=str(title), submit=_("Save"), back=_profile_url(request, worker),
                      worker=worker, status=_status_for(request, error), multipart=part == "documents")


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def part_remove(request: HttpRequest, public_id: str, part: str, pk: int) -> HttpResponse:
    if part not in PART_PAGES:
        raise NotFound(_("No such part of a profile."))
    _form_class, title, _add, _change, remove, keyword = PART_PAGES[part]
    worker = _worker(request, public_id, "change")
    item = selectors.part_get(user=request.user, worker=worker, part=part, pk=pk, action="change")
    form = forms.RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        remove(actor=request.user, reason=form.cleaned_data["reason"], **{keyword: item})
        messages.success(request, _("Removed."))
        return redirect(_profile_url(request, worker))
    return _form_page(request, form=form, title=_("Remove: %(what)s") % {"what": f"{title} — {item}"}, submit=_("Remove"),
                      back=_profile_url(request, worker), worker=worker, status=_status_for(request), danger=True)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def document_scan(request: HttpRequest, public_id: str, pk: int) -> HttpResponse:
    """The scan of an identity document, for those who may see the document; never a public media URL."""
    worker = _worker(request, public_id)
    document = selectors.part_get(user=request.user, worker=worker, part="documents", pk=pk)
    return selectors.document_scan_response(user=request.user, document=document)


# --- the origin authority's decisions --------------------------------------------------------------------------------


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def decide(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """Verify, mark work-ready or exclude; a refusal lists every reason on the profile page."""
    worker = _worker(request, public_id)
    try:
        if action == "verify":
            form = forms.VerifyForm(request.POST)
            form.is_valid()
            services.worker_verify(actor=request.user, worker=worker, note=form.cleaned_data.get("note", ""))
            messages.success(request, _("Registration verified."))
        elif action == "work-ready":
            services.worker_mark_work_ready(actor=request.user, worker=worker)
            messages.success(request, _("Marked work-ready."))
        elif action == "exclude":
            form = forms.ExcludeForm(request.POST)
            if not form.is_valid():
                raise InvalidInput([{"field": f, "message": " ".join(e)} for f, e in form.errors.items()])
            services.worker_exclude(actor=request.user, worker=worker, **form.cleaned_data)
            messages.success(request, _("Exclusion recorded."))
        else:
            raise NotFound(_("No such action."))
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        context = _profile_context(request, worker)
        context["action_errors"] = exc.as_errors()
        return render(request, "workers/detail.html", context, status=exc.status)
    return redirect("workers:detail", public_id=worker.public_id)
