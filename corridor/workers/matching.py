"""Is this the same person? Name folding, similarity scores and blocking keys for duplicate detection.

Plain Python, no Django, so that it can be tested and benchmarked alone. `corridor.workers.duplicates` (one worker at
registration) and `corridor.workers.imports` (a whole file) use it.

- `name_key(given, family)`: the names folded for matching. Unicode NFKD without marks, casefolded, punctuation
  dropped, common romanisation variants made equal (Mohammed / Muhammad / Mohamed / Mohamad; Abdel / Abd el /
  Abdul; ou/u, kh/h, ph/f, y/i, dj/j, double letters) and the tokens sorted, so that the order of the names and the
  field they were written in do not matter.
- `score(a, b)`: a number from 0 to 1 and the reasons, in short words, why the two records may be the same person.
  Names are compared token by token with the Jaro-Winkler similarity (written here); dates of birth match when
  equal, with day and month swapped, or with one digit mistyped; the same identity document number is very strong.
  Pairs scoring `THRESHOLD` or more are flagged for the origin authority to review.
- `dob_variants(day)` and `BlockIndex`: the candidates worth scoring, so that a pool of millions is never compared
  pairwise.
"""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

THRESHOLD = 0.85  # pairs at or above are flagged for review

# Weights of the date-of-birth evidence (the names' similarity is multiplied by these).
DOB_EQUAL = 1.0
DOB_SWAPPED = 0.96
DOB_ONE_DIGIT = 0.9
SEX_DIFFERENT = 0.8
EXTRA_NAME = 0.92  # a name written in one record and not in the other (a middle name left out)
DOCUMENT_FLOOR = 0.9  # the same document number scores at least this, whatever the names

_NOT_LETTER = re.compile(r"[^a-z0-9]+")
# Letters that romanisations do not share, folded after the marks are removed.
_LETTERS = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "ł": "l", "ı": "i",
                          "ħ": "h", "ŋ": "n"})
