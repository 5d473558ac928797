"""The work-ready pool of workers (GB.346 para 16, 19, 29; Madrid para 14, 18-21, 27).

A worker registers on their own (phone first, in their language) or is registered by the origin authority or a
licensed agency, and then confirms. The origin authority verifies the identity and marks the worker work-ready once
the documents, medical clearance and orientation are in order. Identity data and contact data are kept apart:
contact data (phone, e-mail, address) sits behind the immigration firewall. Nothing about a worker is shown to an
agency or an employer without a valid, purpose-bound consent that the worker can withdraw.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from corridor.core.access import (
    Category,
    RestrictedManager,
    RestrictedQuerySet,
    Role,
    organisation_of,
    roles_of,
)


class PoolStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    VERIFIED = "verified", _("Verified by the origin authority")
    WORK_READY = "work_ready", _("Work-ready")
    MERGED = "merged", _("Merged into another record")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class Channel(models.TextChoices):
    SELF = "self", _("By the worker")
    ORIGIN = "origin", _("By the origin authority")
    AGENCY = "agency", _("By a licensed agency")
    IMPORT = "import", _("Bulk import by the origin authority")


class Education(models.TextChoices):
    NONE = "none", _("No formal schooling")
    PRIMARY = "primary", _("Primary")
    LOWER_SECONDARY = "lower_secondary", _("Lower secondary")
    UPPER_SECONDARY = "upper_secondary", _("Upper secondary")
    VOCATIONAL = "vocational", _("Vocational training")
    TERTIARY = "tertiary", _("University or college")


class ConsentPurpose(models.TextChoices):
    EMPLOYERS = "employers", _("Share my profile with employers of a programme")
    AGENCY = "agency", _("Let a licensed agency see my profile and act for me")
    SELECTION = "selection", _("Take part in selection for a programme")



def consent_q(prefix: str, *, purpose: str, now=None, **match) -> Q:
    """Workers (reached through `prefix`) with a valid consent of `purpose` matching `match` (e.g. agency_id=3)."""
    now = now or timezone.now()
    fields = {f"{prefix}consents__purpose": purpose, f"{prefix}consents__withdrawn_at__isnull": True}
    fields.update({f"{prefix}consents__{k}": v for k, v in match.items()})
    return Q(**fields) & (Q(**{f"{prefix}consents__expires_at__isnull": True}) | Q(**{f"{prefix}consents__expires_at__gt": now}))


def worker_filter(user, action: str, prefix: str = "") -> Q | None:
    """The workers (reached through `prefix`) that `user` may `action`; None means none.

    The worker: their own record (view and change). The origin authority: its nationals (view, and change to verify,
    merge and correct). A licensed agency: workers who consented to it. An employer: work-ready workers who consented
    to share their profile with employers of a programme where the employer is approved (view only). Everyone else:
    nothing (the destination ministry, inspectors and researchers read aggregates).
    """
    roles = roles_of(user)
    if Role.PLATFORM_ADMIN in roles:
        return Q()
    if not getattr(user, "is_authenticated", False):
        return None
    q = Q(**{f"{prefix}user_id": user.pk})
    org = organisation_of(user)
    if org is None:
        return q
    if Role.ORIGIN_OFFICER in roles and org.kind == "origin_authority":
        q |= Q(**{f"{prefix}nationality": org.country})
    if Role.AGENCY in roles:
        agency_q = consent_q(prefix, purpose=ConsentPurpose.AGENCY, agency_id=org.pk)
        q |= agency_q if action == "view" else agency_q & Q(**{f"{prefix}status__in": [PoolStatus.REGISTERED]})
        if action == "view":
            # What the agency itself entered when registering a worker on their behalf, until the worker confirms.
            q |= Q(**{f"{prefix}registered_by_organisation_id": org.pk, f"{prefix}confirmed_at__isnull": True})
    if action == "view" and Role.EMPLOYER in roles:
        q |= Q(**{f"{prefix}status": PoolStatus.WORK_READY}) & consent_q(
            prefix, purpose=ConsentPurpose.EMPLOYERS,
            programme__employer_approvals__employer__organisation_id=org.pk,
            programme__employer_approvals__status="approved",
        )
    return q


class WorkerQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        q = worker_filter(user, action)
        return self.none() if q is None else self.filter(q).distinct()


class Worker(models.Model):
    data_category = Category.WORKER_IDENTITY

    public_id = models.CharField(_("worker identifier"), max_length=12, unique=True)
    user = models.OneToOneField("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="worker")
    given_names = models.CharField(_("given names"), max_length=150)
    family_names = models.CharField(_("family names"), max_length=150)
    name_key = models.CharField(max_length=300, db_index=True, editable=False, help_text="Names folded for matching.")
    sex = models.CharField(_("sex"), max_length=12, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    nationality = models.CharField(_("nationality"), max_length=2)
    region_of_origin = models.CharField(_("region of origin"), max_length=100, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    language = models.CharField(_("preferred language"), max_length=8, default="en")
    status = models.CharField(_("status"), max_length=12, choices=PoolStatus.choices, default=PoolStatus.REGISTERED)
    registered_via = models.CharField(_("registered"), max_length=10, choices=Channel.choices, default=Channel.SELF)
    registered_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    registered_by_organisation = models.ForeignKey(
        "accounts.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed by the worker"), null=True, blank=True)
    verified_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    work_ready_at = models.DateTimeField(null=True, blank=True)
    orientation_completed_on = models.DateField(_("pre-departure orientation completed on"), null=True, blank=True)
    banned_until = models.DateField(_("excluded from programmes until"), null=True, blank=True)
    ban_reason = models.TextField(_("reason for the exclusion"), blank=True)
    deployed = models.BooleanField(_("currently deployed"), default=False, help_text="Set by the deployment cycle.")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedManager.from_queryset(WorkerQuerySet)()

    class Meta:
        ordering = ["family_names", "given_names", "pk"]
        indexes = [models.Index(fields=["nationality", "status"]), models.Index(fields=["date_of_birth", "nationality"])]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PoolStatus.values), name="worker_status_valid"),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="worker_sex_valid"),
            models.CheckConstraint(condition=Q(nationality__regex=r"^[A-Z]{2}$"), name="worker_nationality_iso2"),
            models.CheckConstraint(
                condition=Q(status=PoolStatus.MERGED, merged_into__isnull=False) | Q(~Q(status=PoolStatus.MERGED), merged_into__isnull=True),
                name="worker_merged_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[PoolStatus.VERIFIED, PoolStatus.WORK_READY]) | Q(verified_at__isnull=False),
                name="worker_verified_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} {self.given_names} {self.family_names}"

    @property
    def full_name(self) -> str:
        return f"{self.given_names} {self.family_names}".strip()


class ContactQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        q = worker_filter(user, action, "worker__")
        return self.none() if q is None else self.filter(q).distinct()


class WorkerContact(models.Model):
    """How to reach a worker: behind the immigration firewall."""

    data_category = Category.WORKER_CONTACT

    worker = models.OneToOneField(Worker, on_delete=models.CASCADE, related_name="contact")
    phone = models.CharField(_("mobile phone"), max_length=32)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)

    objects = RestrictedManager.from_queryset(ContactQuerySet)()

    def __str__(self) -> str:
        return f"contact of {self.worker_id}"


class WorkerPartQuerySet(RestrictedQuerySet):
    """Documents, test results, occupations, medical clearance, consents: visible with the worker."""

    def visible_to(self, user, action: str):
        q = worker_filter(user, action, "worker__")
        return self.none() if q is None else self.filter(q).distinct()


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    NATIONAL_ID = "national_id", _("National identity card")
    BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
    OTHER = "other", _("Other identity document")


class IdentityDocument(models.Model):
    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=40)
    number_key = models.CharField(max_length=40, db_index=True, editable=False, help_text="Number without spaces or dashes.")
    issuing_country = models.CharField(_("issued by"), max_length=2)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    file = models.FileField(_("scan"), upload_to="worker-documents/", blank=True)
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(default=0)

    objects = RestrictedManager.from_queryset(WorkerPartQuerySet)()

    class Meta:
        ordering = ["worker_id", "kind"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(issued_on__isnull=True) | Q(expires_on__gt=models.F("issued_on")),
                name="document_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.issuing_country}"


class LanguageResult(models.Model):
    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="language_results")
    language = models.CharField(_("language"), max_length=3)
    test = models.CharField(_("test"), max_length=100)
    level = models.CharField(_("level or score"), max_length=40)
    taken_on = models.DateField(_("taken on"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)

    objects = RestrictedManager.from_queryset(WorkerPartQuerySet)()

    class Meta:
        ordering = ["worker_id", "-taken_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("taken_on")), name="language_result_dates"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.test} {self.level}"


class WorkerOccupation(models.Model):
    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="occupations")
    isco_code = models.CharField(_("occupation (ISCO-08)"), max_length=4)
    esco_uri = models.CharField(_("occupation (ESCO)"), max_length=200, blank=True)
    years_experience = models.DecimalField(_("years of experience"), max_digits=4, decimal_places=1, default=0)
    skills = models.TextField(_("skills"), blank=True)

    objects = RestrictedManager.from_queryset(WorkerPartQuerySet)()

    class Meta:
        ordering = ["worker_id", "-years_experience"]
        constraints = [
            models.CheckConstraint(condition=Q(isco_code__regex=r"^[0-9]{4}$"), name="worker_occupation_isco_unit"),
            models.CheckConstraint(condition=Q(years_experience__gte=0), name="worker_occupation_years_positive"),
            models.UniqueConstraint(fields=["worker", "isco_code"], name="worker_occupation_once"),
        ]

    def __str__(self) -> str:
        return self.isco_code


class MedicalClearance(models.Model):
    """Fit or not fit, and until when: never any medical detail."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="medical_clearances")
    fit = models.BooleanField(_("fit for the work"))
    issued_on = models.DateField(_("issued on"))
    valid_until = models.DateField(_("valid until"))
    issued_by = models.CharField(_("issued by (clinic)"), max_length=200)

    objects = RestrictedManager.from_queryset(WorkerPartQuerySet)()

    class Meta:
        ordering = ["worker_id", "-issued_on"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("issued_on")), name="medical_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{'fit' if self.fit else 'not fit'} until {self.valid_until}"


