"""Countries, languages, currencies and sectors."""

from django.utils import translation

from corridor.reference import codes


def test_countries():
    assert codes.is_country("PH")
    assert not codes.is_country("ph")  # strict: the canonical upper case only
    assert not codes.is_country("XX")
    assert not codes.is_country(None)
    assert codes.normalise_country(" ph ") == "PH"
    assert codes.normalise_country("zz") is None
    assert codes.country_name("PH") == "Philippines"
    assert codes.country_name("BO") == "Bolivia"  # the common name, not "Bolivia, Plurinational State of"
    assert codes.country_name("XX") is None
    choices = codes.country_choices("en")
    assert len(choices) == 249
    assert ("CA", "Canada") in choices
    names = [name for _code, name in choices]
    assert names == sorted(names, key=str.casefold)


def test_country_names_follow_the_active_language():
    with translation.override("fr"):
        assert codes.country_name("DE") == "Allemagne"
        assert ("DE", "Allemagne") in codes.country_choices()
    assert codes.country_name("DE", "es") == "Alemania"
    assert codes.country_name("DE") == "Germany"


def test_languages():
    assert codes.is_language("fr")
    assert codes.is_language("tet")  # Tetum has no ISO 639-1 code
    assert not codes.is_language("fra")  # French has one, so "fr" is canonical
    assert not codes.is_language("xx")
    assert codes.normalise_language("fra") == "fr"
    assert codes.normalise_language("fre") == "fr"  # ISO 639-2 bibliographic code
    assert codes.normalise_language(" FR ") == "fr"
    assert codes.normalise_language("TET") == "tet"
    assert codes.normalise_language("qqq") is None
    assert codes.normalise_language(None) is None
    assert codes.language_name("tl") == "Tagalog"
    assert codes.language_name("tet") == "Tetum"
    assert codes.language_name("zz") is None
    choices = dict(codes.language_choices("en"))
    assert len(choices) == 184
    assert choices["ne"] == "Nepali (macrolanguage)"
    assert all(len(code) == 2 for code in choices)


def test_currencies():
    assert codes.is_currency("EUR")
    assert codes.is_currency("XAU")  # a valid ISO 4217 code, though not offered
    assert not codes.is_currency("eur")
    assert not codes.is_currency("ABC")
    assert codes.normalise_currency("php") == "PHP"
    choices = dict(codes.currency_choices("en"))
    assert choices["CAD"] == "CAD - Canadian Dollar"
    assert "XAU" not in choices and "XOF" in choices


def test_sectors():
    assert list(codes.SECTORS) == [chr(c) for c in range(ord("A"), ord("U") + 1)]
    assert codes.is_sector("A") and codes.is_sector("U")
    assert not codes.is_sector("V") and not codes.is_sector("a")
    assert str(codes.SECTORS["A"]) == "Agriculture, forestry and fishing"
    assert codes.sector_choices()[5] == ("F", "Construction")