# Articles and particles written apart or joined ("Abd el Rahman", "Abdelrahman", "Abdul Rahman").
_JOINED_PREFIXES = ("abdel", "abdal", "abdul", "abdoul", "abdol", "abdil", "abdu")
_ARTICLES = {"el", "al", "ul", "ed", "ad", "ar", "as", "ash", "az", "an", "at"}
# Sound rules applied to every token, in order (the brief of romanisation tolerance: ou/u, kh/h, ph/f, y/i ...).
_SOUNDS = (
    ("dzh", "j"), ("tch", "ch"), ("sch", "sh"), ("dj", "j"), ("dh", "d"), ("th", "t"), ("gh", "g"), ("kh", "h"),
    ("ph", "f"), ("ck", "k"), ("q", "k"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("w", "u"), ("y", "i"),
    ("z", "s"), ("v", "b"),
)
# Whole names whose spellings differ more than the sound rules can fold.
_SAME_NAMES = {
    "muhamad": ("mohammed", "mohammad", "mohamed", "mohamad", "muhammad", "muhammed", "muhamed", "mohammod", "mohamud",
                "mouhamed", "mouhamad", "mohd", "mhd", "md", "mahomed", "mohamet", "mamadou", "mamadu", "muhamad"),
    "ahmad": ("ahmed", "ahmet", "ahamed", "ahmad"),
    "husain": ("hussein", "husein", "hussain", "husain", "hossain", "hosain", "hossein", "husayn", "hussien"),
    "hasan": ("hassan", "hasan", "hasaan", "hassane"),
    "usuf": ("yusuf", "youssef", "yousef", "yusef", "youssouf", "yousif", "yousuf", "usuf", "jusuf"),
    "mustafa": ("mustafa", "moustafa", "mostafa", "mustapha", "moustapha", "mostapha"),
    "usman": ("osman", "othman", "usman", "uthman", "osmane", "ousmane", "usmane"),
    "ibrahim": ("ibrahim", "ebrahim", "ibrahima", "brahim"),
    "abd": ("abd", "abdel", "abdul", "abdal", "abdoul", "abdou", "abdu"),
    "mahmud": ("mahmoud", "mahmud", "mahmood", "mehmood", "mahamoud"),
    "fatima": ("fatima", "fatma", "fatimah", "fatouma", "fatoumata", "fatuma"),
    "aisha": ("aisha", "aicha", "aysha", "ayesha", "aissa", "aishah", "aiesha"),
    "jose": ("jose", "josé"),
    "krishna": ("krishna", "krisna", "kisna"),
    "laksmi": ("lakshmi", "laxmi", "laksmi"),
}


def _fold_sounds(token: str) -> str:
    for written, said in _SOUNDS:
        token = token.replace(written, said)
    # Double letters written once ("Mohammed" = "Mohamed").
    out = []
    for char in token:
        if not out or out[-1] != char:
            out.append(char)
    return "".join(out)


_CANONICAL = {_fold_sounds(variant): _fold_sounds(canon) for canon, variants in _SAME_NAMES.items() for variant in variants}


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits with single spaces: marks removed, punctuation dropped."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().translate(_LETTERS)
    text = text.replace("'", "").replace("\u2019", "").replace("`", "")
    return " ".join(_NOT_LETTER.sub(" ", text).split())


_ABD = {"abd", "abdu", "abdou", "abdel", "abdul", "abdal", "abdoul", "abdol", "abdil"}


@functools.lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """The folded tokens of a name, in the order written: articles joined to the next name ("El Amrani" =
    "Alamrani"), "Abd el" / "Abdul" / "Abdel" made one prefix, romanisation variants made equal."""
    joined: list[str] = []
    pending = ""
    for token in fold(text).split():
        if token in _ABD:
            pending = "abd"
            continue
        if token in _ARTICLES:
            if pending != "abd":  # "Abd el Rahman": the article after Abd is part of it
                pending = "al"
            continue
        joined.append(pending + token)
        pending = ""
    if pending:
        joined.append(pending)
    out = []
    for token in joined:
        for prefix in _JOINED_PREFIXES:
            if token.startswith(prefix) and len(token) > len(prefix) + 2:
                token = "abd" + token[len(prefix):]
                break
        if token.startswith("el") and len(token) >= 6:  # "Elamrani" = "El Amrani" = "Al Amrani"
            token = "al" + token[2:]
        token = _fold_sounds(token)
        if token.startswith("al") and token[2:] in _CANONICAL:
            token = token[2:]
        token = _CANONICAL.get(token, token)
        if token.startswith("abd") and len(token) > 3:
            rest = token[3:]
            token = "abd" + _CANONICAL.get(rest, rest)
        if token:
            out.append(token)
    return tuple(out)


def name_key(given: str, family: str) -> str:
    """The names folded for matching, tokens sorted: "Mohammed Abd El Rahman" and "Rahman, Muhamad Abdel" give the
    same key."""
    return " ".join(sorted(tokens(given or "") + tokens(family or "")))[:300]


def number_key(number: str) -> str:
    """A document number compared without regard to spaces, dashes, dots, slashes and case."""
    return "".join(c for c in str(number or "").casefold() if c.isalnum())[:40]


# --- similarity --------------------------------------------------------------------------------------------------


def jaro_winkler(a: str, b: str, prefix_scale: float = 0.1) -> float:
    """The Jaro-Winkler similarity of two strings, from 0 (nothing in common) to 1 (equal)."""
    if a == b:
        return 1.0
    la, lb = len(a), len(b)
    if not la or not lb:
        return 0.0
    if la > lb or (la == lb and a > b):  # the same answer whichever string comes first
        a, b, la, lb = b, a, lb, la
    window = max(lb // 2 - 1, 0)
    taken = [False] * lb
    matched_a = []
    for i, char in enumerate(a):
        low, high = max(0, i - window), min(lb, i + window + 1)
        for j in range(low, high):
            if not taken[j] and b[j] == char:
                taken[j] = True
                matched_a.append(char)
                break
    m = len(matched_a)
    if not m:
        return 0.0
    matched_b = [b[j] for j in range(lb) if taken[j]]
    transpositions = sum(1 for x, y in zip(matched_a, matched_b, strict=True) if x != y) / 2
    jaro = (m / la + m / lb + (m - transpositions) / m) / 3
    if jaro <= 0.7:  # Winkler's boost only for strings already alike
        return jaro
    common = 0
    for x, y in zip(a[:4], b[:4], strict=False):
        if x != y:
            break
        common += 1
    return jaro + common * prefix_scale * (1 - jaro)


def one_edit(a: str, b: str) -> bool:
    """True when `b` is `a` with one letter changed, left out, added, or two neighbours swapped (a Damerau-Levenshtein
    distance of 1)."""
    la, lb = len(a), len(b)
    if a == b or abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        return a[i + 1:] == b[i + 1:] or (i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:])
    return a[i:] == b[i + 1:]


ONE_EDIT = 0.9  # a name with one slip of the keyboard, after its first letter
OTHER_INITIAL = 0.9  # names starting with another letter rarely are the same name
ONE_SLIP = 0.93  # the whole names as written with one slip of the keyboard, after a name's first letter


@functools.lru_cache(maxsize=500_000)
def _token_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    similarity = jaro_winkler(a, b)
    # One slip of the keyboard in a short name ("Dhan" / "Dhn"): Jaro-Winkler is harsh on short strings. Not on the
    # first letter, so that names that rhyme ("Sita" / "Gita", twins' names often do) stay apart.
    if similarity < ONE_EDIT and a[0] == b[0] and min(len(a), len(b)) >= 3 and one_edit(a, b):
        similarity = ONE_EDIT
    elif a[0] != b[0]:
        similarity *= OTHER_INITIAL
    # The same consonants in the same order and the same first letter: a vowel spelt differently ("hasan"/"hesen").
    if similarity < 0.92 and a[0] == b[0] and len(_skeleton(a)) >= 3 and _skeleton(a) == _skeleton(b):
        similarity = 0.92
    return similarity


def _skeleton(token: str) -> str:
    return "".join(c for c in token if c not in "aeiou")


@functools.lru_cache(maxsize=200_000)
def _tokens_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """How alike two lists of name tokens are: each token of the shorter list paired with its best partner in the
    longer (greedily, best pairs first). The mean and the weakest pair count equally, so that one name quite
    different (a sibling's first name) pulls the score down; tokens left over cost a little (a middle name
    written once and left out once)."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    if len(a) > len(b) or (len(a) == len(b) and a > b):
        a, b = b, a
    pairs = sorted(((_token_similarity(x, y), i, j) for i, x in enumerate(a) for j, y in enumerate(b)), reverse=True)
    used_a, used_b, chosen = set(), set(), []
    for similarity, i, j in pairs:
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        chosen.append((similarity, len(a[i]) + len(b[j])))
        if len(chosen) == len(a):
            break
    weight = sum(w for _s, w in chosen)
    mean = sum(s * w for s, w in chosen) / weight
    weakest = min(s for s, _w in chosen)
    extra = len(b) - len(a)
    return (0.5 * mean + 0.5 * weakest) * (EXTRA_NAME ** extra)


def name_similarity(a: Person, b: Person) -> float:
    """The best of: all tokens compared as one bag (order and fields ignored), and the names written together
    without spaces ("Anamaria" = "Ana Maria")."""
    ta, tb = a.tokens, b.tokens
    similarity = _tokens_similarity(ta, tb)
    if similarity < 0.98 and ta and tb:
        # Names split or joined differently ("Ana Maria" / "Anamaria", "Kopila Lok" / "KopilaL ok"): the letters
        # are the same, or nearly so when one record has a name more, only the spaces differ.
        joined_a, joined_b = "".join(a.ordered), "".join(b.ordered)
        if joined_a == joined_b:
            similarity = 0.98
        elif len(ta) != len(tb) and abs(len(joined_a) - len(joined_b)) <= 2:
            similarity = max(similarity, jaro_winkler(joined_a, joined_b) * 0.98)
    if similarity < ONE_SLIP and _one_slip(a.plain, b.plain):
        similarity = ONE_SLIP
    return similarity


def _one_slip(a: str, b: str) -> bool:
    """The names as written (folded, before the romanisation rules) differ by one slip of the keyboard, not at the
    first letter of a name ("Rawal" / "Raal", "Khan" / "Kahn"; not "Sita" / "Gita")."""
    if not one_edit(a, b):
        return False
    i = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        i += 1
    return i > 0 and a[i - 1] != " " and min(len(a), len(b)) >= 5


def date_relation(a: datetime.date | None, b: datetime.date | None) -> str | None:
    """"equal", "swapped" (day and month), "one_digit" (one digit of YYYYMMDD differs), "transposed" (two
    neighbouring digits of YYYYMMDD swapped, "21" for "12") or None."""
    if a is None or b is None:
        return None
    if a == b:
        return "equal"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swapped"
    x, y = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    differ = [i for i in range(8) if x[i] != y[i]]
    if len(differ) == 1:
        return "one_digit"
    if len(differ) == 2 and differ[1] == differ[0] + 1 and x[differ[0]] == y[differ[1]] and x[differ[1]] == y[differ[0]]:
        return "transposed"
    return None


@dataclass(frozen=True)
class Person:
    """What matching needs to know of one record. `documents` are document number keys (see `number_key`);
    `document_kinds` pairs (kind, number key), to say which kind of document two records share."""

    given: str
    family: str
    date_of_birth: datetime.date | None
    nationality: str = ""
    sex: str = ""
    documents: frozenset[str] = frozenset()
    name_key: str = ""
    document_kinds: frozenset[tuple[str, str]] = field(default=frozenset(), compare=False)
    ref: object = field(default=None, compare=False)  # the caller's identifier (a primary key, a row number)
    tokens: tuple[str, ...] = field(init=False, compare=False, repr=False)
    plain: str = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        found = tuple(sorted(self.name_key.split())) if self.name_key else tuple(sorted(self.ordered))
        object.__setattr__(self, "tokens", found)
        object.__setattr__(self, "plain", fold(f"{self.given} {self.family}"))

    @classmethod
    def of(cls, given: str, family: str, date_of_birth, nationality: str = "", sex: str = "",
           documents: Iterable[str | tuple[str, str]] = (), ref: object = None, key: str | None = None) -> Person:
        """A person from raw values; `documents` are numbers, or (kind, number) pairs; `key` a stored name key."""
        kinds = set()
        for document in documents:
            kind, number = document if isinstance(document, tuple) else ("", document)
            if number_key(number):
                kinds.add((kind or "", number_key(number)))
        return cls(given=given or "", family=family or "", date_of_birth=date_of_birth, nationality=nationality or "",
                   sex=sex or "", documents=frozenset(k for _kind, k in kinds),
                   name_key=key if key is not None else name_key(given, family), document_kinds=frozenset(kinds), ref=ref)

    @property
    def ordered(self) -> tuple[str, ...]:
        """The folded name tokens as written, given names first."""
        return tokens(self.given) + tokens(self.family)


_DISCLOSED = {"female", "male"}
_DOB_WEIGHT = {"equal": DOB_EQUAL, "swapped": DOB_SWAPPED, "one_digit": DOB_ONE_DIGIT, "transposed": DOB_ONE_DIGIT}


def quick_score(a: Person, b: Person) -> float:
    """`score` without the reasons, for screening many candidates."""
    same_document = bool(a.documents & b.documents)
    relation = date_relation(a.date_of_birth, b.date_of_birth)
    if relation is None and not same_document:
        return 0.0
    names = name_similarity(a, b)
    value = names * _DOB_WEIGHT.get(relation, 0.0)
    if a.sex in _DISCLOSED and b.sex in _DISCLOSED and a.sex != b.sex:
        value *= SEX_DIFFERENT
    if a.nationality and b.nationality and a.nationality != b.nationality:
        value *= 0.5
    if same_document:
        value = max(value, DOCUMENT_FLOOR + (1 - DOCUMENT_FLOOR) * 0.9 * names)
    return round(max(0.0, min(1.0, value)), 3)


def score(a: Person, b: Person) -> tuple[float, list[str]]:
    """How likely `a` and `b` are the same person (0 to 1) and why, in short words. Symmetric."""
    value = quick_score(a, b)
    reasons: list[str] = []
    same_document = bool(a.documents & b.documents)
    relation = date_relation(a.date_of_birth, b.date_of_birth)
    if same_document:
        reasons.append(_document_reason(a, b))
    if relation is not None or same_document:
        names = name_similarity(a, b)
        if names >= 0.999:
            reasons.append("same names")
        elif names >= 0.6:
            reasons.append(f"names similar ({names:.2f})")
        else:
            reasons.append(f"names different ({names:.2f})")
    if relation == "equal":
        reasons.append("same date of birth")
    elif relation == "swapped":
        reasons.append("birth dates with day and month swapped")
    elif relation == "one_digit":
        reasons.append("birth dates one digit apart")
    elif relation == "transposed":
        reasons.append("birth dates with two digits swapped")
    elif a.date_of_birth and b.date_of_birth:
        reasons.append("different dates of birth")
    if a.sex in _DISCLOSED and b.sex in _DISCLOSED and a.sex != b.sex:
        reasons.append("different sex")
    if a.nationality and b.nationality and a.nationality != b.nationality:
        reasons.append("different nationality")
    return value, reasons


_DOCUMENT_WORDS = {"passport": "same passport number", "national_id": "same national identity card number",
                   "birth_certificate": "same birth certificate number"}


def _document_reason(a: Person, b: Person) -> str:
    shared = a.documents & b.documents
    kinds = {k for k, n in a.document_kinds if n in shared} & {k for k, n in b.document_kinds if n in shared}
    for kind, words in _DOCUMENT_WORDS.items():
        if kind in kinds:
            return words
    return "same document number"


# --- blocking ----------------------------------------------------------------------------------------------------

EARLIEST_BIRTH = datetime.date(1900, 1, 1)


def dob_variants(day: datetime.date, *, latest: datetime.date | None = None) -> set[datetime.date]:
    """The date itself, with day and month swapped, every valid date one digit of YYYYMMDD away and with two
    neighbouring digits swapped (between 1900 and `latest`): the dates of birth a duplicate record may carry."""
    found = {day}
    other = swapped(day)
    if other is not None:
        found.add(other)
    text = day.strftime("%Y%m%d")
    candidates = [text[:i] + text[i + 1] + text[i] + text[i + 2:] for i in range(7) if text[i] != text[i + 1]]
    for position in range(8):
        candidates.extend(text[:position] + digit + text[position + 1:] for digit in "0123456789" if digit != text[position])
    for candidate in candidates:
        try:
            near = datetime.date(int(candidate[:4]), int(candidate[4:6]), int(candidate[6:]))
        except ValueError:
            continue
        if near >= EARLIEST_BIRTH and (latest is None or near <= latest):
            found.add(near)
    return found


def _prefix_id(token: str) -> int:
    """The first two characters of a name token as a number below 4096."""
    head = (token + "  ")[:2]
    return (ord(head[0]) % 64) * 64 + ord(head[1]) % 64


def _shape_id(tokens: tuple[str, ...]) -> int:
    """The first three letters of every name token, sorted, as a number below 2**24 (a collision only adds a
    candidate, scored and dropped)."""
    value = 0
    for char in "|".join(sorted(t[:3] for t in tokens)):
        value = (value * 131 + ord(char)) & 0xFFFFFF
    return value


def swapped(day: datetime.date) -> datetime.date | None:
    """The date with day and month swapped, if that is another valid date."""
    if day.day <= 12 and day.day != day.month:
        return datetime.date(day.year, day.day, day.month)
    return None


class BlockIndex:
    """Records indexed for duplicate detection: by nationality and date of birth with name-token prefixes or whole
    name tokens, and by document number. A record takes two small entries per name token, so a pool of millions
    fits in memory.

    `candidates(person)` answers the records worth scoring against `person`, of the same nationality:
    - the same date of birth, or day and month swapped, and a name token starting with the same two letters (a
      record with typos keeps at least one name's first letters right);
    - a date of birth one digit apart, and the same first three letters of every name once folded (a record
      with a mistyped date needs nearly the same names to score high enough; one with a typo in the date and at
      the start of a name at once is left to the origin authority's own review);
    - the same document number, whatever the names and dates."""

    def __init__(self, *, latest: datetime.date | None = None):
        self._near: dict[str, dict[int, list]] = defaultdict(dict)
        self._far: dict[str, dict[int, list]] = defaultdict(dict)
        self._by_document: dict[tuple, list] = defaultdict(list)
        self._variants: dict[datetime.date, tuple[list[int], list[int]]] = {}
        self.latest = latest
        self.people: dict[object, Person] = {}

    def __len__(self) -> int:
        return len(self.people)

    def add(self, person: Person) -> None:
        self.people[person.ref] = person
        if person.date_of_birth is not None:
            ordinal = person.date_of_birth.toordinal()
            near = self._near[person.nationality]
            for prefix in {_prefix_id(t) for t in person.tokens}:
                near.setdefault(ordinal * 4096 + prefix, []).append(person.ref)
            if person.tokens:
                far = self._far[person.nationality]
                far.setdefault(ordinal * 16_777_216 + _shape_id(person.tokens), []).append(person.ref)
        for document in person.documents:
            self._by_document[(person.nationality, document)].append(person.ref)

    def variants(self, day: datetime.date) -> tuple[list[int], list[int]]:
        """(ordinals of the date and its swap, ordinals of the dates one digit away), computed once per date."""
        found = self._variants.get(day)
        if found is None:
            near = [day.toordinal()]
            other = swapped(day)
            if other is not None:
                near.append(other.toordinal())
            far = sorted(d.toordinal() for d in dob_variants(day, latest=self.latest) if d != day and d != other)
            found = self._variants[day] = (near, far)
        return found

    def dates(self, day: datetime.date) -> set[datetime.date]:
        """Every date of birth a record matching `day` may carry."""
        near, far = self.variants(day)
        return {datetime.date.fromordinal(o) for o in (*near, *far)}

    def candidates(self, person: Person) -> set:
        found: set = set()
        nationality = person.nationality
        if person.date_of_birth is not None:
            near_dates, far_dates = self.variants(person.date_of_birth)
            near = self._near.get(nationality)
            if near:
                prefixes = {_prefix_id(t) for t in person.tokens}
                for ordinal in near_dates:
                    base = ordinal * 4096
                    for prefix in prefixes:
                        refs = near.get(base + prefix)
                        if refs:
                            found.update(refs)
            far = self._far.get(nationality)
            if far and person.tokens:
                shape = _shape_id(person.tokens)
                for ordinal in far_dates:
                    refs = far.get(ordinal * 16_777_216 + shape)
                    if refs:
                        found.update(refs)
        for document in person.documents:
            found.update(self._by_document.get((nationality, document), ()))
        found.discard(person.ref)
        return found

    def matches(self, person: Person, threshold: float = THRESHOLD) -> list[tuple[object, float, list[str]]]:
        """(ref, score, reasons) of the indexed records scoring `threshold` or more against `person`, best first."""
        out = []
        for ref in self.candidates(person):
            other = self.people[ref]
            if quick_score(person, other) >= threshold:
                value, reasons = score(person, other)
                out.append((ref, value, reasons))
        out.sort(key=lambda item: (-item[1], str(item[0])))
        return out
