"""Reading reference data. Every read goes through `restrict(user)`; reference data is public, so `user` may be
an anonymous user or None."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from corridor.core.errors import InvalidInput, NotFound
from corridor.reference import search
from corridor.reference.models import CrosswalkEntry, EscoOccupation, IscoGroup, NationalClassification

MAX_SEARCH_LIMIT = 100

KIND_ISCO = "isco"
KIND_ESCO = "esco"


@dataclass(frozen=True)
class OccupationMatch:
    """One search result: an ISCO-08 group or an ESCO occupation, with the ISCO-08 code it stands for."""

    kind: str  # "isco" or "esco"
    code: str  # the ISCO-08 code (of the group, or of the occupation's unit group)
    title: str
    level: int  # ISCO-08 level of `code`
    uri: str
    matched_label: str  # the alternative label that matched, or ""
    rank: int  # the match tier, 0 best (see corridor.reference.search)
    group_title: str = ""  # for an ESCO occupation, the title of its ISCO-08 unit group


# ISCO-08 groups -----------------------------------------------------------------------------------------------


def isco_groups(*, user, level: int | None = None, parent: str | None = None) -> models.QuerySet[IscoGroup]:
    """ISCO-08 groups in code order, optionally of one level or under one parent code."""
    qs = IscoGroup.objects.all().restrict(user)
    if level is not None:
        qs = qs.filter(level=level)
    if parent:
        qs = qs.filter(parent__code=parent.strip())
    return qs.select_related("parent").order_by("code")


def isco_group_detail(*, user, code: str) -> IscoGroup:
    """The ISCO-08 group with `code`; NotFound if there is none."""
    group = (
        IscoGroup.objects.all()
        .restrict(user)
        .select_related("parent")
        .filter(code=(code or "").strip())
        .first()
    )
    if group is None:
        raise NotFound(f"There is no ISCO-08 group with the code {code!r}.", field="code")
    return group


def isco_ancestors(*, user, group: IscoGroup) -> list[IscoGroup]:
    """The groups above `group`, from the major group down to its parent."""
    prefixes = [group.code[:n] for n in range(1, len(group.code))]
    return list(IscoGroup.objects.filter(code__in=prefixes).restrict(user).order_by("level"))


def isco_children(*, user, group: IscoGroup) -> models.QuerySet[IscoGroup]:
    return IscoGroup.objects.filter(parent=group).restrict(user).order_by("code")


def esco_occupations_of(*, user, group: IscoGroup) -> models.QuerySet[EscoOccupation]:
    """The ESCO occupations of an ISCO-08 group and of every group below it, by title."""
    return (
        EscoOccupation.objects.filter(isco_group__code__startswith=group.code)
        .restrict(user)
        .select_related("isco_group")
        .order_by("title")
    )


def isco_code_exists(code: str, *, user=None) -> bool:
    """True when `code` is an ISCO-08 group code (1 to 4 digits)."""
    if not isinstance(code, str) or not code.isascii() or not code.isdigit() or not 1 <= len(code) <= 4:
        return False
    return IscoGroup.objects.filter(code=code).restrict(user).exists()


def isco_titles(codes, *, user=None) -> dict[str, str]:
    """Title of each known ISCO-08 code among `codes`."""
    wanted = {c for c in codes if isinstance(c, str)}
    return dict(IscoGroup.objects.filter(code__in=wanted).restrict(user).values_list("code", "title"))


# Search -------------------------------------------------------------------------------------------------------


def occupation_search(*, user, q: str, limit: int = 20, level: int | None = None) -> list[OccupationMatch]:
    """ISCO-08 groups and ESCO occupations matching `q` by code, title or alternative label, best first.

    Accent- and case-insensitive. Ranked: exact code, code prefix, title (equal, starts with, contains),
    alternative label (equal, starts with, contains), all words anywhere. `level` keeps only results whose ISCO-08
    code has that many digits (ESCO occupations belong to 4-digit unit groups, so level 4 includes them).
    """
    if level is not None and level not in (1, 2, 3, 4):
        raise InvalidInput([{"field": "level", "message": "The level must be 1, 2, 3 or 4."}])
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise InvalidInput(
            [{"field": "limit", "message": f"The limit must be between 1 and {MAX_SEARCH_LIMIT}."}]
        )
    query = search.Query.parse(q or "")
    if query.is_empty:
        return []
    scored: list[tuple[tuple, OccupationMatch]] = []

    groups = IscoGroup.objects.all().restrict(user)
    if level is not None:
        groups = groups.filter(level=level)
    groups = _prefilter(groups, query, code_field="code")
    for code, title, alt_labels, text, group_level, uri in groups.values_list(
        "code", "title", "alt_labels", "search_text", "level", "uri"
    ):
        found = search.score(query, code, text)
        if found is not None:
            match = OccupationMatch(
                kind=KIND_ISCO,
                code=code,
                title=title,
                level=group_level,
                uri=uri,
                matched_label=_label_at(alt_labels, found.matched_label_index),
                rank=found.tier,
            )
            scored.append((search.sort_key(found, kind_order=0, code=code, title=title), match))

    if level in (None, 4):
        occupations = _prefilter(
            EscoOccupation.objects.all().restrict(user), query, code_field="isco_group__code"
        )
        for code, title, alt_labels, text, uri, group_title in occupations.values_list(
            "isco_group__code", "title", "alt_labels", "search_text", "uri", "isco_group__title"
        ):
            found = search.score(query, code, text)
            if found is not None:
                match = OccupationMatch(
                    kind=KIND_ESCO,
                    code=code,
                    title=title,
                    level=len(code),
                    uri=uri,
                    matched_label=_label_at(alt_labels, found.matched_label_index),
                    rank=found.tier,
                    group_title=group_title,
                )
                scored.append((search.sort_key(found, kind_order=1, code=code, title=title), match))

    scored.sort(key=lambda pair: pair[0])
    return [match for _key, match in scored[:limit]]


def _prefilter(qs: models.QuerySet, query: search.Query, *, code_field: str) -> models.QuerySet:
    """Rows that may match: every query word in the search text, or (for a numeric query) the code's prefix."""
    words = models.Q()
    for word in query.words:
        words &= models.Q(search_text__contains=word)
    if query.code:
        return qs.filter(words | models.Q(**{f"{code_field}__startswith": query.code}))
    return qs.filter(words)


