"""appeals init: copy the editable templates, denial map and practice file for an office."""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from appeals.cli._common import reports_errors
from appeals.errors import OutputError
from appeals.resources import denial_map_path, templates_dir


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that already exist there.")
@reports_errors
def command(directory: Path, force: bool):
    """Copy templates/, denial_map.csv and a sample practice.toml into DIRECTORY to edit.

    \b
    Examples:
      appeals init my-office
      appeals run samples/denials_practicepro.xlsx -o out/ --templates my-office/templates \\
          --denial-map my-office/denial_map.csv --practice my-office/practice.toml
    """
    source_templates = templates_dir()
    targets = [
        (denial_map_path(), directory / "denial_map.csv"),
        (source_templates / "practice.toml", directory / "practice.toml"),
    ]
    if (directory / "templates").exists() and not force:
        raise OutputError("already has a templates folder", file=directory,
                          fix="choose an empty folder or pass --force")
    for _, target in targets:
        if target.exists() and not force:
            raise OutputError("already exists", file=target, fix="pass --force to overwrite")
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source_templates, directory / "templates", dirs_exist_ok=True)
    for source, target in targets:
        if source.exists():
            shutil.copyfile(source, target)
    click.echo(f"Wrote {directory}/denial_map.csv, {directory}/practice.toml and {directory}/templates/")
