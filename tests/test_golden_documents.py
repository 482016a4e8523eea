"""Letters and worksheets byte for byte against stored digests, and the render shortcuts
against the plain path they stand in for.

``golden/documents.sha256.json`` holds, per document, the SHA-256 of the file and of its
uncompressed parts, made by the renderer before its speed work. Deflate output may differ
between zlib versions, so file bytes are compared only under the zlib that made them; the
parts always are. A deliberate change to a template or to the layout updates that file:
regenerate it from the `appeals run` below and say why in the commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from appeals.errors import RenderError
from appeals.jobs.run import run
from appeals.render import wordml as wordml
from appeals.render.documents import write_documents
from appeals.render.templating import Templates

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = json.loads((ROOT / "tests" / "golden" / "documents.sha256.json").read_text())
SAMPLES = [ROOT / "samples" / n for n in
           ("denials_practicepro.xlsx", "denials_clearinghouse.csv", "remit_scig.835")]
SAME_ZLIB = zlib.ZLIB_RUNTIME_VERSION == GOLDEN["zlib"]


def _digests(paths: list[Path], root: Path) -> dict[str, str]:
    whole, parts = hashlib.sha256(), hashlib.sha256()
    for path in paths:
        name = str(path.relative_to(root).as_posix()).encode()
        whole.update(name + b"\0" + path.read_bytes())
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                parts.update(name + b"\0" + info.filename.encode() + b"\0" + archive.read(info))
    return {"file": whole.hexdigest(), "parts": parts.hexdigest()}


def _check(got: dict[str, str], want: dict[str, str], what: str) -> None:
    assert got["parts"] == want["parts"], f"{what}: content differs from the stored digest"
    if SAME_ZLIB:
        assert got["file"] == want["file"], f"{what}: bytes differ from the stored digest"


def test_sample_run_documents_match_stored_bytes(tmp_path):
    out = tmp_path / "out"
    run(SAMPLES, out, practice=ROOT / "templates" / "practice.toml",
        today=dt.date(2026, 4, 30), workers=1)
    written = sorted(str(p.relative_to(out).as_posix()) for p in out.rglob("*.docx"))
    assert written == sorted(GOLDEN["samples"])
    for name, want in GOLDEN["samples"].items():
        _check(_digests([out / name], out), want, name)


@pytest.mark.parametrize("corrected, seed", [(False, 1000), (True, 2000)])
def test_synthetic_documents_match_stored_bytes(tmp_path, corrected, seed):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_render
    finally:
        sys.path.remove(str(ROOT / "bench"))
    frame = bench_render.synthetic(120, corrected=corrected, seed=seed)
    write_documents(frame, tmp_path, today=dt.date(2025, 3, 10))
    got = _digests(sorted(tmp_path.rglob("*.docx")), tmp_path)
    _check(got, GOLDEN["synthetic"][f"corrected={corrected}"], f"synthetic {corrected}")


def _whole(skeleton: str) -> tuple[tuple[str, ...], tuple[int, ...]]:
    pieces = wordml._SLOT.split(wordml.markup_to_wordml(skeleton))
    return tuple(pieces[0::2]), tuple(int(n) for n in pieces[1::2])


S = wordml.slot
UNIT_CASES = [
    "",
    "   \n",
    f"<p>{S(0)}</p><p>{S(1)} and {S(2)}</p>",
    f"<p>a</p><table><tr><td>{S(0)}</td></tr></table>",  # trailing table: a paragraph after
    f"<table><tr><td>{S(0)}</td></tr></table><ul></ul>",  # ... even when nothing follows it
    "<table><tr><td>x</td></tr></table>\n<table></table>",
    f"loose {S(0)} text<p>{S(1)}</p>",  # text before any block opens a paragraph
    f"<p>{S(0)}<b>open<p>{S(1)}</b></p><p>{S(2)}</p>",  # bold spans two blocks
    f"<ul><li>{S(0)}<ol><li>{S(1)}</li></ol></ul><p>{S(2)}</p>",
    f"<table><tr><td><p>{S(0)}</p><p>{S(1)}</p></td></tr></table><p>{S(2)}</p>",
    f'<p align="center">{S(0)}</p><P>{S(1)}</P><H2>{S(2)}</H2><p>a <pa x</p>',
    f'<table><tr><td align="<p>">{S(0)}</td></tr></table><p>{S(1)}</p>',  # "<" in a value
    f"<p>{S(3)} before {S(1)}</p><p>{S(0)}</p>",  # slots out of order
    f"<p>\ue000\ue001 literal</p><p>{S(0)}</p>",  # a template's own private-use characters
    f"<p>{S(0)}</p><p>{S(0)}</p>",  # a slot used twice
    f"<p>a &amp; {S(0)}</p><p/><p>{S(1)}&nbsp;</p>",
]


@pytest.mark.parametrize("skeleton", UNIT_CASES)
def test_unit_conversion_equals_whole_conversion(skeleton):
    wordml._CACHE.clear()
    wordml._UNITS.clear()
    first = wordml.convert_cached(skeleton)
    wordml._CACHE.clear()  # now from cached units
    assert first == wordml.convert_cached(skeleton) == _whole(skeleton)


@pytest.mark.parametrize("skeleton", [
    f"<p>{S(0)}</p><script>x</script>",
    f"<p>{S(0)}</p><table><tr><td><table></table></td></tr></table>",
    f"<p>{S(0)}</p><td>x</td>",
])
def test_unit_conversion_fails_as_whole_conversion(skeleton):
    wordml._CACHE.clear()
    wordml._UNITS.clear()
    with pytest.raises(RenderError) as whole:
        wordml.markup_to_wordml(skeleton, source="letter.html.j2")
    with pytest.raises(RenderError) as units:
        wordml.convert_cached(skeleton, source="letter.html.j2")
    assert str(units.value) == str(whole.value)


def test_unit_conversion_equals_whole_on_rendered_templates(tmp_path):
    """Every skeleton a synthetic run renders, converted from units as well as whole."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import bench_render
    finally:
        sys.path.remove(str(ROOT / "bench"))
    seen: list[str] = []
    original = Templates.render

    def spy(self, name, context):
        result = original(self, name, context)
        seen.append(result[0])
        return result

    Templates.render = spy  # type: ignore[method-assign]
    try:
        frame = bench_render.synthetic(80, corrected=True, seed=7)
        write_documents(frame, tmp_path, today=dt.date(2025, 3, 10))
    finally:
        Templates.render = original  # type: ignore[method-assign]
    assert len(set(seen)) > 20
    wordml._UNITS.clear()
    for skeleton in set(seen):
        assert wordml._by_units(skeleton, 9360, "x") == _whole(skeleton)
