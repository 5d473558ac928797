"""Pages for licensed recruitment agencies: the public register, the agency's application and licence, the
licensing authority's decisions, due process step by step, agency-employer links, and workers' ratings with their
moderation.

Selectors and services raise NotFound or Forbidden, which `@data_category` turns into the 404 or 403 page; any other
refusal of a service is shown beside the field it names, with status 422.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts.models import Organisation, OrgKind
from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from corridor.core.views import data_category
from corridor.recruitment import forms, selectors, services
from corridor.recruitment.models import LicenceStatus
from corridor.reference import codes

REGISTER_PAGE = 25
LIST_PAGE = 50
LICENCE_STEPS = ("grant", "refuse", "renew", "proceeding")
PROCEEDING_STEPS = ("respond", "decide", "appeal", "decide_appeal")


# --- helpers -----------------------------------------------------------------------------------------------------


def _form_status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


def _run(form, call) -> bool:
    """Call the service; on a refusal other than 404/403, show its errors on the form. True when it succeeded."""
    try:
        call()
        return True
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        form.add_service_errors(exc.as_errors())
        return False


def _agency_of(user) -> Organisation | None:
    org = getattr(user, "organisation", None)
    if Role.AGENCY in roles_of(user) and org is not None and org.kind == OrgKind.RECRUITMENT_AGENCY:
        return org
    return None


def _is_origin_officer(user) -> bool:
    org = getattr(user, "organisation", None)
    return Role.ORIGIN_OFFICER in roles_of(user) and org is not None and org.kind == OrgKind.ORIGIN_AUTHORITY


def _status_label(status: str) -> str:
    return str(LicenceStatus(status).label) if status in LicenceStatus.values else status


def _country(code: str) -> str:
    return codes.country_name(code) or code


# --- the public register -----------------------------------------------------------------------------------------


@data_category(Category.ORGANISATION)
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    """Every licence ever granted, with its status today, its scopes and the workers' ratings (public aggregates)."""
    filters = {k: request.GET.get(k, "").strip()[:100] for k in ("q", "country", "status")}
    errors, status = [], 200
    try:
        licences = selectors.register(**filters)
    except InvalidInput as exc:
        licences, errors, status = selectors.register().none(), exc.as_errors(), 400
    page = Paginator(licences, REGISTER_PAGE).get_page(request.GET.get("page"))
    aggregates = selectors.rating_aggregates({licence.agency_id for licence in page.object_list})
    rows = [
        {
            "licence": licence,
            "status": licence.current_status,
            "status_label": _status_label(licence.current_status),
            "country": _country(licence.agency.country),
            "scopes": [(s.programme.code, s.origin_country) for s in licence.scopes.all()],
            "ratings": aggregates[licence.agency_id],
        }
        for licence in page.object_list
    ]
    context = {
        "page": page,
        "rows": rows,
        "filters": filters,
        "errors": errors,
        "statuses": [(s, _status_label(s)) for s in selectors.GRANTED],
        "threshold": selectors.RATING_THRESHOLD,
    }
    return render(request, "recruitment/register.html", context, status=status)


# --- licences ----------------------------------------------------------------------------------------------------


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def licences(request: HttpRequest) -> HttpResponse:
    """The agency's application and licences; or, for the licensing authority, the applications waiting for a decision
    and every licence of its country."""
    user = request.user
    agency = _agency_of(user)
    officer = _is_origin_officer(user)
    if agency is None and not officer and Role.PLATFORM_ADMIN not in roles_of(user):
        raise Forbidden(_("Licences are managed by agencies and by origin labour authorities. Everyone may read the public register."))
    status_filter = request.GET.get("status", "").strip()[:20]
    q = request.GET.get("q", "").strip()[:100]
    error, status = "", 200
    try:
        found = selectors.licence_list(user=user, status=status_filter, q=q)
    except InvalidInput as exc:
        found, error, status = selectors.licence_list(user=user).none(), exc.message, 400
    page = Paginator(found, LIST_PAGE).get_page(request.GET.get("page"))
    for licence in page.object_list:
        licence.status_label = _status_label(licence.current_status)
    context = {
        "page": page,
        "agency": agency,
        "officer": officer,
        "queue": list(selectors.decision_queue(user=user)) if officer else [],
        "proceedings": list(selectors.proceeding_list(user=user, open_only=True)[:20]),
        "can_apply": agency is not None,
        "statuses": LicenceStatus.choices,
        "filters": {"status": status_filter, "q": q},
        "error": error,
        "pending_ratings": selectors.moderation_queue(user=user).count() if officer else 0,
    }
    return render(request, "recruitment/licences.html", context, status=status)


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest) -> HttpResponse:
    """An agency applies to the origin labour authority of its country."""
    agency = _agency_of(request.user)
    if agency is None:
        raise Forbidden(_("Only recruitment agencies apply for a licence."))
    form = forms.ApplicationForm(request.POST or None, programmes=selectors.licensable_programmes(agency))
    if request.method == "POST" and form.is_valid():
        holder = {}
        if _run(form, lambda: holder.setdefault("licence", services.licence_apply(actor=request.user, **form.service_data()))):
            messages.success(request, _("Application sent to the origin labour authority of %(country)s.") % {"country": _country(agency.country)})
            return redirect("agencies:licence", pk=holder["licence"].pk)
    context = {"form": form, "agency": agency, "country": _country(agency.country)}
    return render(request, "recruitment/apply.html", context, status=_form_status(request))


