"""The layering in docs/architecture.md, checked on the code: each app imports only the apps below it, and the
algorithmic cores import nothing from Django."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# app -> the project apps it may import (besides itself)
ALLOWED = {
    "core": set(),
    "reference": {"core"},
    "accounts": {"core", "reference"},
    "programmes": {"core", "reference", "accounts"},
    "wages": {"core", "reference", "accounts", "programmes"},
    "employers": {"core", "reference", "accounts", "programmes", "wages"},
    "joborders": {"core", "reference", "accounts", "programmes", "wages", "employers"},
    "workers": {"core", "reference", "accounts", "programmes"},
    "recruitment": {"core", "reference", "accounts", "programmes", "wages", "employers", "workers"},
    "selection": {"core", "reference", "accounts", "programmes", "wages", "employers", "joborders", "workers"},
    "vacancies": {"core", "reference", "accounts", "programmes"},
    "contracts": {"core", "reference", "accounts", "programmes", "wages", "employers", "joborders", "workers",
                  "recruitment", "selection"},
    "deployment": {"core", "reference", "accounts", "programmes", "wages", "employers", "joborders", "workers",
                   "recruitment", "selection", "contracts"},
    "payroll": {"core", "reference", "accounts", "programmes", "wages", "employers", "joborders", "workers",
                "recruitment", "selection", "contracts", "deployment"},
    "mobility": {"core", "reference", "accounts", "programmes", "wages", "employers", "joborders", "workers",
                 "recruitment", "selection", "contracts", "deployment", "payroll"},
    "returns": {"core", "reference", "accounts", "programmes", "wages", "employers", "joborders", "workers",
                "recruitment", "selection", "contracts", "deployment", "payroll", "mobility"},
    "pathways": {"core", "reference", "accounts", "programmes", "wages", "employers", "joborders", "workers",
                 "recruitment", "selection", "contracts", "deployment", "payroll", "mobility", "returns"},
    "demo": {"mobility", "returns", "pathways", "core", "reference", "accounts", "programmes", "selection", "contracts", "deployment", "payroll", "wages", "employers", "joborders", "workers", "recruitment", "vacancies"},
}
PLAIN_PYTHON = [
    "programmes/rulebook.py",
    "programmes/presets.py",
    "selection/engine.py",
    "selection/distributional.py",
    "selection/priority.py",
    "selection/assign.py",
    "contracts/clauses.py",
    "deployment/journey.py",
    "deployment/substitution.py",
    "payroll/checks.py",
    "pathways/progress.py",
    "reference/text.py",
    "reference/search.py",
    "reference/crosswalk.py",
    "wages/floor.py",
    "wages/csvfile.py",
    "vacancies/aggregate.py",
    "joborders/checks.py",
    "core/inputs.py",
    "joborders/tabular.py",
    "core/tabular.py",
    "workers/eligibility.py",
    "workers/matching.py",
    "recruitment/fees.py",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _app_files(app: str):
    for path in (ROOT / app).rglob("*.py"):
        parts = path.relative_to(ROOT / app).parts
        if parts[0] in {"tests", "migrations"}:
            continue
        yield path


@pytest.mark.parametrize("app", sorted(ALLOWED))
def test_apps_import_only_the_layers_below_them(app):
    wrong = []
    for path in _app_files(app):
        for name in _imports(path):
            parts = name.split(".")
            if parts[0] == "corridor" and len(parts) > 1 and parts[1] in ALLOWED and parts[1] != app and parts[1] not in ALLOWED[app]:
                wrong.append(f"{path.relative_to(ROOT)} imports {name}")
    assert not wrong, "\n".join(wrong)


def test_every_app_is_placed_in_a_layer():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps == set(ALLOWED), "add the new app to ALLOWED here and to docs/architecture.md"


@pytest.mark.parametrize("module", PLAIN_PYTHON)
def test_algorithmic_cores_do_not_import_django(module):
    path = ROOT / module
    if not path.exists():
        pytest.skip(f"{module} not present")
    assert not [n for n in _imports(path) if n.split(".")[0] == "django"]
