"""The practice's own details (letterhead block, signature, NPI/TIN) from practice.toml.

A field the file does not give stays ``""``; the templates show it as a highlighted
placeholder so nothing is left blank or made up. Unknown keys are an error, because a
typo (``npl = ...``) would otherwise silently turn into a placeholder.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from appeals.errors import ConfigError
from appeals.readers.files import require_regular_file

_FIX = "edit practice.toml (start from the sample `appeals init` writes)"
_PRACTICE_KEYS = ("name", "address", "phone", "fax", "email", "npi", "tin", "claim_type")
CLAIM_TYPES = ("professional", "institutional")
_SIGNER_KEYS = ("name", "title")
_AT_LINE = re.compile(r"at line (\d+)")
# The shipped sample's values: until an office edits them they are not its details, so a
# letter shows them as placeholders rather than sending a made-up clinic's name to a payer.
_SAMPLE = {
    "name": "Example Infusion Clinic", "phone": "(555) 010-0100", "fax": "(555) 010-0101",
    "email": "billing@example.org", "signer_name": "Alex Example",
    "signer_title": "Billing Manager",
}
_SAMPLE_ADDRESS = ("100 Sample Way", "Springfield, ST 00000")


@dataclass(frozen=True)
class Practice:
    """Practice details; every text field is ``""`` when unknown."""

    name: str = ""
    address_lines: tuple[str, ...] = field(default_factory=tuple)
    phone: str = ""
    fax: str = ""
    email: str = ""
    npi: str = ""
    tin: str = ""
    signer_name: str = ""
    signer_title: str = ""
    # the office's claim form when the data does not say (no type of bill, claim form
    # column, 835 claim field or revenue code): "professional", "institutional" or ""
    claim_type: str = ""
    source: str = ""  # the file it came from, "" when none

    def missing(self) -> list[str]:
        """Names of the letter fields still empty (for a run summary)."""
        return [
            f.name
            for f in fields(self)
            if f.name not in ("source", "claim_type") and not getattr(self, f.name)
        ]


def _text(value: Any, path: Path, key: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ConfigError(
            "expected text", file=path, column=key, value=value,
            fix=f'write {key} in quotes, e.g. {key} = "..."',
        )
    return str(value).strip()


def _address(value: Any, path: Path) -> tuple[str, ...]:
    if isinstance(value, str):
        lines = value.splitlines()
    elif isinstance(value, list) and all(isinstance(v, str) for v in value):
        lines = value
    else:
        raise ConfigError(
            "expected a list of address lines", file=path, column="practice.address",
            fix='write address = ["100 Sample Way", "Springfield, ST 00000"]',
        )
    return tuple(line.strip() for line in lines if line.strip())


def _table(data: dict[str, Any], name: str, allowed: tuple[str, ...], path: Path) -> dict:
    table = data.get(name, {})
    if not isinstance(table, dict):
        raise ConfigError(f"[{name}] must be a table", file=path, fix=_FIX)
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ConfigError(
            f"unknown key {name}.{unknown[0]}", file=path,
            fix=f"use only {', '.join(allowed)} under [{name}]",
        )
    return table


def _claim_type(value: str, path: Path) -> str:
    kind = value.lower()
    if kind not in ("", *CLAIM_TYPES):
        raise ConfigError(
            "unknown claim type", file=path, column="practice.claim_type", value=value,
            fix='write claim_type = "professional" (CMS-1500 / 837P) or "institutional" '
                '(UB-04 / 837I), or leave it out',
        )
    return kind


def load_practice(path: str | Path | None = None) -> Practice:
    """Read practice.toml; ``None`` gives a Practice whose fields are all placeholders."""
    if path is None:
        return Practice()
    path = Path(path)
    require_regular_file(path, error=ConfigError, what="the practice file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("file not found", file=path, fix="check the --practice path") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the file ({exc.strerror})", file=path) from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", file=path, fix="save practice.toml as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        found = _AT_LINE.search(str(exc))
        raise ConfigError(
            f"not valid TOML ({str(exc).split(' (at ')[0]})",
            file=path,
            row=int(found.group(1)) if found else None,
            fix='check quotes and brackets on that line; text values need quotes: name = "..."',
        ) from None
    unknown = sorted(set(data) - {"practice", "signer"})
    if unknown:
        raise ConfigError(
            f"unknown section or key {unknown[0]!r}", file=path,
            fix="put the details under [practice] and [signer]",
        )
    practice = _table(data, "practice", _PRACTICE_KEYS, path)
    signer = _table(data, "signer", _SIGNER_KEYS, path)
    values = {
        key: _text(practice[key], path, f"practice.{key}")
        for key in _PRACTICE_KEYS
        if key in practice and key != "address"
    }
    values["signer_name"] = _text(signer.get("name", ""), path, "signer.name")
    values["signer_title"] = _text(signer.get("title", ""), path, "signer.title")
    values = {k: "" if _SAMPLE.get(k) == v else v for k, v in values.items()}
    values["claim_type"] = _claim_type(values.get("claim_type", ""), path)
    address = _address(practice.get("address", []), path)
    return Practice(
        address_lines=() if address == _SAMPLE_ADDRESS else address,
        source=str(path),
        **values,
    )
