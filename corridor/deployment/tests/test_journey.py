"""The journey's state machine, plain: every allowed action, refusals naming what is possible, final states."""

from __future__ import annotations

import pytest

from corridor.deployment import journey as path

EXPECTED = {
    (path.SELECTED, "contract_accepted"): path.CONTRACTED,
    (path.SELECTED, "withdraw"): path.WITHDRAWN,
    (path.CONTRACTED, "clear_departure"): path.CLEARED,
    (path.CONTRACTED, "withdraw"): path.WITHDRAWN,
    (path.CLEARED, "issue_permit"): path.PERMIT_ISSUED,
    (path.CLEARED, "withdraw"): path.WITHDRAWN,
    (path.PERMIT_ISSUED, "depart"): path.TRAVELLED,
    (path.PERMIT_ISSUED, "withdraw"): path.WITHDRAWN,
    (path.TRAVELLED, "confirm_arrival"): path.EMPLOYED,
    (path.TRAVELLED, "return"): path.RETURNED,
    (path.TRAVELLED, "overstay"): path.OVERSTAYED,
    (path.EMPLOYED, "start_employer_change"): path.CHANGING_EMPLOYER,
    (path.EMPLOYED, "return"): path.RETURNED,
    (path.EMPLOYED, "overstay"): path.OVERSTAYED,
    (path.EMPLOYED, "change_status"): path.STATUS_CHANGED,
    (path.CHANGING_EMPLOYER, "resume_work"): path.EMPLOYED,
    (path.CHANGING_EMPLOYER, "return"): path.RETURNED,
    (path.CHANGING_EMPLOYER, "overstay"): path.OVERSTAYED,
    (path.CHANGING_EMPLOYER, "change_status"): path.STATUS_CHANGED,
    (path.EMPLOYED, "move"): path.MOVED,
    (path.CHANGING_EMPLOYER, "move"): path.MOVED,
}


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
def test_every_allowed_action_leads_where_expected(state, action):
    assert path.step(state, action) == EXPECTED[(state, action)]
    assert action in path.allowed(state)


def test_the_table_is_exactly_the_expected_one():
    table = {(s, a): target for a, (sources, target) in path.ACTIONS.items() for s in sources}
    assert table == EXPECTED


@pytest.mark.parametrize("state", path.STATES)
@pytest.mark.parametrize("action", list(path.ACTIONS))
def test_every_other_action_is_refused_naming_the_possible_ones(state, action):
    if (state, action) in EXPECTED:
        return
    with pytest.raises(path.TransitionRefused) as refused:
        path.step(state, action)
    error = refused.value
    assert error.state == state and error.action == action
    assert error.allowed == path.allowed(state)
    message = str(error)
    assert action in message and state in message
    for possible in error.allowed:
        assert possible in message


def test_an_unknown_action_is_refused():
    with pytest.raises(path.TransitionRefused) as refused:
        path.step(path.SELECTED, "teleport")
    assert "contract_accepted" in str(refused.value) and "withdraw" in str(refused.value)


@pytest.mark.parametrize("state", sorted(path.FINAL))
def test_final_states_allow_nothing(state):
    assert path.allowed(state) == []
    assert state not in path.NEXT
    for action in path.ACTIONS:
        with pytest.raises(path.TransitionRefused) as refused:
            path.step(state, action)
        assert "none (the journey has ended)" in str(refused.value)


def test_states_other_than_final_can_move_on():
    for state in path.STATES:
        if state not in path.FINAL:
            assert path.allowed(state), state


def test_next_lists_only_allowed_actions():
    for state, actions in path.NEXT.items():
        assert actions
        for action in actions:
            path.step(state, action)  # does not raise


def test_withdrawal_only_before_travel():
    before = {path.SELECTED, path.CONTRACTED, path.CLEARED, path.PERMIT_ISSUED}
    for state in path.STATES:
        assert ("withdraw" in path.allowed(state)) == (state in before)


def test_position_follows_the_usual_path():
    order = [path.SELECTED, path.CONTRACTED, path.CLEARED, path.PERMIT_ISSUED, path.TRAVELLED, path.EMPLOYED,
             path.RETURNED]
    assert [path.position(s) for s in order] == list(range(len(order)))
    assert path.position(path.CHANGING_EMPLOYER) == path.position(path.EMPLOYED)
    for state in (path.OVERSTAYED, path.STATUS_CHANGED, path.WITHDRAWN):
        assert path.position(state) == len(order) - 1
