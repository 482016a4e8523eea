"""The office's settings from the page: practice details and per-payer letter details.

The practice's details are written as ``practice.toml`` (the same file ``--practice``
reads) and checked by reading it back with the library's loader. Per payer, the appeal
address and policy (LCD) number go into a copy of the payer table that every later run
and every regenerated letter use; the portal is kept for the claim page. A value the office
did not enter stays a visible placeholder in the letters.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from appeals.resources import data_path, read_text_csv
from appeals.rules.payers import load_payer_rules
from appeals.rules.practice import Practice, load_practice
from appeals.web.work import write_json

PRACTICE = "practice.toml"
PAYERS_JSON = "payers.json"
PAYERS_CSV = "payers.csv"
PRACTICE_FIELDS = ("name", "phone", "fax", "email", "npi", "tin")
PAYER_FIELDS = ("appeal_address", "lcd", "portal")
_LIMIT = 500


def _toml_string(value: str) -> str:
    # JSON's string escapes are valid TOML basic-string escapes.
    return json.dumps(value, ensure_ascii=False)


def practice_path(office: Path) -> Path | None:
    path = office / PRACTICE
    return path if path.is_file() else None


def read_practice(office: Path) -> Practice:
    return load_practice(practice_path(office))


def save_practice(office: Path, form: dict[str, str]) -> Practice:
    """Write practice.toml from the form and read it back (the loader validates it)."""
    values = {k: form.get(k, "").strip()[:_LIMIT] for k in PRACTICE_FIELDS}
    address = [ln.strip() for ln in form.get("address", "").splitlines() if ln.strip()][:6]
    lines = ["# Written by the appeals web page (Settings).", "", "[practice]"]
    lines += [f"{k} = {_toml_string(v)}" for k, v in values.items() if v]
    if address:
        lines.append("address = [" + ", ".join(_toml_string(a) for a in address) + "]")
    lines += ["", "[signer]"]
    for key in ("name", "title"):
        value = form.get(f"signer_{key}", "").strip()[:_LIMIT]
        if value:
            lines.append(f"{key} = {_toml_string(value)}")
    tmp = office / f".{PRACTICE}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    try:
        practice = load_practice(tmp)
    except Exception:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, office / PRACTICE)
    return practice


def read_payer_settings(office: Path) -> dict[str, dict[str, str]]:
    path = office / PAYERS_JSON
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def payer_keys() -> list[tuple[str, str]]:
    """(key, display name) of every payer in the packaged table."""
    rules = load_payer_rules()
    return [(key, rule.display_name) for key, rule in rules.rules.items()]


def save_payer_settings(office: Path, form: dict[str, str]) -> dict[str, dict[str, str]]:
    """Form fields ``<key>.<field>`` → payers.json, and the payer table the runs use."""
    settings: dict[str, dict[str, str]] = {}
    for key, _ in payer_keys():
        entry = {f: form.get(f"{key}.{f}", "").strip()[:_LIMIT] for f in PAYER_FIELDS}
        if any(entry.values()):
            settings[key] = entry
    table = read_text_csv(data_path("payers.csv"))
    for column in ("lcd", "appeal_address", "portal"):  # portal: the reopening script names it
        if column not in table.columns:
            table[column] = ""
    for key, entry in settings.items():
        rows = table["payer"].str.strip().str.lower() == key
        for column in ("lcd", "appeal_address", "portal"):  # portal: the reopening script names it
            if entry[column]:
                table.loc[rows, column] = entry[column]
    tmp = office / f".{PAYERS_CSV}.tmp"
    table.to_csv(tmp, index=False)
    load_payer_rules(tmp)  # the library must accept what we wrote
    os.replace(tmp, office / PAYERS_CSV)
    write_json(office / PAYERS_JSON, settings)
    return settings


def payers_path(office: Path) -> Path | None:
    path = office / PAYERS_CSV
    return path if path.is_file() else None


def practice_form(practice: Practice) -> dict[str, Any]:
    return {
        **{k: getattr(practice, k) for k in PRACTICE_FIELDS},
        "address": "\n".join(practice.address_lines),
        "signer_name": practice.signer_name, "signer_title": practice.signer_title,
    }
