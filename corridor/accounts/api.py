"""Organisations, the caller's own account and API tokens through /api/v1."""

from __future__ import annotations

import datetime

from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from corridor.accounts import services
from corridor.accounts.api_auth import ApiAccess
from corridor.accounts.models import ApiToken, Organisation
from corridor.core.access import Category
from corridor.core.errors import Forbidden, NotFound

router = Router(tags=["organisations"], auth=ApiAccess(category=Category.ORGANISATION, scope="organisations"))
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
@paginate(PageNumberPagination)
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
    return 201, services.organisation_create(actor=request.auth, **payload.dict())


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
    data = TokenOut.from_orm(token).dict()
    return 201, {**data, "token": secret}


@account_router.post("/tokens/{prefix}/revoke", response=TokenOut, summary="Revoke an API token")
def revoke_token(request, prefix: str, payload: RevokeIn):
    if getattr(request, "api_token", None) is not None:
        raise Forbidden("API tokens are revoked by a signed-in person, not by another token.")
    token = ApiToken.objects.filter(prefix=prefix).restrict(request.auth).first()
    if token is None:
        raise NotFound(f"No token with prefix '{prefix}'.")
    return services.api_token_revoke(actor=request.auth, token=token, reason=payload.reason)
