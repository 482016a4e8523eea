"""A built (non-editable) wheel carries denial_map.csv, the templates and the data tables."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"building the wheel failed: {result.stderr[-2000:]}")
    (path,) = out.glob("appeals-*.whl")
    return path


def test_wheel_holds_editable_and_reference_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("appeals/_bundled/denial_map.csv", "appeals/_bundled/templates/letter.html.j2",
                 "appeals/_bundled/templates/practice.toml", "appeals/data/payers.csv",
                 "appeals/data/carc.csv", "appeals/py.typed", "appeals/data/appeal_levels.csv",
                 "appeals/ledger/migrations/env.py",
                 "appeals/ledger/migrations/versions/0001_items_events_files.py",
                 "appeals/ledger/migrations/versions/0002_volume_append_only.py",
                 "appeals/web/pages/base.html", "appeals/web/static/app.js"):
        assert name in names, name


def test_installed_wheel_finds_its_packaged_files(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "import appeals.resources as r, appeals.rules.denial_map as d;"
        "print(r.denial_map_path()); print(r.templates_dir()); print(len(d.load_denial_map()))"
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    dm, templates, count = result.stdout.split()
    assert dm == str(site / "appeals" / "_bundled" / "denial_map.csv")
    assert templates == str(site / "appeals" / "_bundled" / "templates")
    assert int(count) > 5


def test_installed_wheel_creates_a_ledger(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "from appeals.ledger import open_ledger; from appeals.ledger.store import schema_head;"
        f"open_ledger({str(tmp_path / 'office.sqlite')!r}).close(); print(schema_head())"
    )
    env = dict(os.environ, PYTHONPATH=str(site))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0002" and (tmp_path / "office.sqlite").stat().st_size > 0


def _imported_top_level_modules() -> set[str]:
    found = set()
    for path in (ROOT / "appeals").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"appeals"}


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~;\[ ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_runtime_dependencies_are_exactly_what_the_package_imports():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    # SQLAlchemy loads the PostgreSQL driver from the database URL: declared, never imported
    declared = {_requirement_name(s) for s in project["dependencies"]} - {"psycopg"}
    distributions = packages_distributions()
    imported = {distributions[m][0].lower().replace("_", "-")
                for m in _imported_top_level_modules()}
    assert imported - declared == set(), "imported by appeals/ but not declared"
    assert declared - imported == set(), "declared but never imported by appeals/"
    test_only = {_requirement_name(s) for s in project["optional-dependencies"]["test"]}
    assert {"python-docx", "openpyxl"} <= test_only - declared
