"""Where the editable and packaged data live. The only module that knows paths.

Editable files (``denial_map.csv``, ``templates/``) sit at the checkout's top level so an
office can change them; an installed wheel carries copies under ``appeals/_bundled``.
The packaged copy wins, then the checkout; callers pass an explicit path to override both.
Reference data users rarely edit sits in ``appeals/data`` and is read with every value as
text so codes such as ``NA``, ``0450`` or ``011`` stay literal.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd

from appeals.errors import ConfigError

_PACKAGE = "appeals"


def _checkout_root() -> Path:
    return Path(__file__).resolve().parent.parent


def editable_path(name: str) -> Path:
    """Path of a top-level editable resource (``denial_map.csv`` or ``templates``)."""
    bundled = resources.files(_PACKAGE) / "_bundled" / name
    if bundled.is_file() or bundled.is_dir():
        return Path(str(bundled))
    local = _checkout_root() / name
    if local.exists():
        return local
    raise ConfigError(
        f"cannot find the packaged {name}",
        fix="reinstall appeals, or pass the path explicitly (--denial-map / --templates)",
    )


def denial_map_path(override: str | Path | None = None) -> Path:
    return Path(override) if override else editable_path("denial_map.csv")


def templates_dir(override: str | Path | None = None) -> Path:
    return Path(override) if override else editable_path("templates")


def data_path(name: str) -> Path:
    """Path of a packaged reference file under ``appeals/data``."""
    return Path(str(resources.files(_PACKAGE) / "data" / name))


def web_path(name: str) -> Path:
    """Path of the web page's packaged templates or static files (``appeals/web/<name>``)."""
    return Path(str(resources.files(_PACKAGE) / "web" / name))


def read_data_csv(name: str) -> pd.DataFrame:
    """Read a packaged reference CSV with every cell as literal text."""
    return read_text_csv(data_path(name))


def read_text_csv(path: str | Path) -> pd.DataFrame:
    """Read a small configuration CSV with every cell as literal text ("" when blank)."""
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise ConfigError("file not found", file=path, fix="check the path") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"not a readable CSV ({exc})", file=path, fix="save it as UTF-8 CSV"
        ) from exc


def ledger_migrations_dir() -> Path:
    """The Alembic scripts that build and upgrade a denial ledger (shipped in the package)."""
    return Path(str(resources.files(_PACKAGE) / "ledger" / "migrations"))
