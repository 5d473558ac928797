"""Country, language, currency and sector codes.

Sources:
- Countries: ISO 3166-1 (alpha-2), languages: ISO 639-1 (alpha-2) and ISO 639-3 (alpha-3), currencies: ISO 4217,
  all from the `pycountry` package (Debian iso-codes data, LGPL-2.1), with its translations of the names.
- Sectors: the 21 sections (A-U) of the International Standard Industrial Classification of All Economic
  Activities, Revision 4 (ISIC Rev.4), United Nations Statistics Division, Statistical Papers Series M No. 4/Rev.4
  (2008), https://unstats.un.org/unsd/classifications/Econ/isic . Titles as published by the UN.

Every `is_*` check is strict (the canonical case: "FR", "fr", "EUR", "A"); the `normalise_*` functions accept
any case and surrounding spaces and return the canonical code or None.
"""

from __future__ import annotations

import gettext
from functools import lru_cache

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# ISIC Rev.4 sections (UN Statistics Division, 2008).
SECTORS: dict[str, str] = {
    "A": _("Agriculture, forestry and fishing"),
    "B": _("Mining and quarrying"),
    "C": _("Manufacturing"),
    "D": _("Electricity, gas, steam and air conditioning supply"),
    "E": _("Water supply; sewerage, waste management and remediation activities"),
    "F": _("Construction"),
    "G": _("Wholesale and retail trade; repair of motor vehicles and motorcycles"),
    "H": _("Transportation and storage"),
    "I": _("Accommodation and food service activities"),
    "J": _("Information and communication"),
    "K": _("Financial and insurance activities"),
    "L": _("Real estate activities"),
    "M": _("Professional, scientific and technical activities"),
    "N": _("Administrative and support service activities"),
    "O": _("Public administration and defence; compulsory social security"),
    "P": _("Education"),
    "Q": _("Human health and social work activities"),
    "R": _("Arts, entertainment and recreation"),
    "S": _("Other service activities"),
    "T": _(
        "Activities of households as employers; undifferentiated goods- and services-producing activities of "
        "households for own use"
    ),
    "U": _("Activities of extraterritorial organizations and bodies"),
}
SECTORS_SOURCE = "United Nations, ISIC Rev.4 (Statistical Papers Series M No. 4/Rev.4, 2008), sections A-U"

# ISO 4217 codes that are not money a wage or a fee is paid in: precious metals, bond-market units, special
# drawing rights, testing and "no currency" codes, and fund codes. They stay valid codes but are not offered.
NON_CIRCULATING_CURRENCIES = frozenset(
    {
        "XAU",
        "XAG",
        "XPD",
        "XPT",
        "XBA",
        "XBB",
        "XBC",
        "XBD",
        "XDR",
        "XSU",
        "XUA",
        "XTS",
        "XXX",
        "BOV",
        "CHE",
        "CHW",
        "CLF",
        "COU",
        "MXV",
        "USN",
        "UYI",
        "UYW",
    }
)


# Translations of names shipped with pycountry ---------------------------------------------------------------


def _active_language() -> str:
    return (get_language() or "en").split("-")[0].lower()


