"""Organisations, users, roles and API tokens: each change is one atomic action with its audit event."""

from __future__ import annotations

import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone

from corridor.accounts.models import (
    ROLES_BY_KIND,
    ROLES_WITHOUT_ORGANISATION,
    SCOPES,
    ApiToken,
    Organisation,
    OrgKind,
    RoleAssignment,
    User,
)
from corridor.accounts.tokens import hash_secret, new_token_parts
from corridor.core import audit
from corridor.core.access import Role, roles_of
from corridor.core.errors import Conflict, Forbidden, InvalidInput
from corridor.reference import codes


def _require_platform_admin(actor) -> None:
    if Role.PLATFORM_ADMIN not in roles_of(actor):
        raise Forbidden("Only a platform administrator may do this.")


@transaction.atomic
def organisation_create(
    *, actor, name: str, kind: str, country: str, registration_number: str = "", contact_email: str = "", website: str = ""
) -> Organisation:
    """Register an organisation (a platform administrator's task)."""
    _require_platform_admin(actor)
    country = (country or "").strip().upper()
    errors = []
    if not (name or "").strip():
        errors.append({"field": "name", "message": "An organisation needs a name."})
    if kind not in OrgKind.values:
        errors.append({"field": "kind", "message": f"Choose one of {', '.join(OrgKind.values)}."})
    if not codes.is_country(country):
        errors.append({"field": "country", "message": f"Unknown ISO 3166-1 country code '{country}'."})
    if errors:
        raise InvalidInput(errors)
    if Organisation.objects.filter(kind=kind, country=country, name=name.strip()).exists():
        raise Conflict(f"{name} is already registered.", field="name")
    org = Organisation.objects.create(
        name=name.strip(),
        kind=kind,
        country=country,
        registration_number=registration_number,
        contact_email=contact_email,
        website=website,
    )
    audit.record(actor=actor, action="organisation.create", subject=org, after=audit.snapshot(org), organisation_id=org.pk)
    return org


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str | None,
    organisation: Organisation | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "en",
    is_org_admin: bool = False,
    check_password: bool = True,
) -> User:
    """Create an account; `actor` None means the system (the demo and data generators)."""
    if actor is not None:
        _require_platform_admin(actor)
    if User.objects.filter(username=username).exists():
        raise Conflict(f"The username '{username}' is taken.", field="username")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        organisation=organisation,
        language=language,
        is_org_admin=is_org_admin,
    )
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except DjangoValidationError as exc:
                raise InvalidInput([{"field": "password", "message": m} for m in exc.messages]) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor, action="user.create", subject=user, after=audit.snapshot(user, exclude=("password",)),
        organisation_id=organisation.pk if organisation else None,
    )
    return user


@transaction.atomic
def role_grant(*, actor, user: User, role: str, programme=None) -> RoleAssignment:
    """Give `user` a role, for one programme or for all programmes of their organisation."""
    if actor is not None:
        _require_platform_admin(actor)
    if role not in Role.values:
        raise InvalidInput(f"Unknown role '{role}'.", field="role")
    if role in ROLES_WITHOUT_ORGANISATION:
        if user.organisation_id:
            raise InvalidInput("A worker account does not belong to an organisation.", field="role")
    else:
        if user.organisation is None:
            raise InvalidInput("This role is held through an organisation; the user has none.", field="role")
        if role not in ROLES_BY_KIND.get(user.organisation.kind, frozenset()):
            raise InvalidInput(f"A member of a {user.organisation.get_kind_display()} cannot hold the role {role}.", field="role")
    existing = RoleAssignment.objects.filter(user=user, role=role, programme=programme).first()
    if existing:
        return existing
    assignment = RoleAssignment.objects.create(user=user, role=role, programme=programme, granted_by=actor)
    audit.record(
        actor=actor, action="role.grant", subject=assignment, after=audit.snapshot(assignment),
        programme_id=programme.pk if programme else None, organisation_id=user.organisation_id,
    )
    user.forget_cached_access()
    return assignment


