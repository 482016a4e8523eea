"""Shared test support: sample paths, one canonical-line factory, the golden-refresh switch.

``pyproject.toml`` puts ``tests/`` on ``sys.path`` (pytest's ``pythonpath``), so a test
module imports the plain helpers with ``from conftest import SAMPLES, canonical_line``;
fixtures are found by pytest as usual.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from appeals.schema import CLASSIFIED_COLUMNS, LINE_COLUMNS, conform

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
# The three shipped remittance exports the README's demo runs on.
SAMPLE_INPUTS = [SAMPLES / n for n in
                 ("denials_practicepro.xlsx", "denials_clearinghouse.csv", "remit_scig.835")]
PRACTICE = ROOT / "templates" / "practice.toml"
# Real third-party 835 files, beside the checkout (never copied into it).
SHARED_X12 = ROOT.parent / "shared" / "x12-samples"
SHARED_X12_ABSENT = f"{SHARED_X12} is absent (the shared third-party 835 samples live beside the repo)"


def canonical_line(claim_id: str = "C1", procedure_code: str = "96369", **fields: Any) -> dict:
    """One service line as the readers produce it: a denied-looking SCIG line by default."""
    line: dict[str, Any] = {
        "claim_id": claim_id,
        "procedure_code": procedure_code,
        "service_date": pd.Timestamp("2026-03-02"),
        "payer_name": "Noridian Healthcare Solutions",
        "place_of_service": "11",
        "units": 1.0,
        "billed_amount": 100.0,
        "paid_amount": 0.0,
    }
    line.update(fields)
    return line


def lines_frame(rows: list[dict[str, Any]], classified: bool = True) -> pd.DataFrame:
    """Rows conformed to the canonical columns (with the classifier's when ``classified``)."""
    columns = LINE_COLUMNS + CLASSIFIED_COLUMNS if classified else LINE_COLUMNS
    return conform(pd.DataFrame(rows), columns)


# --- no patient data left in $TMPDIR (issue #12 item 8) -------------------------------------
# The suite runs with a private, empty $TMPDIR (inherited by every command it starts) and
# fails when anything is left there at the end; pytest's own numbered tmp_path folders stay
# where they always are (PYTEST_DEBUG_TEMPROOT), kept for the last three sessions as usual.
_TMP_KEY = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput"):  # an xdist worker: its controller checks
        return
    outer = tempfile.gettempdir()
    os.environ.setdefault("PYTEST_DEBUG_TEMPROOT", outer)
    private = Path(tempfile.mkdtemp(prefix="appeals-tests-tmp-", dir=outer))
    os.chmod(private, 0o711)  # PostgreSQL's test server runs as nobody and must reach in
    config.stash[_TMP_KEY] = private
    os.environ["TMPDIR"] = str(private)
    tempfile.tempdir = str(private)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    private = session.config.stash.get(_TMP_KEY, None)
    if private is None or not private.is_dir():
        return
    # pymp-*: multiprocessing's own scratch (the forkserver's socket, no data), which it
    # removes at interpreter exit; the private folder goes after it (a lower exit priority)
    scratch = [p for p in private.iterdir() if p.name.startswith("pymp-") and p.is_dir()]
    left = sorted(p.name for p in private.iterdir() if p not in scratch)
    for name in left:
        path = private / name
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink()
    if scratch:
        from multiprocessing.util import Finalize

        Finalize(None, shutil.rmtree, args=(str(private),), kwargs={"ignore_errors": True},
                 exitpriority=-200)
    else:
        shutil.rmtree(private, ignore_errors=True)
    if left:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(f"FAILED: the tests left {len(left)} file(s) in $TMPDIR "
                                f"(may hold patient data): {', '.join(left[:10])}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", default=False,
        help="rewrite tests/golden/ from the current output instead of comparing with it",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


@pytest.fixture
def shared_x12() -> Path:
    """The shared 835 folder, or a skip that says where it was looked for."""
    if not SHARED_X12.is_dir():
        pytest.skip(SHARED_X12_ABSENT)
    return SHARED_X12
