"""Sign-in with a second factor, sign-out, language choice and the organisation's API tokens."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from corridor.accounts import services
from corridor.accounts.models import SCOPES, ApiToken, Organisation, OrgKind, User
from corridor.core.access import Category, Role
from corridor.core.errors import DomainError
from corridor.core.views import data_category
from corridor.reference import codes


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["demo_mode"] = settings.DEMO_MODE
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        # Speak to the person in the language of their account from the first page after signing in.
        language = form.get_user().language
        if language in dict(settings.LANGUAGES):
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax", secure=settings.HTTPS)
        return response


class TokenForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Six-digit code from your authenticator app"),
        min_length=6,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )


def _qr_svg_data_uri(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@data_category(Category.ACCOUNT)
@login_required
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    """Verify a code from the user's authenticator app, enrolling one first if the user has none."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    enrolling = device is None
    if enrolling:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name="Authenticator app", confirmed=False
        )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].strip()):
            if enrolling:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                services.second_factor_enrolled(actor=user, device=device)
            otp_login(request, device)
            return redirect(request.GET.get("next") or "core:home")
        form.add_error("code", _("That code is not valid. Check your device's clock and try the newest code."))
    context = {"form": form, "enrolling": enrolling}
    if enrolling:
        context["qr"] = _qr_svg_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/second_factor.html", context, status=200 if form.is_bound is False or form.is_valid() else 422)


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("System name"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("Scopes"), choices=[(k, f"{k}: {v}") for k, v in SCOPES.items()], widget=forms.CheckboxSelectMultiple
    )
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expires at (optional)"), required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


@data_category(Category.ACCOUNT)
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The organisation's API tokens: list, issue (secret shown once) and revoke."""
    user = request.user
    if not (user.organisation_id and (user.is_org_admin or "platform_admin" in user.role_set())):
        return render(request, "core/forbidden.html", {"reason": _("Only organisation administrators manage API tokens.")}, status=403)
    tokens = ApiToken.objects.filter(organisation_id=user.organisation_id).restrict(user)
    form = ApiTokenForm(request.POST or None)
    issued = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, issued = services.api_token_create(
                    actor=user,
                    organisation=user.organisation,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_at=form.cleaned_data["expires_at"],
                )
                form = ApiTokenForm()
            except DomainError as exc:
                for err in exc.as_errors():
                    form.add_error(err["field"] if err["field"] in form.fields else None, err["message"])
                status = 422
        else:
            status = 422
    return render(request, "accounts/api_tokens.html", {"tokens": tokens, "form": form, "issued": issued}, status=status)


@data_category(Category.ACCOUNT)
@login_required
@require_POST
def api_token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    token = get_object_or_404(ApiToken.objects.all().restrict(request.user), prefix=prefix)
    try:
        services.api_token_revoke(actor=request.user, token=token, reason=request.POST.get("reason", ""))
        messages.success(request, _("Token %(prefix)s revoked.") % {"prefix": prefix})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("accounts:api_tokens")


class OrganisationForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=OrgKind.choices)
    country = forms.ChoiceField(label=gettext_lazy("Country"))
    registration_number = forms.CharField(label=gettext_lazy("Registration number"), max_length=100, required=False)
    contact_email = forms.EmailField(label=gettext_lazy("Contact e-mail"), required=False)
    website = forms.URLField(label=gettext_lazy("Website"), required=False, assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "—")] + codes.country_choices()


class UserForm(forms.Form):
    username = forms.RegexField(label=gettext_lazy("Username"), regex=r"^[\w.@+-]{3,150}$", max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=gettext_lazy("E-mail"), required=False)
    organisation = forms.ModelChoiceField(label=gettext_lazy("Organisation"), queryset=Organisation.objects.none(), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Only for programme"), queryset=None, required=False,
        help_text=gettext_lazy("Leave empty for every programme the organisation takes part in."),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    is_org_admin = forms.BooleanField(label=gettext_lazy("Organisation administrator"), required=False)
    password = forms.CharField(label=gettext_lazy("Initial password"), widget=forms.PasswordInput, min_length=12)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        Programme = apps.get_model("programmes", "Programme")  # named, not imported: accounts sits below programmes

        self.fields["organisation"].queryset = Organisation.objects.all().restrict(user).order_by("name")
        self.fields["programme"].queryset = Programme.objects.all().restrict(user).order_by("code")


def _platform_admin_only(request):
    if Role.PLATFORM_ADMIN not in request.user.role_set():
        return render(request, "core/forbidden.html", {"reason": _("Only platform administrators manage organisations and accounts.")}, status=403)
    return None


@data_category(Category.ORGANISATION)
@login_required
@require_http_methods(["GET", "POST"])
def organisations(request: HttpRequest) -> HttpResponse:
    """The organisation directory; platform administrators register new organisations here."""
    refused = _platform_admin_only(request)
    if refused:
        return refused
    form = OrganisationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                org = services.organisation_create(actor=request.user, **form.cleaned_data)
                messages.success(request, _("%(name)s registered.") % {"name": org.name})
                return redirect("accounts:organisations")
            except DomainError as exc:
                _form_errors(form, exc)
        status = 422
    orgs = Organisation.objects.all().restrict(request.user).order_by("kind", "country", "name")
    return render(request, "accounts/organisations.html", {"form": form, "organisations": orgs}, status=status)


@data_category(Category.ACCOUNT)
@login_required
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest) -> HttpResponse:
    """Accounts and their roles; platform administrators create accounts here."""
    refused = _platform_admin_only(request)
    if refused:
        return refused
    form = UserForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = services.user_register(
                    actor=request.user,
                    username=data["username"],
                    password=data["password"],
                    organisation=data["organisation"],
                    roles=[(data["role"], data["programme"])],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    language=data["language"],
                    is_org_admin=data["is_org_admin"],
                )
                messages.success(request, _("Account %(username)s created.") % {"username": account.username})
                return redirect("accounts:users")
            except DomainError as exc:
                _form_errors(form, exc, aliases={"roles.0.role": "role"})
        status = 422
    accounts = User.objects.all().restrict(request.user).select_related("organisation").prefetch_related("role_assignments__programme").order_by("username")
    return render(request, "accounts/users.html", {"form": form, "accounts": accounts[:500]}, status=status)


def _form_errors(form, exc: DomainError, aliases: dict | None = None) -> None:
    for err in exc.as_errors():
        field = (aliases or {}).get(err.get("field"), err.get("field"))
        form.add_error(field if field in form.fields else None, err["message"])
