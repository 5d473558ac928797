"""Organisations, the caller's own account and API tokens through /api/v1."""

from __future__ import annotations

import datetime

from django.apps import apps
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from corridor.accounts import services
from corridor.accounts.models import ApiToken, Organisation, User
from corridor.core.access import Category
from corridor.core.api_auth import ApiAccess
from corridor.core.errors import Forbidden, InvalidInput, NotFound
from corridor.core.pagination import Pagination

router = Router(tags=["organisations"], auth=ApiAccess(category=Category.ORGANISATION, scope="organisations"))
users_router = Router(tags=["organisations"], auth=ApiAccess(category=Category.ACCOUNT, scope="organisations"))
account_router = Router(tags=["account"], auth=ApiAccess(category=Category.ACCOUNT, scope="organisations"))


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    country: str
    registration_number: str
    website: str
    is_active: bool


class OrganisationIn(Schema):
    name: str = Field(..., max_length=200)
    kind: str = Field(..., max_length=40)
    country: str = Field(..., max_length=2)
    registration_number: str = Field("", max_length=100)
    contact_email: str = Field("", max_length=254)
    website: str = Field("", max_length=200)


class RoleOut(Schema):
    role: str
    programme: str | None = None

    @staticmethod
    def resolve_programme(obj):
        return obj.programme.code if obj.programme_id else None


class MeOut(Schema):
    username: str
    display_name: str
    language: str
    organisation: OrganisationOut | None
    roles: list[RoleOut]
    is_org_admin: bool

    @staticmethod
    def resolve_roles(obj):
        return list(obj.role_assignments.select_related("programme"))


class UserOut(Schema):
    username: str
    first_name: str
    last_name: str
    language: str
    is_active: bool
    is_org_admin: bool
    organisation_id: int | None
    roles: list[RoleOut]

    @staticmethod
    def resolve_roles(obj):
        return list(obj.role_assignments.select_related("programme"))


class RoleIn(Schema):
    role: str = Field(..., max_length=40)
    programme: str | None = Field(None, max_length=30, description="Programme code; empty for all programmes of the organisation.")


class UserIn(Schema):
    username: str = Field(..., min_length=3, max_length=150, pattern=r"^[\w.@+-]+$")
    password: str = Field(..., min_length=12, max_length=128)
    organisation_id: int | None = None
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    email: str = Field("", max_length=254)
    language: str = Field("en", max_length=12)
    is_org_admin: bool = False
    roles: list[RoleIn]


class RoleRevokeIn(RoleIn):
    reason: str = Field(..., min_length=1, max_length=2000)


class TokenOut(Schema):
    prefix: str
    name: str
    scopes: list[str]
    created_at: datetime.datetime
    expires_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    last_used_at: datetime.datetime | None


class TokenIn(Schema):
    name: str = Field(..., max_length=100)
    scopes: list[str]
    expires_at: datetime.datetime | None = None


class TokenCreated(TokenOut):
    token: str = Field(..., description="The secret; shown only once.")


class RevokeIn(Schema):
    reason: str = Field("", max_length=2000)


@router.get("/organisations", response=list[OrganisationOut], summary="The organisation directory")
@paginate(Pagination)
def list_organisations(request, kind: str = "", country: str = "", q: str = ""):
    qs = Organisation.objects.all().restrict(request.auth)
    if kind:
        qs = qs.filter(kind=kind)
    if country:
        qs = qs.filter(country=country.upper())
    if q:
        qs = qs.filter(name__icontains=q)
    return qs


@router.post("/organisations", response={201: OrganisationOut}, summary="Register an organisation (platform administrators)")
def create_organisation(request, payload: OrganisationIn):
    return Status(201, services.organisation_create(actor=request.auth, **payload.dict()))


@router.get("/organisations/{org_id}", response=OrganisationOut)
def get_organisation(request, org_id: int):
    org = Organisation.objects.filter(pk=org_id).restrict(request.auth).first()
    if org is None:
        raise NotFound(f"No organisation with id {org_id}.")
    return org


@account_router.get("/me", response=MeOut, summary="The signed-in account and its roles")
def me(request):
    if not request.auth.is_authenticated:
        raise Forbidden("Sign in first.")
    return request.auth


