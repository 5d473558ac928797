"""Checking a housing unit against a programme's housing standard (GB.346 para 33). Plain Python, no Django.

The standard is the `housing` part of a programme's rules: `min_area_m2_per_person`, `max_persons_per_room` and
`required_facilities`. Each finding names the rule and gives the figures, so that an employer knows what to fix.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitFacts:
    beds_per_room: tuple[int, ...]
    floor_area_m2: float
    facilities: tuple[str, ...] = ()

    @property
    def capacity(self) -> int:
        return sum(self.beds_per_room)


@dataclass(frozen=True)
class Finding:
    rule: str  # the rule's path in the programme's rules, e.g. "housing.min_area_m2_per_person"
    message: str
    actual: float | int | list[str] | None
    required: float | int | list[str] | None


def _fmt(value: float, other: float) -> str:
    """One decimal, or two where one would make the value look equal to the limit it breaks."""
    text = f"{value:.1f}"
    return f"{value:.2f}" if text == f"{other:.1f}" else text


def normalise_facility(name: str) -> str:
    return " ".join(str(name).strip().lower().replace("_", " ").split())


def facts(beds_per_room: Iterable[int], floor_area_m2: float, facilities: Iterable[str] = ()) -> UnitFacts:
    return UnitFacts(tuple(int(b) for b in beds_per_room), float(floor_area_m2), tuple(str(f) for f in facilities))


def check_unit(unit: UnitFacts, standard: Mapping | None) -> list[Finding]:
    """The ways `unit` falls short of `standard`; an empty list when it meets every rule the standard sets."""
    standard = standard or {}
    findings: list[Finding] = []
    capacity = unit.capacity
    if capacity <= 0:
        findings.append(Finding("housing.capacity", "The unit has no beds, so it can house no one.", capacity, 1))
    min_area = standard.get("min_area_m2_per_person")
    if min_area is not None and capacity > 0:
        per_person = unit.floor_area_m2 / capacity
        if per_person < float(min_area):
            findings.append(
                Finding(
                    "housing.min_area_m2_per_person",
                    f"{_fmt(per_person, float(min_area))} m² per person is below the programme's minimum of "
                    f"{float(min_area):.1f} m² ({unit.floor_area_m2:.1f} m² for {capacity} beds).",
                    round(per_person, 2),
                    float(min_area),
                )
            )
    max_per_room = standard.get("max_persons_per_room")
    if max_per_room is not None:
        for index, beds in enumerate(unit.beds_per_room, start=1):
            if beds > int(max_per_room):
                findings.append(
                    Finding(
                        "housing.max_persons_per_room",
                        f"Bedroom {index} has {beds} beds; the programme allows at most {int(max_per_room)} people per room.",
                        beds,
                        int(max_per_room),
                    )
                )
    required = [str(f) for f in standard.get("required_facilities") or []]
    present = {normalise_facility(f) for f in unit.facilities}
    missing = [f for f in required if normalise_facility(f) not in present]
    if missing:
        findings.append(
            Finding(
                "housing.required_facilities",
                f"Missing required facilities: {', '.join(missing)}.",
                sorted(present),
                required,
            )
        )
    return findings