def _licence_forms(user, licence, today) -> dict:
    """The decision forms the user may use on this licence now (the services check again)."""
    if not selectors.is_licensing_officer(user, licence):
        return {}
    current = selectors.status_on(licence, today)
    found: dict = {}
    if licence.status == LicenceStatus.APPLIED:
        found["grant"] = forms.GrantForm(prefix="grant")
        found["refuse"] = forms.RefuseForm(prefix="refuse")
    if current in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED, LicenceStatus.EXPIRED):
        found["renew"] = forms.RenewForm(prefix="renew")
    if current in (LicenceStatus.ACTIVE, LicenceStatus.SUSPENDED):
        found["proceeding"] = forms.ProceedingForm(prefix="proceeding")
    return found


def _licence_page(request: HttpRequest, licence, *, status: int = 200, bound: tuple[str, object] | None = None) -> HttpResponse:
    today = timezone.localdate()
    action_forms = _licence_forms(request.user, licence, today)
    if bound is not None:
        action_forms[bound[0]] = bound[1]
    member = _agency_of(request.user) is not None and request.user.organisation_id == licence.agency_id
    context = {
        "licence": licence,
        "status": selectors.status_on(licence, today),
        "status_label": _status_label(selectors.status_on(licence, today)),
        "country": _country(licence.agency.country),
        "scopes": [(s.programme.code, s.programme.name, s.origin_country) for s in licence.scopes.all()],
        "proceedings": selectors.proceeding_list(user=request.user, licence=licence),
        "forms": action_forms,
        "member": member,
        "ratings": selectors.rating_aggregate(licence.agency),
        "threshold": selectors.RATING_THRESHOLD,
    }
    return render(request, "recruitment/licence_detail.html", context, status=status)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def licence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _licence_page(request, selectors.licence_get(user=request.user, pk=pk))


