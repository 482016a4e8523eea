"""The command line: a thin click layer over the library. The only package that imports click."""

from __future__ import annotations

import importlib

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
