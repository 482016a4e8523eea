"""Classify SCIG infusion denials and write appeals, worksheets and a work queue."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("appeals")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
