"""A built (non-editable) wheel carries denial_map.csv, the templates and the data tables."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
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