@account_router.get("/tokens", response=list[TokenOut], summary="Your organisation's API tokens")
def list_tokens(request):
    return list(ApiToken.objects.filter(organisation_id=request.auth.organisation_id).restrict(request.auth))


@account_router.post("/tokens", response={201: TokenCreated}, summary="Issue an API token for your organisation")
def create_token(request, payload: TokenIn):
    if getattr(request, "api_token", None) is not None:
        raise Forbidden("API tokens are issued by a signed-in person, not by another token.")
    if request.auth.organisation is None:
        raise Forbidden("Only members of an organisation can issue API tokens.")
    token, secret = services.api_token_create(
        actor=request.auth, organisation=request.auth.organisation, name=payload.name, scopes=payload.scopes,
        expires_at=payload.expires_at,
    )
    data = TokenOut.model_validate(token).model_dump()
    return Status(201, {**data, "token": secret})


@account_router.post("/tokens/{prefix}/revoke", response=TokenOut, summary="Revoke an API token")
def revoke_token(request, prefix: str, payload: RevokeIn):
    if getattr(request, "api_token", None) is not None:
        raise Forbidden("API tokens are revoked by a signed-in person, not by another token.")
    token = ApiToken.objects.filter(prefix=prefix).restrict(request.auth).first()
    if token is None:
        raise NotFound(f"No token with prefix '{prefix}'.")
    return services.api_token_revoke(actor=request.auth, token=token, reason=payload.reason)


def _programme_for_role(request, code: str | None, field: str):
    if not code:
        return None
    Programme = apps.get_model("programmes", "Programme")  # named, not imported: accounts sits below programmes

    programme = Programme.objects.filter(code=code.upper()).restrict(request.auth).first()
    if programme is None:
        raise InvalidInput(f"No programme with code '{code}'.", field=field)
    return programme


@users_router.get("/users", response=list[UserOut], summary="Accounts you may see (platform administrators: all)")
@paginate(Pagination)
def list_users(request, organisation_id: int | None = None, role: str = ""):
    qs = User.objects.all().restrict(request.auth).prefetch_related("role_assignments__programme").order_by("username")
    if organisation_id:
        qs = qs.filter(organisation_id=organisation_id)
    if role:
        qs = qs.filter(role_assignments__role=role).distinct()
    return qs


@users_router.post("/users", response={201: UserOut}, summary="Create an account with its roles (platform administrators)")
def create_user(request, payload: UserIn):
    org = None
    if payload.organisation_id is not None:
        org = Organisation.objects.filter(pk=payload.organisation_id).restrict(request.auth).first()
        if org is None:
            raise InvalidInput(f"No organisation with id {payload.organisation_id}.", field="organisation_id")
    roles = [(r.role, _programme_for_role(request, r.programme, f"roles.{i}.programme")) for i, r in enumerate(payload.roles)]
    data = payload.dict(exclude={"organisation_id", "roles"})
    return Status(201, services.user_register(actor=request.auth, organisation=org, roles=roles, **data))


def _user(request, username: str) -> User:
    user = User.objects.filter(username=username).restrict(request.auth).first()
    if user is None:
        raise NotFound(f"No account '{username}'.")
    return user


@users_router.post("/users/{username}/roles", response=UserOut, summary="Grant a role (platform administrators)")
def grant_role(request, username: str, payload: RoleIn):
    user = _user(request, username)
    services.role_grant(actor=request.auth, user=user, role=payload.role, programme=_programme_for_role(request, payload.programme, "programme"))
    return user


@users_router.post("/users/{username}/roles/revoke", response=UserOut, summary="Remove a role, with the reason (platform administrators)")
def revoke_role(request, username: str, payload: RoleRevokeIn):
    user = _user(request, username)
    programme = _programme_for_role(request, payload.programme, "programme")
    assignment = user.role_assignments.filter(role=payload.role, programme=programme).first()
    if assignment is None:
        raise NotFound(f"{username} does not hold the role '{payload.role}' there.")
    services.role_revoke(actor=request.auth, assignment=assignment, reason=payload.reason)
    return user
