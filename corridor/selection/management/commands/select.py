"""Selection from the command line (docs/selection.md, docs/selection-engine.md).

`corridor select solve --input instance.json --output result.json` runs the matching engine on a JSON instance that
holds `applicant_prefs`, `position_priorities` and `capacities` exactly as the engine takes them.

`corridor select run --programme CODE --round N [--corridor XX] [--dry-run] [--reason TEXT]` runs a round of the
database as the system: a dry run, or a published run (a re-run of a published round needs --reason).
"""

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from corridor.core.errors import DomainError
from corridor.selection.engine import solve_instance_json


class Command(BaseCommand):
    help = "Selection of workers for job orders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        solve = sub.add_parser("solve", help="Solve a JSON instance with worker-proposing deferred acceptance.")
        solve.add_argument("--input", required=True, help="Path of the instance JSON ('-' for standard input).")
        solve.add_argument("--output", required=True, help="Path of the result JSON ('-' for standard output).")

        run = sub.add_parser("run", help="Run a selection round of the database (dry run or published).")
        run.add_argument("--programme", required=True, help="Programme code, e.g. CA-SAG.")
        run.add_argument("--round", required=True, type=int, help="Round number.")
        run.add_argument("--corridor", default=None, help="Origin country of the round, when rounds are per corridor.")
        run.add_argument("--dry-run", action="store_true", help="Compute and store for review; publish nothing.")
        run.add_argument("--reason", default="", help="Why a published round is run again (required for a re-run).")

    def handle(self, *args, action, **options):
        if action == "solve":
            self._solve(options["input"], options["output"])
        elif action == "run":
            self._run(options)

    def _run(self, options) -> None:
        from corridor.selection import services
        from corridor.selection.models import SelectionRound

        rounds = SelectionRound.objects.filter(programme__code=options["programme"], number=options["round"])
        if options["corridor"] is not None:
            rounds = rounds.filter(origin_country=options["corridor"].strip().upper())
        found = list(rounds.select_related("programme"))
        if not found:
            raise CommandError(f"--round: programme {options['programme']} has no round {options['round']}"
                               + (f" for corridor {options['corridor']}" if options["corridor"] else "") + ".")
        if len(found) > 1:
            corridors = ", ".join(r.origin_country or "all" for r in found)
            raise CommandError(f"--corridor: round {options['round']} exists for several corridors ({corridors}); name one.")
        start = time.perf_counter()
        try:
            run = services.run_round(actor=None, rnd=found[0], publish=not options["dry_run"], reason=options["reason"],
                                     system=True)
        except DomainError as exc:
            text = "; ".join(e["message"] for e in exc.as_errors())
            raise CommandError(f"--{(exc.field or 'round').replace('_', '-')}: {text}") from exc
        seconds = time.perf_counter() - start
        summary = run.summary
        self.stdout.write(
            f"{run.get_kind_display()} {run.pk} of {found[0]}: {summary['selected']} of {summary['positions']} filled "
            f"({summary['fill_rate']:.1%}), {summary['applicants']} workers ranked; inputs {run.inputs_hash}; "
            f"seed {run.seed}; {seconds:.2f} s."
        )

    def _solve(self, source: str, target: str) -> None:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"--input: cannot read {source}: {exc.strerror}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"--input: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}).") from exc
        start = time.perf_counter()
        try:
            result = solve_instance_json(data)
        except ValueError as exc:
            raise CommandError(f"--input: {exc}") from exc
        seconds = time.perf_counter() - start
        body = json.dumps(result, ensure_ascii=False, indent=1)
        if target == "-":
            self.stdout.write(body)
        else:
            try:
                Path(target).write_text(body, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"--output: cannot write {target}: {exc.strerror}") from exc
            matched = sum(len(v) for v in result["matching"].values())
            self.stderr.write(f"Solved in {seconds:.3f} s: {matched} workers matched, {len(result['unmatched'])} unmatched.")
