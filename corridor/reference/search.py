"""Ranking occupation search results. Plain Python, no Django: the selector fetches candidate rows and this
module decides whether and how well each one matches.

Tiers, best first: exact code, code prefix, title equals, title starts with, title contains, alternative label
(equal, starts with, contains), every word of the query somewhere in the title or alternative labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corridor.reference.text import normalise_text, query_words

EXACT_CODE = 0
CODE_PREFIX = 1
TITLE_EQUALS = 2
TITLE_STARTS = 3
TITLE_CONTAINS = 4
ALT_EQUALS = 5
ALT_STARTS = 6
ALT_CONTAINS = 7
ALL_WORDS = 8


@dataclass(frozen=True)
class Query:
    """A search query prepared once: the normalised text, its words and the code it may be."""

    text: str
    words: tuple[str, ...]
    code: str  # the query without spaces when it is all digits, else ""

    @classmethod
    def parse(cls, raw: str) -> Query:
        text = normalise_text(raw)
        compact = text.replace(" ", "")
        return cls(text=text, words=tuple(query_words(raw)), code=compact if compact.isdigit() else "")

    @property
    def is_empty(self) -> bool:
        return not self.text


@dataclass(frozen=True)
class Score:
    tier: int
    matched_label_index: int | None = None  # which alternative label matched, for the tiers that use one
    whole_word: bool = True  # the query matched whole words ("taxi" in "taxi driver", not in "taxidermist")


def _whole_word(query: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(query) + r"(?!\w)", text) is not None


def score(query: Query, code: str, search_text: str) -> Score | None:
    """How well a row matches; None when it does not.

    `search_text` is the row's stored key: code, normalised title, then one normalised alternative label per line
    (see `corridor.reference.text.search_text_for`).
    """
    if query.is_empty:
        return None
    if query.code:
        if code == query.code:
            return Score(EXACT_CODE)
        if code.startswith(query.code):
            return Score(CODE_PREFIX)
    lines = search_text.split("\n")
    title = lines[1] if len(lines) > 1 else ""
    alts = lines[2:]
    q = query.text
    if title == q:
        return Score(TITLE_EQUALS)
    if title.startswith(q):
        return Score(TITLE_STARTS, whole_word=_whole_word(q, title))
    if q in title:
        return Score(TITLE_CONTAINS, whole_word=_whole_word(q, title))
    best: Score | None = None
    for index, alt in enumerate(alts):
        if alt == q:
            return Score(ALT_EQUALS, index)
        if alt.startswith(q):
            if best is None or best.tier > ALT_STARTS:
                best = Score(ALT_STARTS, index)
        elif q in alt and best is None:
            best = Score(ALT_CONTAINS, index)
    if best is not None:
        alt = alts[best.matched_label_index]
        return Score(best.tier, best.matched_label_index, whole_word=_whole_word(q, alt))
    if len(query.words) > 1:
        if all(word in title for word in query.words):
            return Score(ALL_WORDS)
        for index, alt in enumerate(alts):
            if all(word in alt for word in query.words):
                return Score(ALL_WORDS, index)
        haystack = "\n".join(lines[1:])
        if all(word in haystack for word in query.words):
            return Score(ALL_WORDS)
    return None


def sort_key(score_: Score, *, kind_order: int, code: str, title: str) -> tuple:
    """Order within the results: tier; for code tiers shorter codes first; else whole-word matches first, then
    ISCO-08 groups before ESCO occupations, then shorter titles."""
    if score_.tier in (EXACT_CODE, CODE_PREFIX):
        return (score_.tier, len(code), code, kind_order, title.casefold())
    return (score_.tier, not score_.whole_word, kind_order, len(title), title.casefold(), code)