class Consent(models.Model):
    """An explicit, purpose-bound consent that the worker gave and may withdraw; the wording shown is kept."""

    data_category = Category.WORKER_IDENTITY

    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=12, choices=ConsentPurpose.choices)
    programme = models.ForeignKey("programmes.Programme", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("accounts.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    wording = models.TextField(_("what the worker agreed to"))
    language = models.CharField(max_length=8)
    given_at = models.DateTimeField(auto_now_add=True)
    given_via = models.CharField(max_length=10, default="web")
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = RestrictedManager.from_queryset(WorkerPartQuerySet)()

    class Meta:
        ordering = ["worker_id", "-given_at"]
        constraints = [
            models.CheckConstraint(condition=Q(purpose__in=ConsentPurpose.values), name="consent_purpose_valid"),
            models.CheckConstraint(
                condition=~Q(purpose__in=[ConsentPurpose.EMPLOYERS, ConsentPurpose.SELECTION]) | Q(programme__isnull=False),
                name="consent_programme_named",
            ),
            models.CheckConstraint(condition=~Q(purpose=ConsentPurpose.AGENCY) | Q(agency__isnull=False), name="consent_agency_named"),
            models.UniqueConstraint(
                fields=["worker", "purpose", "programme", "agency"], condition=Q(withdrawn_at__isnull=True),
                name="consent_one_valid_per_purpose",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} {self.purpose}"

    @property
    def valid(self) -> bool:
        return self.withdrawn_at is None and (self.expires_at is None or self.expires_at > timezone.now())


class DuplicateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DISMISSED = "dismissed", _("Not the same person")


class DuplicateQuerySet(RestrictedQuerySet):
    def visible_to(self, user, action: str):
        roles = roles_of(user)
        if Role.PLATFORM_ADMIN in roles:
            return self
        org = organisation_of(user)
        if org is None or Role.ORIGIN_OFFICER not in roles or org.kind != "origin_authority":
            return self.none()
        return self.filter(first__nationality=org.country, second__nationality=org.country)


class DuplicateFlag(models.Model):
    """Two records that may be the same person, for the origin authority to merge or dismiss."""

    data_category = Category.WORKER_IDENTITY

    first = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=4, decimal_places=3)
    reasons = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.OPEN)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedManager.from_queryset(DuplicateQuerySet)()

    class Meta:
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="duplicate_pair_once"),
            models.CheckConstraint(condition=Q(first__lt=models.F("second")), name="duplicate_pair_ordered"),
            models.CheckConstraint(condition=Q(status__in=DuplicateStatus.values), name="duplicate_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id} ~ {self.second_id} ({self.score})"
