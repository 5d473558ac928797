"""`corridor select solve --input instance.json --output result.json`: run the matching engine on a JSON instance.

The instance holds `applicant_prefs`, `position_priorities` and `capacities` exactly as the engine takes them
(docs/selection-engine.md). Selection runs against the database (`corridor select run`) arrive with the worker pool
and job orders.
"""

import json
import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from corridor.selection.engine import solve_instance_json


class Command(BaseCommand):
    help = "Selection of workers for job orders."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        solve = sub.add_parser("solve", help="Solve a JSON instance with worker-proposing deferred acceptance.")
        solve.add_argument("--input", required=True, help="Path of the instance JSON ('-' for standard input).")
        solve.add_argument("--output", required=True, help="Path of the result JSON ('-' for standard output).")

    def handle(self, *args, action, **options):
        if action == "solve":
            self._solve(options["input"], options["output"])

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
