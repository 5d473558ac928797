"""The worker's journey as one explicit state machine. Plain Python, no Django.

work-ready (the pool) -> selected -> contracted -> cleared for departure -> permit issued -> travelled -> employed
-> (changing employer -> employed) -> returned; or overstayed, transferred to another status, or withdrawn. A worker
who moves to a new employer ends this journey as 'moved' and goes on in a new journey with the new employer.
Every step is an action; an action that is not allowed from the current state is refused with the actions that are.
"""

from __future__ import annotations

SELECTED = "selected"
CONTRACTED = "contracted"
CLEARED = "cleared"
PERMIT_ISSUED = "permit_issued"
TRAVELLED = "travelled"
EMPLOYED = "employed"
CHANGING_EMPLOYER = "changing_employer"
RETURNED = "returned"
OVERSTAYED = "overstayed"
STATUS_CHANGED = "status_changed"
WITHDRAWN = "withdrawn"
MOVED = "moved"

STATES = (SELECTED, CONTRACTED, CLEARED, PERMIT_ISSUED, TRAVELLED, EMPLOYED, CHANGING_EMPLOYER, RETURNED, OVERSTAYED,
          STATUS_CHANGED, WITHDRAWN, MOVED)
FINAL = frozenset({RETURNED, OVERSTAYED, STATUS_CHANGED, WITHDRAWN, MOVED})

# action -> (states it may start from, state it leads to)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "contract_accepted": (frozenset({SELECTED}), CONTRACTED),
    "clear_departure": (frozenset({CONTRACTED}), CLEARED),
    "issue_permit": (frozenset({CLEARED}), PERMIT_ISSUED),
    "depart": (frozenset({PERMIT_ISSUED}), TRAVELLED),
    "confirm_arrival": (frozenset({TRAVELLED}), EMPLOYED),
    "start_employer_change": (frozenset({EMPLOYED}), CHANGING_EMPLOYER),
    "resume_work": (frozenset({CHANGING_EMPLOYER}), EMPLOYED),
    "return": (frozenset({EMPLOYED, CHANGING_EMPLOYER, TRAVELLED}), RETURNED),
    "overstay": (frozenset({EMPLOYED, CHANGING_EMPLOYER, TRAVELLED}), OVERSTAYED),
    "change_status": (frozenset({EMPLOYED, CHANGING_EMPLOYER}), STATUS_CHANGED),
    "withdraw": (frozenset({SELECTED, CONTRACTED, CLEARED, PERMIT_ISSUED}), WITHDRAWN),
    "move": (frozenset({EMPLOYED, CHANGING_EMPLOYER}), MOVED),
}

# What comes next, for the worker's page: state -> the actions that can follow, in the usual order.
NEXT: dict[str, tuple[str, ...]] = {
    SELECTED: ("contract_accepted", "withdraw"),
    CONTRACTED: ("clear_departure", "withdraw"),
    CLEARED: ("issue_permit", "withdraw"),
    PERMIT_ISSUED: ("depart", "withdraw"),
    TRAVELLED: ("confirm_arrival", "return"),
    EMPLOYED: ("start_employer_change", "move", "return", "change_status"),
    CHANGING_EMPLOYER: ("move", "resume_work", "return", "change_status"),
}


class TransitionRefused(ValueError):
    """The action is not allowed from the current state; `allowed` lists the actions that are."""

    def __init__(self, state: str, action: str):
        self.state, self.action = state, action
        self.allowed = allowed(state)
        names = ", ".join(self.allowed) or "none (the journey has ended)"
        super().__init__(f"'{action}' is not possible when the journey is '{state}'; possible now: {names}.")


def allowed(state: str) -> list[str]:
    return [action for action, (sources, _) in ACTIONS.items() if state in sources]


def step(state: str, action: str) -> str:
    """The state after `action`, or TransitionRefused."""
    if action not in ACTIONS:
        raise TransitionRefused(state, action)
    sources, target = ACTIONS[action]
    if state not in sources:
        raise TransitionRefused(state, action)
    return target


def position(state: str) -> int:
    """The place of a state along the usual path (for a progress display); final states other than returned
    count as the end."""
    path = (SELECTED, CONTRACTED, CLEARED, PERMIT_ISSUED, TRAVELLED, EMPLOYED, RETURNED)
    if state == CHANGING_EMPLOYER:
        return path.index(EMPLOYED)
    return path.index(state) if state in path else len(path) - 1
