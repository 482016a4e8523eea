"""Template markup → WordprocessingML, each distinct skeleton converted once.

A rendered template is a skeleton (its markup with each value replaced by a numbered slot)
plus the values. ``convert_cached`` converts a skeleton once per process (and block pieces
of it once, so letters that differ in a few blocks share the rest); ``fill_slots`` puts the
escaped values back. ``markup.py`` does the conversion itself.
"""

from __future__ import annotations

import re

from appeals.render.markup import _Converter, _feed, markup_to_wordml

__all__ = ["convert_cached", "fill_slots", "markup_to_wordml", "slot"]

_SLOT = re.compile("\ue000(\\d+)\ue001")
_MARK = "\ue000\ue001"  # a slot with its number taken out
# The two caches are one trick: writing 400 letters is 2.04x faster with them than without
# (bench/tricks.py skeleton_caches, 3.8 s vs 7.8 s); each alone covers most of the other's
# misses (1.19x for the skeletons, 1.11x for the block pieces, measured one at a time).
_CACHE: dict[tuple[str, int], tuple[tuple[str, ...], tuple[int, ...]]] = {}
_CACHE_SIZE = 512  # skeletons kept per process; bounded so memory stays flat
# Block-level pieces of skeletons, numbers taken out of their slots: letters that differ
# in a few blocks (line count, sections, empty values) share the conversion of the rest.
_UNITS: dict[tuple[str, int, bool], tuple[bool, str, bool | None, bool]] = {}
_UNITS_SIZE = 4096
# The opening tags of _TAG that start a block (same syntax, names as _TAG.lower() sees
# them). Every "<" begins a _TAG match unless it sits inside an attribute value, so
# without _LT_IN_ATTR these matches are exactly the block-opening tokens of _TAG.split.
_BLOCK_OPEN = re.compile(
    r'<(?i:p|h[1-3]|table|ul|ol)(?![a-zA-Z0-9])(?:\s+[a-zA-Z_-]+\s*=\s*"[^"]*")*\s*/?>'
)
_LT_IN_ATTR = re.compile(r'=\s*"[^"]*<')


def slot(index: int) -> str:
    """The marker of value ``index`` in a skeleton (private-use characters)."""
    return f"\ue000{index}\ue001"


def convert_cached(skeleton: str, *, text_width: int = 9360, source: str = "") -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Convert a skeleton once: the WordprocessingML pieces between slots, and slot numbers."""
    key = (skeleton, text_width)
    found = _CACHE.get(key)
    if found is None:
        found = _by_units(skeleton, text_width, source)
        if found is None:
            pieces = _SLOT.split(markup_to_wordml(skeleton, text_width=text_width, source=source))
            found = (tuple(pieces[0::2]), tuple(int(n) for n in pieces[1::2]))
        if len(_CACHE) >= _CACHE_SIZE:
            del _CACHE[next(iter(_CACHE))]
        _CACHE[key] = found
    return found


def _by_units(skeleton: str, text_width: int, source: str) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """``convert_cached``'s answer assembled from cached units, or None when this
    skeleton cannot be cut safely (the caller converts it whole).

    A unit runs from one block-opening tag to the next. Both ends are tag boundaries of
    the whole skeleton's tokenisation, so a unit tokenises exactly as its slice of the
    whole; when the converter is clean at a unit's end (nothing open), converting the
    rest afresh gives what continuing would. Where it is not clean, the rest of the
    skeleton is converted as one unit.
    """
    if _MARK in skeleton or _LT_IN_ATTR.search(skeleton):
        # A numberless marker in a template's own text, or a "<" inside an attribute
        # value, where a block tag might not be a tag: no shortcuts.
        return None
    cuts = [m.start() for m in _BLOCK_OPEN.finditer(skeleton)]
    bounds = cuts if cuts and cuts[0] == 0 else [0, *cuts]
    bounds.append(len(skeleton))
    out: list[str] = []
    last_table = False
    last = len(bounds) - 2
    for k in range(last + 1):
        entry = _unit(skeleton[bounds[k]:bounds[k + 1]], text_width, source, k == last)
        if entry is None:
            return None
        if not entry[0]:
            entry = _unit(skeleton[bounds[k]:], text_width, source, True)
            if entry is None:
                return None
        out.append(entry[1])
        if entry[2] is not None:
            last_table = entry[2]
        if k == last or entry[3]:
            break
    if last_table:
        out.append("<w:p/>")  # as finish(): Word wants a paragraph after a closing table
    pieces = "".join(out).split(_MARK)
    indices = tuple(int(n) for n in _SLOT.findall(skeleton))
    if len(pieces) != len(indices) + 1:
        return None
    return tuple(pieces), indices


def _unit(unit: str, text_width: int, source: str,
          final: bool) -> tuple[bool, str, bool | None, bool] | None:
    """One unit converted: (clean at its end, WordprocessingML with numberless slots, ends
    with a table (None: writes nothing), reaches the end of the skeleton); None when the
    converter did not keep the unit's slots in order."""
    plain = _SLOT.sub(_MARK, unit)
    key = (plain, text_width, final)
    entry = _UNITS.get(key)
    if entry is not None:
        return entry
    marks = plain.split(_MARK)
    numbered = "".join(m + slot(i) for i, m in enumerate(marks[:-1])) + marks[-1]
    conv = _Converter(text_width, source)
    _feed(conv, numbered)
    if final:
        conv._close_para()
        conv._end_table()
    body = "".join(conv.out)
    pieces = _SLOT.split(body)
    if [int(n) for n in pieces[1::2]] != list(range(len(marks) - 1)):
        return None
    is_table = conv.out[-1].startswith("<w:tbl>") if conv.out else None
    entry = (final or conv.is_clean(), _MARK.join(pieces[0::2]), is_table, final)
    if len(_UNITS) >= _UNITS_SIZE:
        del _UNITS[next(iter(_UNITS))]
    _UNITS[key] = entry
    return entry


def fill_slots(converted: tuple[tuple[str, ...], tuple[int, ...]], values: list[str]) -> str:
    """Splice XML-escaped values into converted WordprocessingML."""
    static, indices = converted
    out = [static[0]]
    for index, piece in zip(indices, static[1:], strict=True):
        out.append(values[index])
        out.append(piece)
    return "".join(out)

