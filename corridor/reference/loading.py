"""Loading the ISCO-08 and ESCO files shipped in `corridor/reference/data/` into the database.

Used by the data migration (so every new database, the test database included, has them) and by the
`loadreference` command. Loading is idempotent: rows are matched by ISCO code and ESCO URI, new ones created,
changed ones updated, nothing deleted. The functions take the model classes as arguments so that the migration
can pass its historical models.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from corridor.reference.text import search_text_for, split_labels

DATA_DIR = Path(__file__).resolve().parent / "data"
ISCO_FILE = DATA_DIR / "ISCOGroups_en.csv"
ESCO_FILE = DATA_DIR / "occupations_en.csv"

ISCO_FIELDS = ("level", "title", "alt_labels", "description", "uri", "parent_id", "search_text")
ESCO_FIELDS = ("isco_group_id", "title", "alt_labels", "description", "search_text")


@contextmanager
def _large_csv_fields() -> Iterator[None]:
    # ESCO descriptions and label lists exceed the csv module's default 128 KiB field limit in some exports.
    previous = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def _clean(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").strip()


def read_isco_groups(path: Path = ISCO_FILE) -> list[dict]:
    """The ISCO-08 groups of the ESCO export, sorted by code, each with its level and parent code."""
    with _large_csv_fields(), path.open(encoding="utf-8", newline="") as handle:
        rows = []
        for record in csv.DictReader(handle):
            code = record["code"].strip()
            if not (code.isascii() and code.isdigit() and 1 <= len(code) <= 4):
                raise ValueError(f"{path.name}: {code!r} is not an ISCO-08 code.")
            title = _clean(record["preferredLabel"])
            labels = split_labels(record.get("altLabels"))
            rows.append(
                {
                    "code": code,
                    "level": len(code),
                    "title": title,
                    "alt_labels": "\n".join(labels),
                    "description": _clean(record.get("description")),
                    "uri": _clean(record.get("conceptUri")),
                    "parent_code": code[:-1] or None,
                    "search_text": search_text_for(code, title, labels),
                }
            )
    return sorted(rows, key=lambda row: row["code"])


def read_esco_occupations(path: Path = ESCO_FILE) -> list[dict]:
    """The ESCO occupations, each with the code of its ISCO-08 group."""
    with _large_csv_fields(), path.open(encoding="utf-8", newline="") as handle:
        rows = []
        for record in csv.DictReader(handle):
            code = record["iscoGroup"].strip()
            title = _clean(record["preferredLabel"])
            labels = split_labels(record.get("altLabels"))
            rows.append(
                {
                    "uri": record["conceptUri"].strip(),
                    "isco_code": code,
                    "title": title,
                    "alt_labels": "\n".join(labels),
                    "description": _clean(record.get("description")),
                    "search_text": search_text_for(code, title, labels),
                }
            )
    return rows


@dataclass
class LoadCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


@dataclass
class LoadReport:
    isco: LoadCounts
    esco: LoadCounts


def load_reference(
    isco_model, esco_model, *, isco_path: Path = ISCO_FILE, esco_path: Path = ESCO_FILE
) -> LoadReport:
    """Create or update every ISCO-08 group and ESCO occupation of the shipped files. Call inside a transaction."""
    groups = read_isco_groups(isco_path)
    occupations = read_esco_occupations(esco_path)
    isco_counts = _load_isco(isco_model, groups)
    group_ids = dict(isco_model._base_manager.values_list("code", "id"))
    esco_counts = _load_esco(esco_model, occupations, group_ids)
    return LoadReport(isco=isco_counts, esco=esco_counts)


def _load_isco(model, groups: list[dict]) -> LoadCounts:
    counts = LoadCounts()
    existing = {g.code: g for g in model._base_manager.all()}
    ids = {code: g.pk for code, g in existing.items()}
    for level in (1, 2, 3, 4):
        to_create, to_update = [], []
        for row in (r for r in groups if r["level"] == level):
            parent_id = ids.get(row["parent_code"]) if row["parent_code"] else None
            if row["parent_code"] and parent_id is None:
                raise ValueError(
                    f"ISCO-08 group {row['code']} has no parent {row['parent_code']} in the file."
                )
            values = {name: row[name] for name in ISCO_FIELDS if name != "parent_id"}
            values["parent_id"] = parent_id
            _plan_row(model, existing, "code", row["code"], values, to_create, to_update, counts)
        created = model._base_manager.bulk_create(to_create, batch_size=500)
        if created and created[0].pk is None:  # a backend that does not return ids
            created = list(model._base_manager.filter(code__in=[g.code for g in to_create]))
        ids.update({g.code: g.pk for g in created})
        if to_update:
            model._base_manager.bulk_update(to_update, list(ISCO_FIELDS), batch_size=500)
        counts.created += len(to_create)
        counts.updated += len(to_update)
    return counts


def _plan_row(model, existing: dict, key_name: str, key: str, values: dict, to_create: list, to_update: list, counts) -> None:
    """Queue a row for creation, for update when a value changed, or count it as unchanged."""
    current = existing.get(key)
    if current is None:
        to_create.append(model(**{key_name: key}, **values))
    elif any(getattr(current, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(current, name, value)
        to_update.append(current)
    else:
        counts.unchanged += 1


def _load_esco(model, occupations: list[dict], group_ids: dict[str, int]) -> LoadCounts:
    counts = LoadCounts()
    existing = {o.uri: o for o in model._base_manager.all()}
    to_create, to_update = [], []
    for row in occupations:
        group_id = group_ids.get(row["isco_code"])
        if group_id is None:
            raise ValueError(
                f"ESCO occupation {row['uri']} refers to the unknown ISCO-08 group {row['isco_code']!r}."
            )
        values = {name: row[name] for name in ESCO_FIELDS if name != "isco_group_id"}
        values["isco_group_id"] = group_id
        _plan_row(model, existing, "uri", row["uri"], values, to_create, to_update, counts)
    model._base_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        model._base_manager.bulk_update(to_update, list(ESCO_FIELDS), batch_size=500)
    counts.created, counts.updated = len(to_create), len(to_update)
    return counts


def unload_reference(isco_model, esco_model) -> None:
    """Remove the loaded rows (reverse of the data migration); fails if other data still points at them."""
    esco_model._base_manager.all().delete()
    for level in (4, 3, 2, 1):
        isco_model._base_manager.filter(level=level).delete()
