"""The command line: a thin click layer over the library. The only package that imports click."""

from __future__ import annotations

import importlib
import os
import sys

import click

from appeals import __version__

# Each module defines ``command``; registered in this order in ``appeals --help``.
_COMMAND_MODULES = (
    "classify", "run", "check", "scrub", "patterns", "units", "init",
    "queue", "mark", "history", "stats", "serve",
)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, "--version", prog_name="appeals")
def main() -> None:
    """Classify SCIG infusion denials and write appeal letters, corrected-claim
    worksheets and a work-queue workbook.

    \b
    Examples:
      appeals classify samples/denials_practicepro.xlsx
      appeals run samples/denials_practicepro.xlsx -o out/
      appeals patterns
    """


for _name in _COMMAND_MODULES:
    main.add_command(importlib.import_module(f"appeals.cli.{_name}").command)


def entry() -> None:
    """The ``appeals`` console script and ``python -m appeals``: run the command, then leave
    without interpreter finalisation.

    Why (issue #12 item 15, proven with a core dump): the CSV reader hands Arrow a Python
    ``bytes`` buffer (``pa.py_buffer``); Arrow's threaded reader drops its last reference on
    one of Arrow's worker threads, sometimes only after the command has returned. Its
    destructor asks for the GIL, and once ``Py_FinalizeEx`` has begun CPython 3.11 answers
    with ``pthread_exit`` on that thread, whose forced unwind through a C++ ``noexcept``
    frame calls ``std::terminate``: "terminate called without an active exception", exit
    134, in 2% of error runs under parallel load (6/300 with bench/stress_exit.py). With no
    finalisation the late destructor just waits for the GIL until the process is gone.
    Everything the tool writes is closed and flushed by then (output folders are swapped in
    explicitly), so nothing is lost by skipping finalisation.
    """
    code: str | int | None
    try:
        main(prog_name="appeals")
        code = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    status = int(code or 0)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (| head): nothing more to say
            pass
    os._exit(status)  # no Py_FinalizeEx: an Arrow thread's late GIL request cannot abort us
