"""The shipped example files import cleanly, and the wage floor core stays free of Django."""

import ast
from pathlib import Path

import pytest

from corridor.core.access import Role
from corridor.wages import services

APP = Path(__file__).resolve().parents[1]
EXAMPLES = APP / "data" / "examples"


@pytest.mark.parametrize("module", ["floor.py", "csvfile.py"])
def test_plain_python_modules_do_not_import_django(module):
    tree = ast.parse((APP / module).read_text(encoding="utf-8"))
    names = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not [n for n in names if n.split(".")[0] == "django"]


def test_examples_import_cleanly(make_user):
    admin = make_user(Role.PLATFORM_ADMIN)
    source = {"source_name": "Illustrative example (not official figures)"}
    prevailing = services.prevailing_wage_import(
        actor=admin, data=(EXAMPLES / "prevailing_wages_example.csv").read_bytes(), dry_run=True, **source
    )
    minimum = services.minimum_wage_import(
        actor=admin, data=(EXAMPLES / "minimum_wages_example.csv").read_bytes(), dry_run=True, **source
    )
    assert prevailing.ok and prevailing.created == 7, prevailing.errors
    assert minimum.ok and minimum.created == 6, minimum.errors
