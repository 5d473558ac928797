"""Plain functions: normalisation, ranking and the crosswalk file reader (no database)."""

import pytest

from corridor.reference import crosswalk, search
from corridor.reference.text import normalise_text, query_words, search_text_for, split_labels


def test_normalise_text():
    assert normalise_text("  Dance  Répétiteur\u00a0") == "dance repetiteur"
    assert normalise_text("Ships’ engineers") == "ships' engineers"
    assert normalise_text("STRASSE") == normalise_text("straße")
    assert normalise_text("") == "" and normalise_text(None) == ""
    assert query_words("taxi  Taxi driver") == ["taxi", "driver"]


def test_split_labels_and_search_text():
    labels = split_labels("cab driver\n\n chauffeur \ncab driver\nminicab\u00a0driver")
    assert labels == ["cab driver", "chauffeur", "minicab driver"]
    assert (
        search_text_for("8322", "Taxi Driver", labels)
        == "8322\ntaxi driver\ncab driver\nchauffeur\nminicab driver"
    )


def _score(q, code, title, *alts):
    return search.score(search.Query.parse(q), code, search_text_for(code, title, list(alts)))


def test_score_tiers():
    assert _score("8322", "8322", "Car, taxi and van drivers").tier == search.EXACT_CODE
    assert _score("83", "8322", "Car, taxi and van drivers").tier == search.CODE_PREFIX
    assert (
        _score("car, taxi and van drivers", "8322", "Car, taxi and van drivers").tier == search.TITLE_EQUALS
    )
    assert _score("car", "8322", "Car, taxi and van drivers").tier == search.TITLE_STARTS
    assert _score("VAN", "8322", "Car, taxi and van drivers").tier == search.TITLE_CONTAINS
    alt = _score("minicab", "8322", "taxi driver", "cab driver", "minicab driver")
    assert (alt.tier, alt.matched_label_index) == (search.ALT_STARTS, 1)
    assert (
        _score("cab driver", "8322", "taxi driver", "minicab driver", "cab driver").tier == search.ALT_EQUALS
    )
    assert _score("drivers van", "8322", "Car, taxi and van drivers").tier == search.ALL_WORDS
    assert _score("pilot", "8322", "Car, taxi and van drivers") is None
    assert _score("   ", "8322", "Car, taxi and van drivers") is None


def test_whole_words_first_within_a_tier():
    taxi = _score("taxi", "8322", "taxi driver")
    taxidermist = _score("taxi", "3433", "taxidermist")
    assert taxi.tier == taxidermist.tier == search.TITLE_STARTS
    key = lambda s, title: search.sort_key(s, kind_order=1, code="0", title=title)  # noqa: E731
    assert key(taxi, "taxi driver") < key(taxidermist, "taxidermist")


def _known(code):
    return code in {"8332", "5120", "9211", "7115"}


def test_parse_good_file_with_bom_blank_lines_and_header_case():
    data = (
        "\ufeffNational_Code , NATIONAL_TITLE,isco_code,comment\r\n"
        "\r\n"
        "73300,Transport truck drivers,8332,x\r\n"
        ",,,\r\n"
        "63200, Cooks ,5120\r\n"
    ).encode()
    rows, encoding = crosswalk.parse(data, is_isco_code=_known)
    assert encoding == "utf-8"
    assert [(r.row, r.national_code, r.national_title, r.isco_code) for r in rows] == [
        (3, "73300", "Transport truck drivers", "8332"),
        (5, "63200", "Cooks", "5120"),
    ]
    assert all(r.is_valid for r in rows)


def test_parse_semicolons_and_cp1252():
    data = "national_code;national_title;isco_code\n1234;Ouvrier agricole qualifié;9211\n".encode("cp1252")
    rows, encoding = crosswalk.parse(data, is_isco_code=_known)
    assert encoding == "cp1252"
    assert rows[0].national_title == "Ouvrier agricole qualifié"


def test_parse_row_errors():
    data = (
        b"national_code,national_title,isco_code\n"
        b"1,Carpenter,7115\n"
        b"1,Carpenter again,7115\n"
        b"2,,9999\n"
        b",Nameless,\n"
        b"3,Short row\n"
        b"4,Bad code,81a\n"
    )
    rows, _encoding = crosswalk.parse(data, is_isco_code=_known)
    errors = [(e["row"], e["field"]) for r in rows for e in r.errors]
    assert errors == [
        (3, "national_code"),
        (4, "national_title"),
        (4, "isco_code"),
        (5, "national_code"),
        (5, "isco_code"),
        (6, "isco_code"),
        (7, "isco_code"),
    ]
    assert "row 2" in rows[1].errors[0]["message"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"", "file"),
        (b"\n\n", "file"),
        (b"national_code,national_title,isco_code\n", "file"),
        (b"code,title,isco_code\n1,A,7115\n", "national_code"),
        (b"national_code,national_title\n1,A\n", "isco_code"),
        (b"national_code,national_title,isco_code\n1,\x81\x8d\x8f,7115\n\xff\xfe\x81", "file"),
    ],
)
def test_parse_unreadable_files(data, field):
    with pytest.raises(crosswalk.CrosswalkFileError) as info:
        crosswalk.parse(data, is_isco_code=_known)
    assert info.value.field == field
