"""Occupation search: ranking, labels, accents and case, levels."""

import pytest

from corridor.core.errors import InvalidInput
from corridor.reference.selectors import isco_code_exists, occupation_search

pytestmark = pytest.mark.django_db


def test_exact_code_first():
    results = occupation_search(user=None, q="8322")
    assert (results[0].kind, results[0].code, results[0].title) == (
        "isco",
        "8322",
        "Car, taxi and van drivers",
    )
    assert {r.code for r in results} == {"8322"}  # then the ESCO occupations of the group


def test_code_prefix_after_exact_code():
    results = occupation_search(user=None, q="83", limit=10)
    assert results[0].code == "83"
    assert [r.code for r in results[1:6]] == ["831", "832", "833", "834", "835"]


def test_title_before_alternative_label():
    results = occupation_search(user=None, q="taxi driver")
    assert results[0].title == "taxi driver" and results[0].kind == "esco"
    titles = [r.title for r in results]
    assert titles.index("taxi driver") < titles.index("Car, taxi and van drivers")


def test_alternative_label_finds_its_occupation():
    results = occupation_search(user=None, q="minicab driver")
    assert results[0].title == "taxi driver"
    assert results[0].matched_label == "minicab driver"
    assert results[0].code == "8322"
    assert results[0].group_title == "Car, taxi and van drivers"


def test_accents_and_case_do_not_matter():
    for q in ("REPETITEUR", "répétiteur", "Repetiteur"):
        titles = [r.title for r in occupation_search(user=None, q=q)]
        assert titles[:2] == ["répétiteur", "dance répétiteur"]


def test_whole_word_matches_before_word_parts():
    titles = [r.title for r in occupation_search(user=None, q="taxi")]
    assert titles.index("taxi driver") < titles.index("taxidermist")


def test_words_in_any_order():
    assert "Car, taxi and van drivers" in [r.title for r in occupation_search(user=None, q="drivers van")]


def test_level_filter():
    results = occupation_search(user=None, q="drivers", level=2)
    assert results and all(r.kind == "isco" and r.level == 2 for r in results)
    unit = occupation_search(user=None, q="8322", level=4)
    assert {r.kind for r in unit} == {"isco", "esco"}
    assert occupation_search(user=None, q="8322", level=3) == []


def test_limit_and_bad_arguments():
    assert len(occupation_search(user=None, q="a", limit=5)) == 5
    assert occupation_search(user=None, q="   ") == []
    assert occupation_search(user=None, q="zzzqqq") == []
    with pytest.raises(InvalidInput):
        occupation_search(user=None, q="x", level=5)
    with pytest.raises(InvalidInput):
        occupation_search(user=None, q="x", limit=0)


def test_isco_code_exists():
    assert isco_code_exists("8322") and isco_code_exists("0")
    assert not isco_code_exists("9999") and not isco_code_exists("83a") and not isco_code_exists("")
