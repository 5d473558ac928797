"""`corridor select solve`: the engine on a JSON instance from the command line, with clear errors."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

INSTANCE = {
    "applicant_prefs": {"ana": ["farm-a", "farm-b"], "ben": ["farm-a"], "caro": ["farm-a", "farm-b"]},
    "position_priorities": {"farm-a": ["ben", "caro", "ana"], "farm-b": ["ana", "caro"]},
    "capacities": {"farm-a": 1, "farm-b": 1},
}


def test_solve_writes_the_worker_optimal_stable_matching(tmp_path):
    source, target = tmp_path / "instance.json", tmp_path / "result.json"
    source.write_text(json.dumps(INSTANCE))
    call_command("select", "solve", "--input", str(source), "--output", str(target))
    result = json.loads(target.read_text())
    assert result["matching"] == {"farm-a": ["ben"], "farm-b": ["ana"]}
    assert result["unmatched"] == ["caro"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not valid JSON"),
        (json.dumps({"applicant_prefs": {}, "capacities": {}}), "position_priorities"),
        (json.dumps({**INSTANCE, "capacities": {"farm-a": -1, "farm-b": 1}}), "farm-a"),
    ],
)
def test_bad_instances_are_refused_with_a_clear_message(tmp_path, text, message):
    source = tmp_path / "instance.json"
    source.write_text(text)
    with pytest.raises(CommandError, match=message):
        call_command("select", "solve", "--input", str(source), "--output", str(tmp_path / "out.json"))
    assert not (tmp_path / "out.json").exists()


def test_missing_input_file_is_named(tmp_path):
    with pytest.raises(CommandError, match="--input"):
        call_command("select", "solve", "--input", str(tmp_path / "nope.json"), "--output", "-")
