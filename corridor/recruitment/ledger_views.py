"""Pages of the recruitment-cost ledger under /costs/.

- "What I paid" for the worker, on a phone: add a payment with a photo of the receipt; each entry with its finding in
  plain language ("This should not have cost you anything: the agency must refund 350 USD by 12 March 2027").
- The ledger for the origin authority, inspectors, the destination ministry, agencies and employers, with filters;
  an entry's page with the refund actions (name who was paid, record a refund, draw on the agency's deposit).
- Refund orders (open, past due), the summary per agency, first earnings at destination and the SDG 10.7.1 figures.

Every page holds recruitment-cost (or earnings) data: `@data_category` refuses holders of the immigration role.
Receipts are served only through `receipt`, which reads the entry through `restrict(user)`.
"""

from __future__ import annotations

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from corridor.accounts.models import Organisation, OrgKind
from corridor.core.access import Category, Role, roles_of
from corridor.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from corridor.core.forms import DescribedByMixin
from corridor.core.views import data_category
from corridor.programmes.models import Programme, ProgrammeStatus
from corridor.programmes.selectors import programme_get
from corridor.recruitment import ledger, ledger_selectors
from corridor.recruitment.models import CostCategory, CostEntry, CostSource, Payer, RefundStatus

PAGE = 50
RECORDER_ROLES = frozenset({Role.AGENCY, Role.LABOUR_INSPECTOR, Role.EMPLOYER})
EARNINGS_ROLES = frozenset({Role.ORIGIN_OFFICER, Role.LABOUR_INSPECTOR})

# What each category means, in words a worker uses.
CATEGORY_HINTS = {
    CostCategory.RECRUITMENT_FEE: gettext_lazy("A fee for finding you the job or putting your name forward"),
    CostCategory.MEDICAL: gettext_lazy("A medical examination or certificate"),
    CostCategory.INSURANCE: gettext_lazy("Insurance"),
    CostCategory.TESTS: gettext_lazy("A skills, trade or language test"),
    CostCategory.TRAINING: gettext_lazy("Training or orientation before leaving or on arrival"),
    CostCategory.EQUIPMENT: gettext_lazy("Tools, uniform, boots or safety gear"),
    CostCategory.TRAVEL: gettext_lazy("Tickets, transport or a place to stay, for interviews, the consulate or the trip"),
    CostCategory.ADMINISTRATIVE: gettext_lazy("Passport, visa, permit, contract, certificates or a bank account"),
    CostCategory.ILLEGITIMATE: gettext_lazy("A bribe, a kickback, a deposit or something left as a guarantee"),
}
WORKER_PAYERS = (
    (Payer.WORKER, gettext_lazy("I paid")),
    (Payer.FAMILY, gettext_lazy("My family paid")),
    (Payer.EMPLOYER, gettext_lazy("The employer paid")),
    (Payer.AGENCY, gettext_lazy("The agency paid")),
)


# --- forms -------------------------------------------------------------------------------------------------------


def _programme_choices(user) -> list[tuple[str, str]]:
    programmes = Programme.objects.filter(status__in=[ProgrammeStatus.ACTIVE, ProgrammeStatus.SUSPENDED, ProgrammeStatus.CLOSED])
    return [("", _("I don't know / none"))] + [(p.code, f"{p.code}: {p.name}") for p in programmes.restrict(user).order_by("code")]


def _agency_choices(country: str | None = None) -> list[tuple[str, str]]:
    agencies = Organisation.objects.filter(kind=OrgKind.RECRUITMENT_AGENCY)
    if country:
        agencies = agencies.filter(country=country)
    return [("", _("None / I don't know"))] + [(str(a.pk), a.name) for a in agencies.order_by("name")[:500]]


def _employer_choices() -> list[tuple[str, str]]:
    from corridor.employers.models import EmployerProfile

    employers = EmployerProfile.objects.select_related("organisation").order_by("organisation__name")[:500]
    return [("", _("None / I don't know"))] + [(str(e.pk), e.organisation.name) for e in employers]


