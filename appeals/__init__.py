"""Classify SCIG infusion denials and write appeals, worksheets and a work queue.

The library surface: ``run`` (the main job), ``classify_files`` (load and classify),
``load_files`` (read only) and ``classify``. Imported lazily so that ``appeals --help``
and ``appeals --version`` do not pay for pandas.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

try:
    __version__ = version("appeals")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

_API = {
    "run": "appeals.jobs.run",
    "RunSummary": "appeals.jobs.run",
    "classify_files": "appeals.jobs.run",
    "load_files": "appeals.readers.loader",
    "classify": "appeals.classify.classifier",
    "AppealsError": "appeals.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name in _API:
        return getattr(import_module(_API[name]), name)
    raise AttributeError(f"module 'appeals' has no attribute {name!r}")
