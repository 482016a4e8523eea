"""The biller's page: ``appeals serve`` puts a local web page and a JSON API over the library.

Runs go into private folders under a data folder; the page drops exports in, shows the work
queue, previews and regenerates a claim's documents, tracks submissions and keeps the
office's settings. Nothing is loaded from the internet and nothing leaves the machine.
"""

from __future__ import annotations

from appeals.web.app import create_app

__all__ = ["create_app"]