@transaction.atomic
def role_revoke(*, actor, assignment: RoleAssignment, reason: str) -> None:
    _require_platform_admin(actor)
    if not reason.strip():
        raise InvalidInput("Give the reason for removing the role.", field="reason")
    before = audit.snapshot(assignment)
    audit.record(
        actor=actor, action="role.revoke", subject=assignment, before=before, reason=reason,
        programme_id=assignment.programme_id, organisation_id=assignment.user.organisation_id,
    )
    assignment.delete()


def _may_manage_tokens(actor, organisation: Organisation) -> bool:
    if Role.PLATFORM_ADMIN in roles_of(actor):
        return True
    return bool(actor.is_authenticated and actor.is_org_admin and actor.organisation_id == organisation.pk)


@transaction.atomic
def api_token_create(
    *, actor, organisation: Organisation, name: str, scopes: list[str], expires_at: datetime.datetime | None = None
) -> tuple[ApiToken, str]:
    """Issue a token acting with `actor`'s rights, limited to `scopes`. The secret is shown once."""
    if not _may_manage_tokens(actor, organisation):
        raise Forbidden("Only your organisation's administrators may issue API tokens.")
    errors = []
    if not (name or "").strip():
        errors.append({"field": "name", "message": "Name the system that will use this token."})
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        errors.append({"field": "scopes", "message": f"Unknown scopes: {', '.join(unknown)}. Known: {', '.join(SCOPES)}."})
    if not scopes:
        errors.append({"field": "scopes", "message": "Give at least one scope."})
    if expires_at is not None and expires_at <= timezone.now():
        errors.append({"field": "expires_at", "message": "The expiry must be in the future."})
    if errors:
        raise InvalidInput(errors)
    prefix, secret, full = new_token_parts()
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name.strip(),
        prefix=prefix,
        key_hash=hash_secret(prefix, secret),
        scopes=sorted(set(scopes)),
        acting_user=actor,
        expires_at=expires_at,
    )
    audit.record(
        actor=actor, action="api_token.create", subject=token, after=audit.snapshot(token, exclude=("key_hash",)),
        organisation_id=organisation.pk,
    )
    return token, full


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken, reason: str = "") -> ApiToken:
    if not _may_manage_tokens(actor, token.organisation):
        raise Forbidden("Only your organisation's administrators may revoke its API tokens.")
    if token.revoked_at is not None:
        raise Conflict("This token is already revoked.")
    before = audit.snapshot(token, exclude=("key_hash",))
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor, action="api_token.revoke", subject=token, before=before,
        after=audit.snapshot(token, exclude=("key_hash",)), reason=reason, organisation_id=token.organisation_id,
    )
    return token


@transaction.atomic
def user_set_language(*, actor, language: str) -> User:
    """A user chooses the language the platform speaks to them in."""
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise InvalidInput(f"Unsupported language '{language}'.", field="language")
    before = audit.snapshot(actor, exclude=("password",))
    actor.language = language
    actor.save(update_fields=["language"])
    audit.record(actor=actor, action="user.language", subject=actor, before=before, after=audit.snapshot(actor, exclude=("password",)))
    return actor


@transaction.atomic
def second_factor_enrolled(*, actor, device) -> None:
    """Record that a user confirmed an authenticator app."""
    audit.record(actor=actor, action="user.second_factor.enrol", subject=actor, after={"device": device.name, "confirmed": True})


