"""The README and the `--help` texts stay true: every command and option is documented, and
every example runs on the shipped samples (as sqlite-utils' tests/test_docs.py does)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import ROOT

from appeals.cli import main

README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(main.commands)
UNIVERSAL = {"-h", "--help"}


def _section(name: str) -> str:
    """The README's reference section of one command, up to the next heading."""
    found = re.search(rf"^####[^\n]*`appeals {name}\b.*?(?=^#{{2,4}} )", README, re.M | re.S)
    assert found, f"README.md has no '#### `appeals {name} ...`' section under Command reference"
    return found.group(0)


def _options(command: click.Command) -> list[str]:
    return [o for p in command.params if isinstance(p, click.Option)
            for o in p.opts + p.secondary_opts if o not in UNIVERSAL]


@pytest.mark.parametrize("name", COMMANDS)
def test_command_is_in_readme_table_and_reference(name: str) -> None:
    table = README.split("## Commands", 1)[1].split("\n\n", 1)[1].split("\n\n", 1)[0]
    assert f"`appeals {name}" in table, f"appeals {name} is missing from the Commands table"
    _section(name)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_documented(name: str) -> None:
    section = _section(name)
    missing = [o for o in _options(main.commands[name]) if not re.search(rf"(?<![\w-]){o}\b", section)]
    assert not missing, f"appeals {name}: options missing from its README section: {missing}"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_examples(name: str) -> None:
    command = main.commands[name]
    assert command.help and command.short_help != ""
    assert _help_examples(name), f"appeals {name} --help shows no example"


def _help_examples(name: str | None) -> list[str]:
    args = [name, "--help"] if name else ["--help"]
    text = CliRunner().invoke(main, args, terminal_width=200).output
    block = text.split("Examples:", 1)[1] if "Examples:" in text else ""
    joined = re.sub(r"\\\n\s*", "", block)
    return [line.strip() for line in joined.splitlines() if line.strip().startswith("appeals ")]


def _readme_examples() -> list[str]:
    """``appeals ...`` lines of the README's ``sh`` blocks. A block that sets shell variables
    (the ledger walk-through, the PostgreSQL set-up) runs in .ci/run's ledger demo instead."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", README, re.S):
        if "$" in block or "export " in block:
            continue
        for line in re.sub(r"\\\n\s*", "", block).splitlines():
            command = line.split("&& ")[-1].strip()
            if command.startswith("appeals ") and not command.startswith("appeals serve"):
                found.append(command)
    return found


# `appeals serve` serves until stopped: tests/web start it; its examples are only parsed.
NOT_RUN = {"help:serve"}
EXAMPLES = {f"help:{name}": _help_examples(name) for name in [None, *COMMANDS]}
EXAMPLES["README"] = _readme_examples()


def _run(example: str, cwd: Path) -> None:
    args = shlex.split(example.split(" | ")[0])[1:]
    result = CliRunner().invoke(main, args, catch_exceptions=True)
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), (
        f"{example!r} raised {result.exception!r}")
    if args[0] == "check" and "usable with problems" in result.output:
        assert result.exit_code == 1  # check's exit code is its verdict: problems found
    else:
        assert result.exit_code == 0, f"{example!r} exited {result.exit_code}:\n{result.output}"


@pytest.mark.parametrize("where", sorted(EXAMPLES, key=str))
def test_examples_run_on_the_shipped_samples(where: str, tmp_path: Path, monkeypatch) -> None:
    """Each group of examples, in order, in a scratch folder that sees the samples."""
    assert EXAMPLES[where], f"no examples found in {where}"
    for name in ("samples", "templates", "denial_map.csv"):
        (tmp_path / name).symlink_to(ROOT / name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("APPEALS_LEDGER", raising=False)
    if where in NOT_RUN:
        return
    if any("--ledger office.sqlite" in e for e in EXAMPLES[where]):
        # the ledger commands' examples read a ledger a run on the samples filled
        _run("appeals run samples/remit_scig.835 -o ledger-run/ --ledger office.sqlite --quiet",
             tmp_path)
    for example in EXAMPLES[where]:
        _run(example, tmp_path)


def test_architecture_section_names_every_module() -> None:
    """The README's folder table and the folders agree (private ``_x.py`` modules aside)."""
    found = re.search(r"^## Architecture\n(.*?)(?=^## )", README, re.M | re.S)
    assert found, "README.md has no '## Architecture' section"
    section = found.group(1)
    package = ROOT / "appeals"
    missing = []
    for folder in ("readers", "rules", "classify", "render", "workbooks", "jobs"):
        assert f"`appeals/{folder}/`" in section, folder
        for module in sorted((package / folder).glob("*.py")):
            if not module.name.startswith("_") and f"`{module.name}`" not in section:
                missing.append(f"{folder}/{module.name}")
    assert not missing, f"modules the README's Architecture section does not name: {missing}"
