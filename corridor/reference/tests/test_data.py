"""The shipped ISCO-08 and ESCO data, its loading and its constraints."""

import hashlib
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command
from django.db import DataError, IntegrityError, transaction

from corridor.reference.loading import DATA_DIR, ESCO_FILE, ISCO_FILE, load_reference
from corridor.reference.models import EscoOccupation, IscoGroup

pytestmark = pytest.mark.django_db


def test_data_files_match_the_checksums_in_source_md():
    source = (DATA_DIR / "SOURCE.md").read_text(encoding="utf-8")
    for path in (ISCO_FILE, ESCO_FILE):
        expected = re.search(rf"`{re.escape(path.name)}` `([0-9a-f]{{64}})`", source).group(1)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == expected


def test_counts_per_level():
    assert IscoGroup.objects.count() == 619
    assert Counter(IscoGroup.objects.values_list("level", flat=True)) == {1: 10, 2: 43, 3: 130, 4: 436}
    assert EscoOccupation.objects.count() == 2942
    assert EscoOccupation.objects.values("isco_group").distinct().count() == 426


def test_hierarchy():
    unit = IscoGroup.objects.select_related("parent__parent__parent").get(code="8322")
    assert unit.title == "Car, taxi and van drivers"
    assert unit.level == 4
    assert [unit.parent.code, unit.parent.parent.code, unit.parent.parent.parent.code] == ["832", "83", "8"]
    assert unit.parent.parent.parent.parent is None
    assert IscoGroup.objects.get(code="0").title == "Armed forces occupations"
    assert not IscoGroup.objects.filter(level__gt=1, parent__isnull=True).exists()
    assert all(
        g.parent.code == g.code[:-1] for g in IscoGroup.objects.filter(level__gt=1).select_related("parent")
    )
    assert list(IscoGroup.objects.get(code="8").children.values_list("code", flat=True)) == ["81", "82", "83"]


def test_esco_occupations_and_labels():
    taxi = EscoOccupation.objects.get(title="taxi driver")
    assert taxi.isco_group.code == "8322"
    assert "cab driver" in taxi.alt_label_list
    assert taxi.uri.startswith("http://data.europa.eu/esco/occupation/")
    assert "\n" in taxi.search_text and taxi.search_text.startswith("8322\ntaxi driver\n")
    assert (
        EscoOccupation.objects.get(title="dance répétiteur").search_text.split("\n")[1] == "dance repetiteur"
    )


def test_loadreference_is_idempotent():
    out = io.StringIO()
    call_command("loadreference", stdout=out)
    text = out.getvalue()
    assert "ISCO-08 groups: 619 in the file, 0 created, 0 updated, 619 unchanged." in text
    assert "2942 ESCO occupations in the database" in text


def test_loadreference_repairs_changed_and_missing_rows():
    IscoGroup.objects.filter(code="8322").update(title="changed")
    EscoOccupation.objects.filter(title="taxi driver").delete()
    report = load_reference(IscoGroup, EscoOccupation)
    assert (report.isco.updated, report.esco.created) == (1, 1)
    assert IscoGroup.objects.get(code="8322").title == "Car, taxi and van drivers"
    assert EscoOccupation.objects.filter(title="taxi driver").exists()


@pytest.mark.parametrize(
    "values",
    [
        {"code": "12a4", "level": 4},
        {"code": "12345", "level": 5},
        {"code": "9", "level": 2},
    ],
)
def test_isco_constraints(values):
    parent = IscoGroup.objects.get(code="1")
    # PostgreSQL refuses a five-digit code by the column's length (DataError), SQLite by the check constraint.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        IscoGroup.objects.create(title="x", search_text="x", parent=parent, **values)


def test_isco_group_needs_a_parent_below_level_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        IscoGroup.objects.create(code="99", level=2, title="x", search_text="x")