@transaction.atomic
def user_register(
    *,
    actor,
    username: str,
    password: str,
    organisation: Organisation | None,
    roles: list[tuple[str, object]],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    language: str = "en",
    is_org_admin: bool = False,
) -> User:
    """Create an account with its roles in one step: all of it is saved, or none of it."""
    _require_platform_admin(actor)
    errors = []
    if not (username or "").strip():
        errors.append({"field": "username", "message": "Choose a username."})
    if not roles:
        errors.append({"field": "roles", "message": "Give the account at least one role."})
    if errors:
        raise InvalidInput(errors)
    user = user_create(
        actor=actor,
        username=username.strip(),
        password=password,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        language=language,
        is_org_admin=is_org_admin,
    )
    for i, (role, programme) in enumerate(roles):
        try:
            role_grant(actor=actor, user=user, role=role, programme=programme)
        except InvalidInput as exc:
            raise InvalidInput([{"field": f"roles.{i}.role", "message": e["message"]} for e in exc.errors]) from exc
    return user


def check_new_account(*, username: str, password: str, email: str, language: str) -> list[dict]:
    """The problems with a new self-registered account's fields, each naming its field (nothing is written)."""
    errors = []
    username = (username or "").strip()
    if not username:
        errors.append({"field": "username", "message": "Choose a username."})
    elif len(username) > 150 or not all(c.isalnum() or c in "@.+-_" for c in username):
        errors.append({"field": "username", "message": "Use at most 150 letters, digits and @ . + - _ only."})
    elif User.objects.filter(username=username).exists():
        errors.append({"field": "username", "message": f"The username '{username}' is taken."})
    if not password:
        errors.append({"field": "password", "message": "Choose a password."})
    else:
        try:
            validate_password(password, User(username=username, email=email))
        except DjangoValidationError as exc:
            errors.extend({"field": "password", "message": m} for m in exc.messages)
    if email and ("@" not in email or len(email) > 254):
        errors.append({"field": "email", "message": "Enter a valid e-mail address."})
    if language and not codes.is_language(language):
        errors.append({"field": "language", "message": f"Unknown language code '{language}'."})
    return errors


def check_new_employer_organisation(*, name: str, country: str) -> list[dict]:
    """The problems with a new employer organisation's name and country (nothing is written)."""
    errors = []
    name = (name or "").strip()
    country = (country or "").strip().upper()
    if not name or len(name) > 200:
        errors.append({"field": "organisation_name", "message": "Give the employer's registered name (at most 200 characters)."})
    if not codes.is_country(country):
        errors.append({"field": "country", "message": f"Unknown ISO 3166-1 country code '{country}'."})
    elif name and Organisation.objects.filter(kind=OrgKind.EMPLOYER, country=country, name=name).exists():
        errors.append({"field": "organisation_name", "message": f"{name} is already registered; ask its administrator for an account."})
    return errors


@transaction.atomic
def employer_account_sign_up(
    *, organisation_name: str, country: str, registration_number: str, username: str, password: str,
    first_name: str = "", last_name: str = "", email: str = "", language: str = "en",
) -> User:
    """An employer signs up on its own: its organisation (kind employer) and a first account that administers it and
    holds the employer role. The destination ministry vets the employer before it may recruit."""
    errors = check_new_account(username=username, password=password, email=email, language=language)
    errors += check_new_employer_organisation(name=organisation_name, country=country)
    name = (organisation_name or "").strip()
    country = (country or "").strip().upper()
    if errors:
        raise InvalidInput(errors)
    org = Organisation.objects.create(
        name=name, kind=OrgKind.EMPLOYER, country=country, registration_number=(registration_number or "").strip()[:100],
        contact_email=(email or "").strip(),
    )
    user = User(username=username.strip(), first_name=(first_name or "").strip()[:150], last_name=(last_name or "").strip()[:150],
                email=(email or "").strip(), organisation=org, language=language or "en", is_org_admin=True)
    user.set_password(password)
    user.save()
    audit.record(actor=user, action="organisation.sign_up", subject=org, after=audit.snapshot(org), organisation_id=org.pk,
                 via="web")
    audit.record(actor=user, action="user.sign_up", subject=user, after=audit.snapshot(user, exclude=("password",)),
                 organisation_id=org.pk, via="web")
    role_grant(actor=None, user=user, role=Role.EMPLOYER)
    return user
