"""Text normalisation for searching reference data: accents, case, typographic quotes and odd spaces are folded
so that "Répétiteur", "repetiteur" and "REPETITEUR" all match. Plain Python, no Django."""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u02bc": "'", "\u00b4": "'"}
)
_DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)
_SPACES = re.compile(r"\s+")


def normalise_text(value: str | None) -> str:
    """`value` folded for comparison: no accents, case-folded, one plain space between words, no ends.

    >>> normalise_text("  Dance  Répétiteur\\u00a0")
    'dance repetiteur'
    """
    if not value:
        return ""
    # NFKD splits accented letters into letter + combining mark, and maps compatibility characters
    # (non-breaking spaces, ligatures) to their plain forms.
    decomposed = unicodedata.normalize("NFKD", value)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().translate(_QUOTES).translate(_DASHES)
    return _SPACES.sub(" ", folded).strip()


def split_labels(value: str | None) -> list[str]:
    """The non-empty, stripped lines of a newline-separated list of labels, duplicates removed, order kept."""
    seen: set[str] = set()
    labels: list[str] = []
    for line in (value or "").splitlines():
        label = _SPACES.sub(" ", line.replace("\u00a0", " ")).strip()
        if label and label not in seen:
            seen.add(label)
            labels.append(label)
    return labels


def search_text_for(code: str, title: str, alt_labels: list[str] | tuple[str, ...] = ()) -> str:
    """The stored search key of one row: code, title and alternative labels, each normalised, one per line."""
    parts = [code.strip(), normalise_text(title)]
    parts.extend(normalise_text(label) for label in alt_labels)
    return "\n".join(p for p in parts if p)


def query_words(query: str) -> list[str]:
    """The distinct normalised words of a search query, in order."""
    words: list[str] = []
    for word in normalise_text(query).split(" "):
        if word and word not in words:
            words.append(word)
    return words
