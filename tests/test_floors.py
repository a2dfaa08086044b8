"""The code's floors (README "Code map"): each app imports only the apps below it, never one above.

Walks every module of every app with ``ast`` (imports inside functions included, so a lazy import
cannot hide an upward arrow) and fails on an import that climbs. The floors are listed here, once.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. An app may import apps listed before it (and itself), never one listed after it.
FLOORS = [
    "units",  # unit kinds, units, users, roles
    "sheets",  # reading and guarding uploaded tables: pure Python, no models
    "proof",  # reading evidence (OCR, PDF text) and what it says: pure Python, no models
    "audit",  # the audit trail, sign-in security, separation of duties
    "jobs",  # background work with visible progress
    "publicity",  # outlets, pieces, publications, indicators, targets, their services and imports
    "website",  # bureau-website submissions: draft, head/deputy sign-off, publish into a piece
    # reported-figure tasks (发行征订): a number per unit with evidence, reviewed; needs only publicity,
    # and sits below scoring, which scores a task as its own item
    "figures",
    "campaigns",  # campaign tasks: deliverables units upload by a deadline, completion per unit
    "scoring",  # rules.py (pure) and the services that gather facts, score, close
    "reports",  # documents: workbook, circular, PDFs, certificates
    "ops",  # operations: health, backup/restore, demo and synthetic data (touch every floor below)
    "desk",  # the web layer: every page a person uses outside the Django admin
]
# Above every floor: settings and the URL map. Outside the app: tests, benchmarks, fixture builders.
TOP = {"config"}
NOT_APPS = {"tests", "bench", "fixtures", "docs", "static", "templates", "locale", "staticfiles"}


def our_packages() -> set[str]:
    return {
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and not p.name.startswith(".") and p.name not in NOT_APPS
    }


def imported_packages(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, top-level package) for every import in the module, absolute or relative."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: stays inside the module's own package unless it climbs out
                parts = path.relative_to(ROOT).parts[:-1]
                base = parts[: len(parts) - (node.level - 1)]
                found.append((node.lineno, base[0] if base else package))
            elif node.module:
                found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_every_app_has_a_floor():
    unknown = our_packages() - set(FLOORS) - TOP
    assert not unknown, f"add these packages to FLOORS in {Path(__file__).name} (and README's code map): {unknown}"


@pytest.mark.parametrize("package", [p for p in FLOORS if (ROOT / p).is_dir()])
def test_no_import_climbs_a_floor(package):
    level = FLOORS.index(package)
    ours = set(FLOORS) | TOP
    upward = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, imported in imported_packages(path, package):
            if imported in ours and (imported in TOP or FLOORS.index(imported) > level):
                upward.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not upward, f"{package} (floor {level + 1}) imports from a floor above it:\n" + "\n".join(upward)


def test_the_check_sees_an_upward_import(tmp_path, monkeypatch):
    """The walker itself: a lazy import inside a function and a relative import are both seen."""
    module = tmp_path / "units" / "sub" / "m.py"
    module.parent.mkdir(parents=True)
    module.write_text("def f():\n    from scoring.rules import x\nfrom .. import models\nfrom . import y\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert sorted(imported_packages(module, "units")) == [(2, "scoring"), (3, "units"), (4, "units")]