@data_category(Category.ORGANISATION)
@login_required
@require_POST
def licence_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A decision on a licence: grant, refuse, renew, or notice of a proceeding."""
    if action not in LICENCE_STEPS:
        raise NotFound(_("No such step."))
    licence = selectors.licence_get(user=request.user, pk=pk)
    actor = request.user
    form_class = {"grant": forms.GrantForm, "refuse": forms.RefuseForm, "renew": forms.RenewForm, "proceeding": forms.ProceedingForm}[action]
    form = form_class(request.POST, prefix=action)
    done = {
        "grant": _("Licence granted."), "refuse": _("Application refused."), "renew": _("Licence renewed."),
        "proceeding": _("Notice given to the agency."),
    }[action]
    holder: dict = {}

    def call():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        if action == "grant":
            services.licence_grant(actor=actor, licence=licence, **data)
        elif action == "refuse":
            services.licence_refuse(actor=actor, licence=licence, reason=form.cleaned_data["reason"])
        elif action == "renew":
            services.licence_renew(actor=actor, licence=licence, **data)
        else:
            holder["proceeding"] = services.proceeding_open(actor=actor, licence=licence, **form.cleaned_data)

    if form.is_valid() and _run(form, call):
        messages.success(request, done)
        if "proceeding" in holder:
            return redirect("agencies:proceeding", pk=holder["proceeding"].pk)
        return redirect("agencies:licence", pk=licence.pk)
    licence = selectors.licence_get(user=request.user, pk=pk)
    return _licence_page(request, licence, status=422, bound=(action, form))


# --- due process -------------------------------------------------------------------------------------------------


def _proceeding_forms(user, proceeding) -> dict:
    actions = selectors.proceeding_actions(user=user, proceeding=proceeding)
    found = {}
    if "respond" in actions:
        found["respond"] = forms.ResponseForm(prefix="respond")
    if "decide" in actions:
        found["decide"] = forms.DecisionForm(prefix="decide")
    if "appeal" in actions:
        found["appeal"] = forms.AppealForm(prefix="appeal")
    if "decide_appeal" in actions:
        found["decide_appeal"] = forms.AppealDecisionForm(prefix="decide_appeal")
    return found


def _proceeding_page(request: HttpRequest, proceeding, *, status: int = 200, bound: tuple[str, object] | None = None) -> HttpResponse:
    action_forms = _proceeding_forms(request.user, proceeding)
    if bound is not None:
        action_forms[bound[0]] = bound[1]
    today = timezone.localdate()
    waiting = ""
    if proceeding.stage == "notice" and proceeding.responded_at is None and today <= proceeding.respond_by:
        waiting = _("The authority decides once the agency has responded or after %(date)s.") % {"date": proceeding.respond_by.isoformat()}
    elif proceeding.stage == "appealed" and proceeding.decided_by_id == request.user.pk:
        waiting = _("Four eyes: another officer of your authority decides the appeal.")
    context = {
        "proceeding": proceeding,
        "licence": proceeding.licence,
        "forms": action_forms,
        "waiting": waiting,
        "appeal_deadline": selectors.appeal_deadline(proceeding) if proceeding.decision == "upheld" else None,
    }
    return render(request, "recruitment/proceeding_detail.html", context, status=status)


@data_category(Category.ORGANISATION)
@login_required
@require_GET
def proceeding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _proceeding_page(request, selectors.proceeding_get(user=request.user, pk=pk))


@data_category(Category.ORGANISATION)
@login_required
@require_POST
def proceeding_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One step of due process: the agency's response, the decision, the appeal, the decision on the appeal."""
    if action not in PROCEEDING_STEPS:
        raise NotFound(_("No such step."))
    proceeding = selectors.proceeding_get(user=request.user, pk=pk)
    actor = request.user
    form_class = {"respond": forms.ResponseForm, "decide": forms.DecisionForm, "appeal": forms.AppealForm,
                  "decide_appeal": forms.AppealDecisionForm}[action]
    form = form_class(request.POST, prefix=action)
    done = {"respond": _("Response sent."), "decide": _("Decision recorded."), "appeal": _("Appeal lodged."),
            "decide_appeal": _("Decision on the appeal recorded.")}[action]

    def call():
        data = dict(form.cleaned_data)
        if action == "respond":
            services.proceeding_respond(actor=actor, proceeding=proceeding, **data)
        elif action == "decide":
            services.proceeding_decide(actor=actor, proceeding=proceeding, **data)
        elif action == "appeal":
            services.proceeding_appeal(actor=actor, proceeding=proceeding, **data)
        else:
            services.proceeding_decide_appeal(actor=actor, proceeding=proceeding, **data)

    if form.is_valid() and _run(form, call):
        messages.success(request, done)
        return redirect("agencies:proceeding", pk=proceeding.pk)
    proceeding = selectors.proceeding_get(user=request.user, pk=pk)
    return _proceeding_page(request, proceeding, status=422, bound=(action, form))


# --- agency-employer links ---------------------------------------------------------------------------------------


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def links(request: HttpRequest) -> HttpResponse:
    """The employers an agency recruits for: recorded by the agency, seen by the employer and the authorities. Both
    are jointly liable for what the workers paid."""
    user = request.user
    roles = roles_of(user)
    if Role.IMMIGRATION_OFFICER in roles or not roles & {Role.AGENCY, Role.EMPLOYER, Role.ORIGIN_OFFICER, Role.MINISTRY_ADMIN,
                                                        Role.MINISTRY_OFFICER, Role.LABOUR_INSPECTOR, Role.PLATFORM_ADMIN}:
        raise Forbidden(_("Links between agencies and employers are seen by the agency, the employer and the authorities."))
    agency = _agency_of(user)
    form = None
    reason = ""
    if agency is not None:
        employers, programmes = selectors.link_choices(agency)
        if programmes:
            form = forms.LinkForm(request.POST or None, employers=employers, programmes=programmes)
        else:
            reason = selectors.licence_problem(selectors.latest_granted(agency), agency, timezone.localdate())
    elif request.method == "POST":
        raise Forbidden(_("Only agencies record the employers they recruit for."))
    if request.method == "POST" and form is None:
        raise Forbidden(reason or _("Only agencies record the employers they recruit for."))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.link_record(actor=user, employer=data["employer"], programme=data["programme"], since=data.get("since"))):
            messages.success(request, _("Link recorded."))
            return redirect("agencies:links")
    page = Paginator(selectors.link_list(user=user), LIST_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "form": form, "agency": agency, "reason": reason}
    return render(request, "recruitment/links.html", context, status=_form_status(request))


