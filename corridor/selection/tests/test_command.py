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


# --- corridor select run --------------------------------------------------------------------------------------


@pytest.fixture
def ranked_round(sel_round, sel_orders, make_ready_worker):
    from corridor.selection import services

    for i, (given, family) in enumerate((("Ana", "Ruiz"), ("Beto", "Luna"), ("Carla", "Paz"))):
        worker = make_ready_worker(given, family, years=2 + i)
        services.preferences_set(actor=worker.user, rnd=sel_round, worker=worker,
                                 job_orders=[o.reference for o in sel_orders])
    return sel_round


def _run(*args):
    from io import StringIO

    out = StringIO()
    call_command("select", "run", *args, stdout=out)
    return out.getvalue()


def test_run_dry_then_published_from_the_command_line(ranked_round):
    from corridor.core.models import AuditEvent
    from corridor.selection.models import RunStatus, SelectionRun

    code = ranked_round.programme.code
    text = _run("--programme", code, "--round", "1", "--dry-run")
    assert text.startswith("Dry run") and "3 of 3 filled" in text
    dry = SelectionRun.objects.get()
    assert dry.status == RunStatus.DRY and dry.started_by is None
    text = _run("--programme", code, "--round", "1")
    published = SelectionRun.objects.get(status=RunStatus.PUBLISHED)
    assert published.inputs_hash == dry.inputs_hash and published.inputs_hash in text
    event = AuditEvent.objects.get(action="selection_run.publish")
    assert event.actor is None and event.actor_label == "system"
    with pytest.raises(CommandError, match="--reason: Say why"):
        _run("--programme", code, "--round", "1")
    _run("--programme", code, "--round", "1", "--reason", "Checking the command line.")
    assert SelectionRun.objects.filter(status=RunStatus.SUPERSEDED).count() == 1


@pytest.mark.parametrize("args, message", [
    (["--programme", "NOPE", "--round", "1"], "--round: programme NOPE has no round 1"),
    (["--round", "9"], "has no round 9"),
    (["--round", "1", "--corridor", "JM"], "for corridor JM"),
])
def test_run_names_what_is_wrong(ranked_round, args, message):
    if "--programme" not in args:
        args = ["--programme", ranked_round.programme.code, *args]
    with pytest.raises(CommandError, match=message):
        _run(*args)


def test_run_without_rankings_is_refused(sel_round, sel_orders):
    with pytest.raises(CommandError, match="No worker has ranked"):
        _run("--programme", sel_round.programme.code, "--round", "1")