class CostForm(DescribedByMixin, forms.Form):
    """A payment. Fields are parsed only; the service decides what is valid and names every problem."""

    worker = forms.CharField(label=gettext_lazy("Worker identifier"), max_length=12, required=False)
    category = forms.ChoiceField(label=gettext_lazy("What was it for?"), widget=forms.RadioSelect, choices=())
    payer = forms.ChoiceField(label=gettext_lazy("Who paid?"), widget=forms.RadioSelect, choices=())
    amount = forms.CharField(label=gettext_lazy("How much?"), max_length=40, required=False,
                             widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=10, required=False,
                               help_text=gettext_lazy("The three-letter code, e.g. MXN, USD, CAD."),
                               widget=forms.TextInput(attrs={"autocapitalize": "characters", "size": 4}))
    paid_on = forms.CharField(label=gettext_lazy("When?"), max_length=10, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    programme = forms.ChoiceField(label=gettext_lazy("For which programme?"), choices=(), required=False)
    agency = forms.ChoiceField(label=gettext_lazy("Which agency was involved?"), choices=(), required=False)
    employer = forms.ChoiceField(label=gettext_lazy("Which employer was involved?"), choices=(), required=False)
    paid_to = forms.CharField(label=gettext_lazy("Paid to whom?"), max_length=200, required=False,
                              help_text=gettext_lazy("A name, an office or a place, if you know it."))
    note = forms.CharField(label=gettext_lazy("Anything else?"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
    receipt = forms.FileField(label=gettext_lazy("Photo of the receipt"), required=False,
                              help_text=gettext_lazy("Optional. A photo (JPEG or PNG) or a PDF."),
                              widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))

    def __init__(self, *args, user=None, worker=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.value, f"{c.label}: {CATEGORY_HINTS[c]}") for c in CostCategory]
        if worker is not None:  # the worker records for themselves, in their own words
            del self.fields["worker"]
            self.fields["payer"].choices = WORKER_PAYERS
            self.fields["agency"].choices = _agency_choices(worker.nationality)
        else:
            self.fields["payer"].choices = Payer.choices
            self.fields["worker"].required = True
            self.fields["agency"].choices = _agency_choices()
            if Role.AGENCY in roles_of(user):
                del self.fields["agency"]  # an agency records as itself
        if Role.EMPLOYER in roles_of(user) and worker is None:
            del self.fields["employer"]
        else:
            self.fields["employer"].choices = _employer_choices()
        self.fields["programme"].choices = _programme_choices(user)
        self.fields["paid_on"].initial = timezone.localdate().isoformat()


class DebtorForm(DescribedByMixin, forms.Form):
    agency = forms.ChoiceField(label=gettext_lazy("Agency that was paid"), choices=(), required=False)
    employer = forms.ChoiceField(label=gettext_lazy("Employer that was paid"), choices=(), required=False)

    def __init__(self, *args, entry: CostEntry, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = _agency_choices(entry.worker.nationality)
        self.fields["employer"].choices = _employer_choices()
        if entry.agency_id:
            del self.fields["agency"]
        if entry.employer_id:
            del self.fields["employer"]


class PaidForm(DescribedByMixin, forms.Form):
    paid_on = forms.CharField(label=gettext_lazy("Refunded on"), max_length=10, widget=forms.DateInput(attrs={"type": "date"}), required=False)
    evidence = forms.CharField(label=gettext_lazy("How it was paid"), max_length=2000, required=False,
                               help_text=gettext_lazy("A transfer reference, a receipt number or who witnessed the payment."),
                               widget=forms.Textarea(attrs={"rows": 2}))


class DrawForm(DescribedByMixin, forms.Form):
    exchange_rate = forms.CharField(label=gettext_lazy("Exchange rate"), max_length=40, required=False,
                                    help_text=gettext_lazy("Units of the deposit's currency per unit of the refund's, if they differ."))


class EarningsForm(DescribedByMixin, forms.Form):
    worker = forms.CharField(label=gettext_lazy("Worker identifier"), max_length=12, required=False)
    programme = forms.ChoiceField(label=gettext_lazy("Programme"), choices=())
    month = forms.CharField(label=gettext_lazy("Month of the first pay"), max_length=10, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(label=gettext_lazy("Earnings for that month"), max_length=40, required=False,
                             help_text=gettext_lazy("After taxes and social contributions, with overtime and bonuses."),
                             widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    currency = forms.CharField(label=gettext_lazy("Currency"), max_length=10, required=False)
    rates = forms.CharField(label=gettext_lazy("Exchange rates"), max_length=500, required=False,
                            help_text=gettext_lazy("For costs paid in other currencies: e.g. MXN=0.075, USD=1.37 (value of one unit in the earnings currency)."))

    def __init__(self, *args, user=None, own=False, **kwargs):
        super().__init__(*args, **kwargs)
        if own:
            del self.fields["worker"]
        self.fields["programme"].choices = _programme_choices(user)[1:]

    def clean_rates(self) -> dict:
        text = self.cleaned_data.get("rates") or ""
        rates = {}
        for part in text.replace(";", ",").split(","):
            if part.strip():
                code, sep, value = part.partition("=")
                if not sep:
                    raise forms.ValidationError(_("Write each rate as CODE=rate, e.g. MXN=0.075."))
                rates[code.strip()] = value.strip()
        return rates


# --- helpers -----------------------------------------------------------------------------------------------------


def _apply_errors(form: forms.Form, exc: DomainError) -> None:
    for err in exc.as_errors():
        field = (err.get("field") or "").split(".")[0]
        form.add_error(field if field in form.fields else None, err["message"])


def _page(request: HttpRequest, template: str, context: dict, status: int = 200) -> HttpResponse:
    """Render a page, pointing each form's inputs at their hints and errors for screen readers."""
    for value in context.values():
        if isinstance(value, DescribedByMixin):
            value.set_described_by()
    return render(request, template, context, status=status)


def _status(request: HttpRequest) -> int:
    return 422 if request.method == "POST" else 200


def _date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


def _money(amount, currency: str) -> str:
    text = f"{amount:.2f}"
    return f"{text[:-3] if text.endswith('.00') else text} {currency}"


def _debtors(order) -> str:
    names = [n for n in (order.debtor_agency.name if order.debtor_agency else "",
                         order.debtor_employer.organisation.name if order.debtor_employer else "") if n]
    return _("%(first)s and %(second)s") % {"first": names[0], "second": names[1]} if len(names) == 2 else names[0]


def plain_finding(entry: CostEntry) -> str:
    """The finding in words a worker understands."""
    order = ledger_selectors.refund_of(entry)
    if entry.payer == Payer.EMPLOYER:
        return _("Paid by the employer, not by you. It is recorded so that everyone can see what recruitment costs.")
    if entry.payer == Payer.AGENCY:
        return _("Paid by the agency, not by you. It is recorded so that everyone can see what recruitment costs.")
    if not entry.violation:
        return _("The programme's rules allow workers to pay this cost.")
    partly = entry.amount_in_violation < entry.amount
    owed = _money(entry.amount_in_violation, entry.currency)
    if order is None:
        return _("This should not have cost you anything. Tell us who you paid (the agency or the employer), so that "
                 "they can be ordered to refund %(amount)s.") % {"amount": owed}
    if order.status == RefundStatus.PAID:
        return _("This should not have cost you anything. %(amount)s was refunded on %(date)s.") % {
            "amount": owed, "date": _date(order.settled_on)}
    if order.status == RefundStatus.DRAWN:
        return _("This should not have cost you anything. %(amount)s was refunded from the agency's guarantee deposit "
                 "on %(date)s.") % {"amount": owed, "date": _date(order.settled_on)}
    if order.status == RefundStatus.CANCELLED:
        return _("The refund order was cancelled on appeal.")
    values = {"debtor": _debtors(order), "amount": owed, "date": _date(order.due_on)}
    if partly:
        text = _("Part of this, %(amount)s, should not have cost you anything: %(debtor)s must refund it by %(date)s.") % values
    else:
        text = _("This should not have cost you anything: %(debtor)s must refund %(amount)s by %(date)s.") % values
    if order.amount_recovered:
        text += " " + _("%(amount)s has been recovered so far.") % {"amount": _money(order.amount_recovered, order.currency)}
    return text


def _is_worker(user) -> bool:
    return ledger_selectors.own_worker(user) is not None


def _may_use_ledger(user) -> bool:
    return bool(roles_of(user) & ledger_selectors.LEDGER_ROLES)


# --- the worker: what I paid -------------------------------------------------------------------------------------


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if _is_worker(request.user):
        return redirect("costs:mine")
    return redirect("costs:ledger")


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """What I paid: each payment with what it means for me."""
    worker = ledger_selectors.own_worker(request.user)
    if worker is None:
        raise NotFound(_("This page is for workers: you have no worker record."))
    entries = [(entry, plain_finding(entry)) for entry in ledger_selectors.my_costs(user=request.user)]
    owed = [e for e, _text in entries if (o := ledger_selectors.refund_of(e)) is not None and o.status == RefundStatus.OPEN]
    context = {"worker": worker, "entries": entries, "owed": owed, "earnings": ledger_selectors.earnings_of(user=request.user, worker=worker)}
    return render(request, "recruitment/ledger_mine.html", context)


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_http_methods(["GET", "POST"])
def add_mine(request: HttpRequest) -> HttpResponse:
    """Add a payment, on a phone, with a photo of the receipt."""
    worker = ledger_selectors.own_worker(request.user)
    if worker is None:
        raise NotFound(_("This page is for workers: you have no worker record."))
    form = CostForm(request.POST or None, request.FILES or None, user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            programme = _programme(request, data.pop("programme"))
            entry = ledger.cost_record(actor=request.user, worker=worker, programme=programme, **_clean(data))
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, plain_finding(entry))
            return redirect("costs:mine")
    return _page(request, "recruitment/ledger_form.html", {"form": form, "worker": worker, "own": True}, status=_status(request))


def _programme(request, code: str):
    if not code:
        return None
    try:
        return programme_get(user=request.user, code=code)
    except NotFound:
        raise InvalidInput(_("No such programme."), field="programme") from None


def _clean(data: dict) -> dict:
    return {k: (v if v not in ("",) else None) if k in ("agency", "employer", "receipt") else v for k, v in data.items()}


# --- officials, agencies and employers ---------------------------------------------------------------------------


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def ledger_list(request: HttpRequest) -> HttpResponse:
    """The ledger with filters: by programme, agency, violation, refund, source and nationality."""
    if not _may_use_ledger(request.user):
        if _is_worker(request.user):
            return redirect("costs:mine")
        raise Forbidden(_("The cost ledger is for the origin authority, labour inspectors, the ministry, agencies and employers."))
    filters = {k: request.GET.get(k, "").strip()[:30] for k in ("programme", "agency", "violation", "refund", "source", "nationality", "worker")}
    errors = []
    try:
        agency = int(filters["agency"]) if filters["agency"].isdigit() else None
        qs = ledger_selectors.cost_list(
            user=request.user, programme=filters["programme"], agency=agency, violation=filters["violation"],
            refund=filters["refund"], source=filters["source"], nationality=filters["nationality"], worker=filters["worker"],
        )
    except InvalidInput as exc:
        errors = exc.as_errors()
        qs = ledger_selectors.cost_list(user=request.user)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page, "filters": filters, "errors": errors,
        "programmes": Programme.objects.all().restrict(request.user).order_by("code"),
        "sources": CostSource.choices, "refund_statuses": RefundStatus.choices,
        "may_record": bool(roles_of(request.user) & RECORDER_ROLES),
        "may_record_earnings": bool(roles_of(request.user) & EARNINGS_ROLES),
        "query": request.GET.urlencode(),
    }
    return render(request, "recruitment/ledger_list.html", context)


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest) -> HttpResponse:
    """An agency declares, an inspector records a finding, an employer declares what it paid."""
    if not roles_of(request.user) & RECORDER_ROLES:
        if _is_worker(request.user):
            return redirect("costs:add_mine")
        raise Forbidden(_("Agencies, labour inspectors and employers record costs here; workers use “What I paid”."))
    form = CostForm(request.POST or None, request.FILES or None, user=request.user, initial={"worker": request.GET.get("worker", "")[:12]})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            worker = ledger_selectors.worker_for_cost(user=request.user, public_id=data.pop("worker"))
            programme = _programme(request, data.pop("programme"))
            entry = ledger.cost_record(actor=request.user, worker=worker, programme=programme, **_clean(data))
        except (InvalidInput, NotFound, Forbidden) as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Recorded.") + " " + entry.finding)
            return redirect("costs:detail", pk=entry.pk)
    return _page(request, "recruitment/ledger_form.html", {"form": form, "own": False}, status=_status(request))


def _detail_context(request, entry: CostEntry, **forms_) -> dict:
    actions = ledger_selectors.entry_actions(user=request.user, entry=entry)
    order = ledger_selectors.refund_of(entry)
    return {
        "entry": entry, "order": order, "plain": plain_finding(entry), "actions": actions,
        "debtor_form": forms_.get("debtor_form") or (DebtorForm(entry=entry) if "name_debtor" in actions else None),
        "paid_form": forms_.get("paid_form") or (PaidForm(initial={"paid_on": timezone.localdate().isoformat()}) if "mark_paid" in actions else None),
        "draw_form": forms_.get("draw_form") or (DrawForm() if "draw" in actions else None),
        "is_own": entry.worker.user_id == request.user.pk,
    }


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = ledger_selectors.cost_get(user=request.user, pk=pk)
    return _page(request, "recruitment/ledger_detail.html", _detail_context(request, entry))


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt, only to those who may see the entry."""
    return ledger_selectors.receipt_response(user=request.user, pk=pk)


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_POST
def name_debtor(request: HttpRequest, pk: int) -> HttpResponse:
    entry = ledger_selectors.cost_get(user=request.user, pk=pk)
    form = DebtorForm(request.POST, entry=entry)
    if form.is_valid():
        try:
            ledger.cost_name_debtor(actor=request.user, entry=entry, agency=form.cleaned_data.get("agency") or None,
                                    employer=form.cleaned_data.get("employer") or None)
        except Forbidden:
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Saved. Whoever was named is now asked to refund."))
            return redirect("costs:detail", pk=entry.pk)
    entry = ledger_selectors.cost_get(user=request.user, pk=pk)
    return _page(request, "recruitment/ledger_detail.html", _detail_context(request, entry, debtor_form=form), status=422)


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_POST
def refund_paid(request: HttpRequest, pk: int) -> HttpResponse:
    order = ledger_selectors.refund_get(user=request.user, pk=pk)
    form = PaidForm(request.POST)
    if form.is_valid():
        try:
            ledger.refund_mark_paid(actor=request.user, order=order, paid_on=form.cleaned_data["paid_on"], evidence=form.cleaned_data["evidence"])
        except Forbidden:
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("The refund is recorded as paid."))
            return redirect("costs:detail", pk=order.cost_id)
    entry = ledger_selectors.cost_get(user=request.user, pk=order.cost_id)
    return _page(request, "recruitment/ledger_detail.html", _detail_context(request, entry, paid_form=form), status=422)


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_POST
def refund_draw(request: HttpRequest, pk: int) -> HttpResponse:
    order = ledger_selectors.refund_get(user=request.user, pk=pk)
    form = DrawForm(request.POST)
    if form.is_valid():
        try:
            order = ledger.refund_draw_from_deposit(actor=request.user, order=order, exchange_rate=form.cleaned_data["exchange_rate"] or None)
        except Forbidden:
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            if order.status == RefundStatus.DRAWN:
                messages.success(request, _("The refund was paid in full from the agency's guarantee deposit."))
            else:
                messages.warning(request, _("The deposit did not cover the whole refund: the rest stays owed."))
            return redirect("costs:detail", pk=order.cost_id)
    entry = ledger_selectors.cost_get(user=request.user, pk=order.cost_id)
    return _page(request, "recruitment/ledger_detail.html", _detail_context(request, entry, draw_form=form), status=422)


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def refunds(request: HttpRequest) -> HttpResponse:
    """Refund orders: past due first (candidates for a deposit draw), then the rest of the open ones."""
    status = request.GET.get("status", RefundStatus.OPEN).strip()[:10]
    overdue = request.GET.get("overdue") == "1"
    try:
        qs = ledger_selectors.refund_list(user=request.user, status=status, overdue=overdue)
    except InvalidInput:
        status, qs = "", ledger_selectors.refund_list(user=request.user)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(order, order.status == RefundStatus.OPEN and order.due_on < today, ledger.may_draw(request.user, order)) for order in page]
    context = {"page": page, "rows": rows, "status": status, "overdue": overdue, "statuses": RefundStatus.choices}
    return render(request, "recruitment/ledger_refunds.html", context)


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def agencies(request: HttpRequest) -> HttpResponse:
    """Entries, violations and refunds per agency, for the origin authority and inspectors."""
    programme = request.GET.get("programme", "").strip()[:30]
    lines = ledger_selectors.agency_summary(user=request.user, programme=programme)
    programmes = Programme.objects.all().restrict(request.user).order_by("code")
    return render(request, "recruitment/ledger_agencies.html", {"lines": lines, "programme": programme, "programmes": programmes})


@data_category(Category.WAGE)
@login_required
@require_http_methods(["GET", "POST"])
def earnings(request: HttpRequest) -> HttpResponse:
    """First monthly earnings at destination (for SDG 10.7.1): the worker, the origin authority or an inspector."""
    worker = ledger_selectors.own_worker(request.user)
    own = worker is not None
    if not own and not roles_of(request.user) & EARNINGS_ROLES:
        raise Forbidden(_("Earnings are recorded by the worker, the origin authority or a labour inspector."))
    form = EarningsForm(request.POST or None, user=request.user, own=own)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            target = worker if own else ledger_selectors.worker_for_cost(user=request.user, public_id=data.pop("worker"))
            programme = _programme(request, data.pop("programme"))
            ledger.earnings_record(actor=request.user, worker=target, programme=programme, **data)
        except Forbidden:
            raise
        except DomainError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Earnings recorded."))
            return redirect("costs:mine" if own else "costs:ledger")
    return _page(request, "recruitment/ledger_earnings.html", {"form": form, "own": own}, status=_status(request))


@data_category(Category.RECRUITMENT_COST)
@login_required
@require_GET
def sdg(request: HttpRequest) -> HttpResponse:
    """SDG indicator 10.7.1: recruitment cost borne by the worker as a share of monthly earnings at destination."""
    programmes = Programme.objects.all().restrict(request.user).order_by("code")
    code = request.GET.get("programme", "").strip()[:30]
    raw_year = request.GET.get("year", "").strip()[:4]
    year = int(raw_year) if raw_year.isdigit() else timezone.localdate().year
    figures, error = None, ""
    if not ledger_selectors.sdg_readable(request.user, None):
        raise Forbidden(_("SDG 10.7.1 figures are for the programme's authorities, the social partners and researchers."))
    if code:
        try:
            figures = ledger_selectors.sdg_1071(user=request.user, programme=programme_get(user=request.user, code=code), year=year)
        except InvalidInput as exc:
            error = exc.message
        except NotFound:
            error = _("No such programme.")
    context = {"programmes": programmes, "code": code, "year": year, "figures": figures, "error": error}
    return render(request, "recruitment/ledger_sdg.html", context, status=422 if error else 200)
