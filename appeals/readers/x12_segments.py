"""Low-level X12 reading: decode bytes, find delimiters, cut text into numbered segments.

Real remittance files bend the standard in many small ways (see
``../shared/reference/exports-and-835.md``): pipe element separators, ``^`` or ``>``
component separators, a newline as the only terminator, a terminator placed after the
newline (``\\n~SEG``), CRLF, indentation, a UTF-8 byte-order mark, several interchanges
per file, or no ISA envelope at all. This module absorbs all of that so the 835 reader only
sees lists of elements.

Segments are numbered from 1 in file order across the whole file (the ISA is segment 1 of
an enveloped file, the ST of an envelope-less one); that number is what warnings and
``source_row`` show, so a user can count to the segment in any X12 viewer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

Warn = Callable[[str], None]

_BOMS = (
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# ISA01 is always two digits, which keeps a payer called "ISA ..." from opening an interchange.
_ISA_RE = re.compile(r"(?<![A-Za-z0-9])ISA([^A-Za-z0-9\s])\d\d\1")
# Envelope-less files start at ST; ST02 (and the optional ST03) follow the transaction code.
_ST_RE = re.compile(r"(?<![A-Za-z0-9])ST([^A-Za-z0-9\s])(\d{3})(?:\1[A-Za-z0-9.]*){0,2}")
_HEAD_RE = re.compile(rb"^(?:ISA[^A-Za-z0-9\s]|ST([^A-Za-z0-9\s])835\1)")


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    terminator: str  # "\n" when lines are the only separators


@dataclass
class Chunk:
    """A run of segments sharing one set of delimiters (one interchange, usually).

    ``segments`` are the segments' stripped texts; the reader splits each into elements
    as it reaches it (``delimiters.element``), so a large file is never held as millions
    of element lists at once.
    """

    delimiters: Delimiters
    first_segno: int
    segments: list[str] = field(default_factory=list)


def looks_like_x12(head: bytes) -> bool:
    """True when ``head`` (the first bytes of a file) starts like an X12 file.

    After an optional byte-order mark and whitespace the text must open with ``ISA`` and a
    separator, or with an envelope-less ``ST*835`` (any separator).
    """
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            if encoding != "utf-8":
                head = head[len(bom) :].decode(encoding, errors="ignore").encode("ascii", "ignore")
            else:
                head = head[len(bom) :]
            break
    return bool(_HEAD_RE.match(head.lstrip()))


def decode(data: bytes) -> str:
    """Bytes to text: honour a byte-order mark, else UTF-8, else Latin-1 (never fails)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Older payer systems write Latin-1 names; every byte is valid there.
        return data.decode("latin-1")


def _terminator_at(text: str, pos: int) -> str:
    """The segment terminator, given the position just past the first segment's content.

    A newline there is the terminator unless the next non-blank character is punctuation,
    as in the ``...\\n~GS`` layout where the real terminator sits at the start of each line.
    """
    if pos >= len(text):
        return "~"
    ch = text[pos]
    if ch not in "\r\n \t":
        return ch
    j = pos
    while j < len(text) and text[j] in "\r\n \t":
        j += 1
    if j < len(text) and not text[j].isalnum():
        return text[j]
    return "\n"


def _isa_delimiters(text: str, start: int, segno: int, warn: Warn) -> Delimiters:
    """Read the delimiters from the ISA at ``start`` (element = 4th char, component = ISA16)."""
    element = text[start + 3]
    pos = start + 3
    for _ in range(15):
        pos = text.find(element, pos + 1)
        if pos < 0:
            break
    if pos < 0 or pos + 1 >= len(text):
        warn(f"segment {segno}: the ISA header is incomplete; delimiters were guessed")
        return _guess_delimiters(text[start:], element)
    component = text[pos + 1]
    terminator = _terminator_at(text, pos + 2)
    if terminator in (element, component) or terminator.isalnum():
        warn(f"segment {segno}: the ISA declares unusable delimiters; delimiters were guessed")
        return _guess_delimiters(text[start:], element)
    return Delimiters(element, component, terminator)


def _guess_delimiters(text: str, element: str) -> Delimiters:
    terminator = "~" if "~" in text else "\n"
    return Delimiters(element, ":", terminator)


def _st_delimiters(text: str, match: re.Match[str]) -> Delimiters:
    # No ISA: the element separator follows "ST"; ISA16 is unknown, so ":" (SVC01 is
    # re-checked per segment anyway).
    element = match.group(1)
    terminator = _terminator_at(text, match.end())
    if terminator == element or terminator.isalnum():
        terminator = "~" if "~" in text else "\n"
    return Delimiters(element, ":", terminator)


_CUT_WARNING = (
    "segment {segno}: the file ends without a segment terminator, in the middle of a "
    "segment, which was not read; the file may be cut off"
)


def _cut(text: str, delimiters: Delimiters) -> tuple[list[str], bool]:
    """Split ``text`` into segments (stripped, non-empty); also say if the last one was cut."""
    term = delimiters.terminator
    pieces = text.split(term)  # "\n" also covers CRLF once each piece is stripped
    last = pieces[-1].strip()
    # An unterminated IEA (GE, SE) is the normal end of the "\n~SEG" layout, not a cut.
    cut_off = term != "\n" and bool(last) and not last.startswith(("IEA", "GE", "SE"))
    segments = [p for p in map(str.strip, pieces) if p]
    del pieces
    if cut_off:
        # A segment cut mid-way holds a cut value ("CLP*SCIG-", "LQ*HE*N3"): reading it
        # would invent a claim id or a code, so it is left out (the caller warns).
        segments.pop()
    return segments, cut_off


def split_segments(text: str, warn: Warn) -> list[Chunk]:
    """Cut a whole file's text into chunks of numbered segments.

    Each ISA starts a chunk with its own delimiters (concatenated interchanges may differ).
    Text before the first ISA is read as an envelope-less transaction when it holds an
    ``ST``; otherwise it is reported and skipped. Returns ``[]`` when the text holds no
    ISA and no ST at all.
    """
    starts = [m.start() for m in _ISA_RE.finditer(text)]
    head_end = starts[0] if starts else len(text)
    chunks: list[Chunk] = []
    segno = 1

    head = text[:head_end]
    st = _ST_RE.search(head)
    if st is not None:
        if head[: st.start()].strip():
            warn("the text before the first ST segment is not X12 and was ignored")
        delimiters = _st_delimiters(head, st)
        segments, cut_off = _cut(head[st.start() :], delimiters)
        chunks.append(Chunk(delimiters, segno, segments))
        segno += len(segments)
        if cut_off and not starts:
            warn(_CUT_WARNING.format(segno=segno))
    elif head.strip() and starts:
        warn("the text before the first ISA segment is not X12 and was ignored")

    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(text)
        delimiters = _isa_delimiters(text, start, segno, warn)
        segments, cut_off = _cut(text[start:end], delimiters)
        chunks.append(Chunk(delimiters, segno, segments))
        segno += len(segments)
        if cut_off and i + 1 == len(starts):
            warn(_CUT_WARNING.format(segno=segno))
    return chunks