def _label_at(alt_labels: str, index: int | None) -> str:
    if index is None:
        return ""
    labels = alt_labels.split("\n")
    return labels[index] if 0 <= index < len(labels) else ""


# National classifications and crosswalks ----------------------------------------------------------------------


def national_classifications(*, user) -> models.QuerySet[NationalClassification]:
    """Every national classification with the number of its crosswalk entries (`entry_count`)."""
    return (
        NationalClassification.objects.all()
        .restrict(user)
        .annotate(entry_count=models.Count("entries"))
        .order_by("code")
    )


def crosswalk_entry(*, user, classification_code: str, national_code: str) -> CrosswalkEntry:
    """The crosswalk entry of a national code; NotFound if the classification or the code is unknown."""
    code = (classification_code or "").strip().upper()
    if not NationalClassification.objects.filter(code=code).restrict(user).exists():
        raise NotFound(
            f"There is no national classification {classification_code!r}.", field="classification"
        )
    entry = (
        CrosswalkEntry.objects.filter(classification__code=code, national_code=(national_code or "").strip())
        .restrict(user)
        .select_related("classification", "isco_group")
        .first()
    )
    if entry is None:
        raise NotFound(f"{code} has no national code {national_code!r}.", field="national_code")
    return entry


def isco_for_national_code(classification_code: str, national_code: str, *, user=None) -> IscoGroup | None:
    """The ISCO-08 group a national occupation code maps to, or None if the crosswalk does not know it."""
    try:
        return crosswalk_entry(
            user=user, classification_code=classification_code, national_code=national_code
        ).isco_group
    except NotFound:
        return None


def crosswalk_entries_for_group(*, user, group: IscoGroup) -> models.QuerySet[CrosswalkEntry]:
    """National codes mapped to `group`."""
    return (
        CrosswalkEntry.objects.filter(isco_group=group)
        .restrict(user)
        .select_related("classification")
        .order_by("classification__code", "national_code")
    )
