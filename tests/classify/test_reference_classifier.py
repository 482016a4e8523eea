"""The vectorised classifier and the benchmark's per-claim reference loop agree line for line.

The reference (``bench/reference_classifier.py``) states the denial map's rules the plain
way; any difference is a bug in one of them. Checked on the shipped samples, on a generated
mixed dataset (every pattern, many payers) read back through the loader, and on a scrambled
copy whose codes, modifiers, units, dates and chart facts are shuffled between lines so the
rules meet combinations no sample was written for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from appeals.classify.classifier import classify
from appeals.readers.loader import load_files

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from generate import canonical_frame, write_csv  # noqa: E402
from reference_classifier import OUTPUT, classify_reference  # noqa: E402

# The remittance samples (charges.csv is for scrub, the expected-* files are answers).
SAMPLES = sorted(
    p for p in (ROOT / "samples").iterdir() if p.suffix in (".xlsx", ".csv", ".835")
    and p.name.startswith(("denials_", "remit_")) and ".expected" not in p.name
)
MODES = ("denials", "scrub")


def _assert_same(lines: pd.DataFrame, mode: str) -> pd.DataFrame:
    fast = classify(lines, mode=mode)
    slow = classify_reference(lines, mode=mode)
    differ = (fast[list(OUTPUT)] != slow[list(OUTPUT)]).any(axis=1)
    shown = fast.loc[differ, ["claim_id", "procedure_code", *OUTPUT]].join(
        slow.loc[differ].add_suffix("_reference")
    )
    assert not differ.any(), f"{int(differ.sum())} lines differ:\n{shown.head(20).to_string()}"
    return fast


def test_samples_are_found():
    assert {p.suffix for p in SAMPLES} == {".xlsx", ".csv", ".835"}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_samples_agree(path, mode):
    _assert_same(load_files([path]).lines, mode)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> pd.DataFrame:
    path = write_csv(tmp_path_factory.mktemp("gen") / "export.csv", 4000, seed=7, share=0.2)
    loaded = load_files([path])
    assert len(loaded.rejected) == 0
    return loaded.lines


@pytest.mark.parametrize("mode", MODES)
def test_generated_export_agrees(generated, mode):
    out = _assert_same(generated, mode)
    if mode == "denials":
        patterns = set(out["pattern"]) - {""}
        seeds = {"wrong_route", "units_over_cap", "addon_without_primary", "site_of_care",
                 "missing_kx", "kx_on_admin_line", "iv_and_sc_same_encounter",
                 "time_units_mismatch"}
        assert seeds <= patterns, patterns  # every documented seed pattern occurs
        assert {"paid", "denied", "needs_review", "out_of_scope"} <= set(out["status"])


def test_generated_frame_matches_the_export(generated):
    frame = canonical_frame(4000, seed=7, share=0.2)
    for name in ("claim_id", "procedure_code", "modifiers", "carcs", "rarcs", "payer",
                 "place_of_service", "infusion_start", "admin_route"):
        assert generated[name].tolist() == frame[name].tolist(), name


def _scrambled(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = canonical_frame(3000, seed=seed, share=0.3)
    n = len(frame)
    for name in ("procedure_code", "modifiers", "carcs", "rarcs", "place_of_service", "units",
                 "infusion_start", "infusion_stop", "sites", "admin_route", "product",
                 "claim_status", "paid_amount", "payer"):
        pick = rng.random(n) < 0.15
        frame.loc[pick, name] = rng.permutation(frame[name].to_numpy())[pick]
    frame.loc[rng.random(n) < 0.03, "service_date"] = pd.NaT
    frame.loc[rng.random(n) < 0.03, "units"] = np.nan
    frame.loc[rng.random(n) < 0.05, "procedure_code"] = "J1561"
    frame.loc[rng.random(n) < 0.03, "chart_reference"] = "MRN-1"
    frame.loc[rng.random(n) < 0.05, "sites"] = 2.5
    return frame


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("seed", [1, 2])
def test_scrambled_lines_agree(seed, mode):
    _assert_same(_scrambled(seed), mode)