@lru_cache(maxsize=64)
def _catalogue(domain: str, language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation(domain, pycountry.LOCALES_DIR, languages=[language], fallback=True)


def _translate(domain: str, name: str, language: str | None) -> str:
    return _catalogue(domain, language or _active_language()).gettext(name)


# Countries (ISO 3166-1 alpha-2) ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _countries() -> dict[str, object]:
    return {c.alpha_2: c for c in pycountry.countries}


def _country_label(country) -> str:
    # "Bolivia" rather than "Bolivia, Plurinational State of", where ISO gives a common name.
    return getattr(country, "common_name", None) or country.name


def is_country(code: str | None) -> bool:
    """True for an ISO 3166-1 alpha-2 code in upper case, e.g. "PH"."""
    return isinstance(code, str) and code in _countries()


def normalise_country(code: str | None) -> str | None:
    """The ISO 3166-1 alpha-2 code for `code` in any case ("ph " -> "PH"), or None if it is not one."""
    if not isinstance(code, str):
        return None
    candidate = code.strip().upper()
    return candidate if candidate in _countries() else None


def country_name(code: str | None, language: str | None = None) -> str | None:
    """The country's short name in the active (or given) language; None for an unknown code."""
    country = _countries().get(normalise_country(code) or "")
    if country is None:
        return None
    label = _country_label(country)
    translated = _translate("iso3166-1", label, language)
    if translated == label and label != country.name:
        translated_official = _translate("iso3166-1", country.name, language)
        if translated_official != country.name:
            return translated_official
    return translated


@lru_cache(maxsize=16)
def _country_choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = [(code, country_name(code, language) or code) for code in _countries()]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def country_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(alpha-2 code, name) for every ISO 3166-1 country, sorted by name in the active language."""
    return list(_country_choices(language or _active_language()))


# Languages (ISO 639) ----------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _language_index() -> tuple[dict[str, object], dict[str, str]]:
    """(canonical code -> language, any accepted code -> canonical code)."""
    by_canonical: dict[str, object] = {}
    aliases: dict[str, str] = {}
    for language in pycountry.languages:
        alpha_2 = getattr(language, "alpha_2", None)
        canonical = alpha_2 or language.alpha_3
        by_canonical[canonical] = language
        aliases[canonical] = canonical
        aliases.setdefault(language.alpha_3, canonical)
        bibliographic = getattr(language, "bibliographic", None)
        if bibliographic:
            aliases.setdefault(bibliographic, canonical)
    return by_canonical, aliases


def normalise_language(code: str | None) -> str | None:
    """The canonical ISO 639 code: alpha-2 where the language has one ("fra", "fre", "FR" -> "fr"), else its
    ISO 639-3 alpha-3 code ("tet" for Tetum); None if `code` is no language code."""
    if not isinstance(code, str):
        return None
    return _language_index()[1].get(code.strip().lower())


def is_language(code: str | None) -> bool:
    """True for a canonical ISO 639 code: an alpha-2 code, or an alpha-3 code of a language without one."""
    return isinstance(code, str) and code in _language_index()[0]


def language_name(code: str | None, language: str | None = None) -> str | None:
    """The language's name in the active (or given) language; None for an unknown code."""
    canonical = normalise_language(code)
    if canonical is None:
        return None
    name = _language_index()[0][canonical].name
    return _translate("iso639-3", name, language)


@lru_cache(maxsize=16)
def _language_choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = [
        (code, language_name(code, language) or code)
        for code, item in _language_index()[0].items()
        if len(code) == 2
    ]
    return tuple(sorted(pairs, key=lambda pair: pair[1].casefold()))


def language_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(ISO 639-1 code, name) for the 184 languages that have an alpha-2 code, sorted by name.

    Languages without one (e.g. Tetum, "tet") are valid everywhere a code is checked but are not listed."""
    return list(_language_choices(language or _active_language()))


# Currencies (ISO 4217) --------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _currencies() -> dict[str, object]:
    return {c.alpha_3: c for c in pycountry.currencies}


def is_currency(code: str | None) -> bool:
    """True for an ISO 4217 alphabetic code in upper case, e.g. "EUR"."""
    return isinstance(code, str) and code in _currencies()


def normalise_currency(code: str | None) -> str | None:
    if not isinstance(code, str):
        return None
    candidate = code.strip().upper()
    return candidate if candidate in _currencies() else None


def currency_name(code: str | None, language: str | None = None) -> str | None:
    currency = _currencies().get(normalise_currency(code) or "")
    if currency is None:
        return None
    return _translate("iso4217", currency.name, language)


@lru_cache(maxsize=16)
def _currency_choices(language: str) -> tuple[tuple[str, str], ...]:
    pairs = [(code, f"{code} - {currency_name(code, language)}") for code in sorted(_currencies())]
    return tuple(pair for pair in pairs if pair[0] not in NON_CIRCULATING_CURRENCIES)


def currency_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(ISO 4217 code, "EUR - Euro") for every currency in circulation, sorted by code."""
    return list(_currency_choices(language or _active_language()))


# Sectors (ISIC Rev.4 sections) ------------------------------------------------------------------------------


def is_sector(code: str | None) -> bool:
    """True for an ISIC Rev.4 section letter in upper case, "A" to "U"."""
    return isinstance(code, str) and code in SECTORS


def sector_choices() -> list[tuple[str, str]]:
    """(section letter, title) for the 21 ISIC Rev.4 sections, in the order of the classification."""
    return [(code, str(title)) for code, title in SECTORS.items()]
