"""Matching records of the same person: name folding, similarity, dates, documents, blocking. Plain Python."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corridor.workers.matching import (
    THRESHOLD,
    BlockIndex,
    Person,
    date_relation,
    dob_variants,
    jaro_winkler,
    name_key,
    number_key,
    one_edit,
    score,
)

D = datetime.date
BORN = D(1990, 3, 4)


def person(given, family, born=BORN, sex="male", documents=(), nationality="MA", ref=None):
    return Person.of(given, family, born, nationality, sex, documents=documents, ref=ref)


# --- name keys ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["Mohammed", "Muhammad", "Mohamed", "Mohamad", "Muhammed", "MOHAMMED", "Mohammad"])
def test_muhammad_spellings_fold_to_one_key(variant):
    assert name_key(variant, "Benali") == name_key("Muhammad", "Benali")


@pytest.mark.parametrize("written", ["Abd El Rahman", "Abdel Rahman", "Abdelrahman", "Abdul Rahman", "Abd-el-Rahman",
                                     "Abdulrahman", "Abd al-Rahman"])
def test_abd_el_forms_fold_to_one_key(written):
    assert name_key("Omar", written) == name_key("Omar", "Abdelrahman")


@pytest.mark.parametrize("a, b", [
    ("Youssef", "Yusuf"),  # ou/u, y/i, double letters
    ("Khalid", "Halid"),  # kh/h
    ("Philip", "Filip"),  # ph/f
    ("Yasmin", "Iasmin"),  # y/i
    ("Hassan", "Hasan"),  # double letters
    ("José María", "Jose Maria"),  # marks
    ("González", "Gonzales"),  # Spanish z/s
    ("Hussein", "Hossain"),  # common Arabic / Bengali variants
    ("Laxmi", "Lakshmi"),  # Nepali variants
    ("O'Brien", "OBrien"),  # punctuation
])
def test_romanisation_variants_fold_to_one_key(a, b):
    assert name_key(a, "Thapa") == name_key(b, "Thapa")


def test_the_order_of_names_and_the_field_they_are_in_do_not_matter():
    assert name_key("Ram Bahadur", "Thapa") == name_key("Thapa", "Ram Bahadur") == name_key("Bahadur Thapa", "Ram")


def test_different_names_give_different_keys():
    assert name_key("Sita", "Thapa") != name_key("Gita", "Thapa")
    # A lone "Abdul" (as a given name) stays a name of its own: it does not join the family name.
    assert name_key("Abdul", "Giri").split() == ["abd", "giri"]


def test_document_numbers_compare_without_spaces_dashes_and_case():
    assert number_key("ab 123-45.6/7") == number_key("AB1234567") == "ab1234567"


# --- similarity --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, expected", [("MARTHA", "MARHTA", 0.961), ("DWAYNE", "DUANE", 0.84),
                                            ("DIXON", "DICKSONX", 0.813), ("abc", "abc", 1.0), ("abc", "xyz", 0.0)])
def test_jaro_winkler_known_values(a, b, expected):
    assert jaro_winkler(a, b) == pytest.approx(expected, abs=0.001)


def test_one_edit_is_a_damerau_levenshtein_distance_of_one():
    assert one_edit("rawal", "raal") and one_edit("khan", "kahn") and one_edit("sita", "gita") and one_edit("ram", "rama")
    assert not one_edit("ram", "ram") and not one_edit("rawal", "ral") and not one_edit("khan", "hakn")


def test_transliteration_variants_of_the_same_person_are_flagged():
    value, reasons = score(person("Mohammed", "Abd El Rahman"), person("Muhamad", "Abdelrahman"))
    assert value >= THRESHOLD
    assert reasons == ["same names", "same date of birth"]


def test_names_written_in_the_wrong_fields_are_flagged():
    assert score(person("Ram", "Thapa"), person("Thapa", "Ram"))[0] == 1.0


@pytest.mark.parametrize("typed", ["Garsia Lopez", "Garcia Lpez", "Gracia Lopez", "Garcia Loppez", "Garcia Lopes"])
def test_typos_in_the_names_are_flagged(typed):
    value, reasons = score(person("Maria", "Garcia Lopez", sex="female"), person("Maria", typed, sex="female"))
    assert value >= THRESHOLD, (typed, value, reasons)


def test_a_short_name_with_one_slip_is_flagged():
    assert score(person("Dipak", "Khan"), person("Dipak", "Khn"))[0] >= THRESHOLD
    assert score(person("Bimala", "Rawal", sex="female"), person("Bimala", "Raal", sex="female"))[0] >= THRESHOLD


def test_names_split_differently_are_flagged():
    assert score(person("Ana Maria", "Lopez", sex="female"), person("Anamaria", "Lopez", sex="female"))[0] >= THRESHOLD


def test_day_and_month_swapped_is_flagged_with_its_reason():
    value, reasons = score(person("Luis", "Reyes", D(1990, 3, 4)), person("Luis", "Reyes", D(1990, 4, 3)))
    assert value >= THRESHOLD
    assert "birth dates with day and month swapped" in reasons


def test_a_birth_date_one_digit_off_is_flagged_with_its_reason():
    value, reasons = score(person("Luis", "Reyes", D(1990, 3, 4)), person("Luis", "Reyes", D(1991, 3, 4)))
    assert value >= THRESHOLD
    assert "birth dates one digit apart" in reasons


def test_the_same_passport_number_is_very_strong_even_with_other_names():
    a = person("Ram", "Thapa", D(1990, 3, 4), documents=[("passport", "PA 1234-567")])
    b = person("Hari", "Sharma", D(1971, 8, 9), documents=[("passport", "pa1234567")])
    value, reasons = score(a, b)
    assert value >= 0.9
    assert reasons[0] == "same passport number"
    other = person("Ram", "Thapa", D(1990, 3, 4), documents=["X99"])
    assert not any(r.startswith("same") and "number" in r for r in score(a, other)[1])


@pytest.mark.parametrize("a, b", [
    (person("Ana", "Garcia", sex="female"), person("Ana", "Lopez", sex="female")),  # another family
    (person("Luis", "Reyes"), person("Luis", "Santos")),
    (person("Maria", "Garcia Lopez", sex="female"), person("Juana", "Garcia Lopez", sex="female")),  # sisters
    (person("Sita", "Thapa", sex="female"), person("Gita", "Thapa", sex="female")),  # twins with rhyming names
    (person("Omar", "Khan"), person("Amina", "Khan", sex="female")),
    (person("Luis", "Reyes"), person("Luis", "Reyes", sex="female")),  # another sex
    (person("Luis", "Reyes", D(1990, 3, 4)), person("Luis", "Reyes", D(1985, 7, 21))),  # another date of birth
    (person("Ramesh", "Acharya", D(1980, 1, 15)), person("Narayan Ramesh", "Acharya", D(1980, 1, 25))),
])
def test_different_people_stay_below_the_threshold(a, b):
    assert score(a, b)[0] < THRESHOLD, score(a, b)


def test_a_different_date_of_birth_is_said_and_scores_nothing():
    value, reasons = score(person("Luis", "Reyes", D(1990, 3, 4)), person("Luis", "Reyes", D(1975, 11, 30)))
    assert value == 0.0
    assert reasons == ["different dates of birth"]


def test_date_relations():
    assert date_relation(D(1990, 3, 4), D(1990, 3, 4)) == "equal"
    assert date_relation(D(1990, 3, 4), D(1990, 4, 3)) == "swapped"
    assert date_relation(D(1990, 3, 4), D(1990, 3, 9)) == "one_digit"
    assert date_relation(D(1990, 3, 4), D(1980, 3, 4)) == "one_digit"
    assert date_relation(D(1990, 3, 21), D(1990, 3, 12)) == "transposed"
    assert date_relation(D(1990, 3, 4), D(1991, 4, 3)) is None
    assert date_relation(D(1990, 3, 21), D(1990, 3, 13)) is None
    assert date_relation(None, D(1990, 3, 4)) is None


def test_dob_variants_are_valid_dates_one_digit_away_or_swapped():
    variants = dob_variants(D(1990, 3, 4), latest=D(2027, 1, 1))
    assert D(1990, 4, 3) in variants and D(1990, 3, 4) in variants and D(1980, 3, 4) in variants
    assert D(1990, 3, 14) in variants and D(1990, 8, 4) in variants and D(1909, 3, 4) in variants
    assert all(date_relation(D(1990, 3, 4), v) in ("equal", "swapped", "one_digit", "transposed") for v in variants)
    assert D(2990, 3, 4) not in variants and all(v.year >= 1900 for v in variants)


# --- blocking ----------------------------------------------------------------------------------------------------


def test_the_index_finds_typos_swaps_and_documents_but_not_strangers():
    index = BlockIndex(latest=D(2027, 1, 1))
    pool = [
        person("Maria", "Garcia Lopez", D(1990, 3, 4), "female", ref=1),
        person("Luis", "Reyes", D(1988, 7, 2), ref=2),
        person("Ram", "Thapa", D(1979, 12, 31), documents=["PA777"], ref=3),
        person("Luis", "Reyes", D(1960, 1, 1), ref=4),
        person("Luis", "Reyes", D(1988, 7, 2), nationality="NP", ref=5),
    ]
    for p in pool:
        index.add(p)
    assert {r for r, _v, _why in index.matches(person("Maria", "Garsia Lopez", D(1990, 4, 3), "female", ref="a"))} == {1}
    assert {r for r, _v, _why in index.matches(person("Reyes", "Luis", D(1988, 7, 2), ref="b"))} == {2}
    assert 2 in index.candidates(person("Luis", "Reyes", D(1988, 7, 3), ref="c"))
    assert {r for r, _v, _why in index.matches(person("Hari", "Sharma", D(1950, 5, 5), documents=["pa-777"], ref="d"))} == {3}
    assert index.candidates(person("Ana", "Benali", D(1970, 5, 6), ref="e")) == set()


# --- properties --------------------------------------------------------------------------------------------------

NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéñ' -", min_size=0, max_size=20)
DATES = st.dates(min_value=D(1930, 1, 1), max_value=D(2010, 12, 31))
PEOPLE = st.builds(
    lambda g, f, d, s, docs: Person.of(g, f, d, "MA", s, documents=docs),
    NAMES, NAMES, DATES, st.sampled_from(["female", "male", "other", "undisclosed"]),
    st.lists(st.sampled_from(["A1", "B2", "C3"]), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(PEOPLE, PEOPLE)
def test_score_is_symmetric_and_between_zero_and_one(a, b):
    assert score(a, b) == score(b, a)
    assert 0.0 <= score(a, b)[0] <= 1.0


@settings(max_examples=200, deadline=None)
@given(NAMES, NAMES)
def test_jaro_winkler_is_symmetric(a, b):
    assert jaro_winkler(a, b) == jaro_winkler(b, a)


@settings(max_examples=200, deadline=None)
@given(PEOPLE)
def test_a_record_matches_itself(a):
    if a.tokens:
        assert score(a, a)[0] >= THRESHOLD