@data_category(Category.ORGANISATION)
@login_required
@require_POST
def link_end(request: HttpRequest, pk: int) -> HttpResponse:
    link = selectors.link_get(user=request.user, pk=pk, action="change")
    try:
        services.link_end(actor=request.user, link=link)
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("agencies:links")
    messages.success(request, _("The end of the link is recorded; liability for what happened before remains."))
    return redirect("agencies:links")


# --- ratings -----------------------------------------------------------------------------------------------------


def _require_worker(user):
    worker = selectors.own_worker(user)
    if worker is None:
        raise Forbidden(_("Workers with a profile in the pool rate the agencies that recruited them."))
    return worker


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def ratings(request: HttpRequest) -> HttpResponse:
    """The worker's agencies, each with the worker's rating and its moderation status."""
    if Role.WORKER not in roles_of(request.user) or Role.IMMIGRATION_OFFICER in roles_of(request.user):
        raise Forbidden(_("Workers rate the agencies that recruited them."))
    rows = [{"agency": agency, "rating": rating} for agency, rating in selectors.agencies_to_rate(user=request.user)]
    context = {"rows": rows, "has_profile": selectors.own_worker(request.user) is not None}
    return render(request, "recruitment/ratings.html", context)


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, agency_id: int) -> HttpResponse:
    """A worker rates an agency (phone-first): four questions from 1 to 5 and an optional comment never published."""
    _require_worker(request.user)
    found = dict((a.pk, (a, r)) for a, r in selectors.agencies_to_rate(user=request.user))
    if agency_id not in found:
        raise NotFound(_("You can rate an agency once it has recruited or registered you."))
    agency, existing = found[agency_id]
    initial = {}
    if existing is not None:
        initial = {d: str(getattr(existing, d)) for d in selectors.RATING_DIMENSIONS} | {"comment": existing.comment}
    form = forms.RatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _run(form, lambda: services.rating_submit(actor=request.user, agency=agency, **form.cleaned_data)):
            messages.success(request, _("Thank you. Your rating will be counted once an officer has checked it."))
            return redirect("agencies:ratings")
    context = {"form": form, "agency": agency, "existing": existing}
    return render(request, "recruitment/rate.html", context, status=_form_status(request))


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_GET
def moderation(request: HttpRequest) -> HttpResponse:
    """Ratings of the country's agencies waiting for an origin officer."""
    if Role.IMMIGRATION_OFFICER in roles_of(request.user) or not _is_origin_officer(request.user):
        raise Forbidden(_("Officers of the origin labour authority moderate ratings of their country's agencies."))
    page = Paginator(selectors.moderation_queue(user=request.user), LIST_PAGE).get_page(request.GET.get("page"))
    rows = [{"rating": r, "form": forms.ModerationForm(prefix=f"r{r.pk}")} for r in page.object_list]
    return render(request, "recruitment/moderation.html", {"page": page, "rows": rows})


@data_category(Category.WORKER_IDENTITY)
@login_required
@require_POST
def moderate(request: HttpRequest, pk: int) -> HttpResponse:
    if not _is_origin_officer(request.user):
        raise Forbidden(_("Officers of the origin labour authority moderate ratings of their country's agencies."))
    rating = selectors.rating_get(user=request.user, pk=pk)
    form = forms.ModerationForm(request.POST, prefix=f"r{rating.pk}")
    if form.is_valid() and _run(form, lambda: services.rating_moderate(actor=request.user, rating=rating, **form.cleaned_data)):
        messages.success(request, _("Rating moderated."))
        return redirect("agencies:moderation")
    page = Paginator(selectors.moderation_queue(user=request.user), LIST_PAGE).get_page(request.GET.get("page"))
    rows = [{"rating": r, "form": form if r.pk == rating.pk else forms.ModerationForm(prefix=f"r{r.pk}")} for r in page.object_list]
    return render(request, "recruitment/moderation.html", {"page": page, "rows": rows}, status=422)
