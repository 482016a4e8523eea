"""The run manifest: inputs, rules and outputs with checksums, and no patient data."""

from __future__ import annotations

import datetime as dt
import json

from conftest import SAMPLES

from appeals.jobs.manifest import file_sha256
from appeals.jobs.run import run


def test_run_writes_a_manifest_that_matches_the_files(tmp_path):
    inputs = [SAMPLES / "denials_practicepro.xlsx", SAMPLES / "remit_scig.835"]
    out = tmp_path / "out"
    run(inputs, out, today=dt.date(2026, 4, 30))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["run_date"] == "2026-04-30"
    assert [f["file"] for f in manifest["inputs"]] == [p.name for p in inputs]
    assert manifest["inputs"][0]["sha256"] == file_sha256(inputs[0])
    assert set(manifest["rules"]) >= {"denial_map", "payers", "templates"}
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert {o["file"] for o in manifest["outputs"]} == written - {"manifest.json"}
    for entry in manifest["outputs"]:
        assert entry["sha256"] == file_sha256(out / entry["file"])
    assert manifest["counts"]["lines_read"] == 27 + 28  # both files, rejected rows included
    text = (out / "manifest.json").read_text(encoding="utf-8")
    assert "Testpatient" not in text and "TESTPATIENT" not in text and "ZZ" not in text


def test_same_input_same_manifest(tmp_path):
    for name in ("a", "b"):
        run([SAMPLES / "remit_scig.835"], tmp_path / name, today=dt.date(2026, 4, 30))
    assert (tmp_path / "a" / "manifest.json").read_bytes() == (
        tmp_path / "b" / "manifest.json"
    ).read_bytes()
