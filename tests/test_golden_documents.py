"""Letters, worksheets and the work queue read back as text and compared with tests/golden/.

Each sample document's text (paragraphs, table rows, struck ``[-x-]``, inserted ``{+x+}`` and
placeholder ``[[x]]`` runs; see ``golden/doctext.py``) is stored as a readable file, so a
template change shows up as a diff a reviewer can read. After a deliberate change, refresh
them with ``pytest tests/test_golden_documents.py --update-goldens`` and review the diff.

The rest of the file checks the render shortcuts against the plain path they stand in for.
"""

from __future__ import annotations

import datetime as dt
import difflib
import importlib.util
from pathlib import Path

import pytest
from conftest import PRACTICE, ROOT, SAMPLE_INPUTS

from appeals.errors import RenderError
from appeals.jobs.run import run
from appeals.render import wordml as wordml
from appeals.render.documents import write_documents
from appeals.render.templating import Templates

GOLDEN = ROOT / "tests" / "golden"
SYNTHETIC_CLAIMS = 40


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


doctext = _load("golden_doctext", GOLDEN / "doctext.py")


def _bench_render():
    return _load("bench_render", ROOT / "bench" / "bench_render.py")


def _compare_one(text: str, path: Path, name: str) -> None:
    want = path.read_text(encoding="utf-8")
    if text != want:
        diff = "".join(difflib.unified_diff(
            want.splitlines(True), text.splitlines(True), f"golden/{name}", "written", n=1))
        pytest.fail(f"{name} differs from its golden (refresh with --update-goldens "
                    f"if the change is deliberate):\n{diff[:6000]}")


def _compare(got: dict[str, str], folder: Path, update: bool) -> None:
    """Each name's text against ``folder/name``; with update, rewrite the folder instead."""
    if update:
        for stale in folder.rglob("*.txt"):
            stale.unlink()
        for name, text in got.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_text(text, encoding="utf-8")
        return
    stored = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.txt"))
    assert sorted(got) == stored, "documents written differ from the stored goldens"
    for name, text in got.items():
        _compare_one(text, folder / name, name)


def _as_txt(name: str) -> str:
    return name.rsplit(".", 1)[0] + ".txt"


def test_sample_run_documents_match_golden_text(tmp_path, update_goldens):
    out = tmp_path / "out"
    run(SAMPLE_INPUTS, out, practice=PRACTICE,
        today=dt.date(2026, 4, 30), workers=1)
    got = {_as_txt(p.relative_to(out).as_posix()): doctext.docx_text(p)
           for p in sorted(out.rglob("*.docx"))}
    got["summary.txt"] = doctext.xlsx_text(out / "summary.xlsx")
    # The work queue names each input as given; goldens must not depend on the checkout's path.
    got = {name: text.replace(f"{ROOT.as_posix()}/", "") for name, text in got.items()}
    assert len(got) > 15  # letters only for written requests; reopening scripts, worksheets
    _compare(got, GOLDEN / "samples", update_goldens)


@pytest.mark.parametrize("corrected, seed", [(False, 1000), (True, 2000)])
def test_synthetic_documents_match_golden_text(tmp_path, update_goldens, corrected, seed):
    frame = _bench_render().synthetic(SYNTHETIC_CLAIMS, corrected=corrected, seed=seed)
    write_documents(frame, tmp_path, today=dt.date(2025, 3, 10))
    text = "".join(f"# {p.relative_to(tmp_path).as_posix()}\n{doctext.docx_text(p)}\n"
                   for p in sorted(tmp_path.rglob("*.docx")))
    name = "corrected.txt" if corrected else "letters.txt"
    path = GOLDEN / "synthetic" / name
    if update_goldens:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    else:
        _compare_one(text, path, f"synthetic/{name}")


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
    bench_render = _bench_render()
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
