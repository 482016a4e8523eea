"""appeals serve: the local web page a biller works in (drop exports, work the queue)."""

from __future__ import annotations

import logging
import os
import threading
import webbrowser

import click

from appeals.cli import _options as opt
from appeals.cli._common import reports_errors

LOOPBACK = "127.0.0.1"


@click.command("serve")
@click.option("--port", type=click.IntRange(1, 65535), default=8765, show_default=True,
              help="Port to listen on.")
@click.option("--host", default=LOOPBACK, show_default=True,
              help="Address to listen on. Anything but 127.0.0.1 lets other machines try "
                   "to connect: only on a network you trust.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False),
              help="Folder for runs and settings (default: ~/.local/share/appeals/web).")
@click.option("--max-upload-mb", type=click.IntRange(1, 10_000), default=200, show_default=True,
              help="Largest upload accepted at once.")
@opt.ledger
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Date for letters and days-left (default: today).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that write documents (default: all cores).")
@reports_errors
def command(port, host, data_dir, max_upload_mb, ledger, no_browser, today, workers):
    """Start the web page on this computer and print the address to open.

    \b
    Examples:
      appeals serve
      appeals serve --port 9000 --no-browser
      appeals serve --ledger office.sqlite
    """
    # The web stack (Starlette, uvicorn) loads only for `serve`: the other commands start faster.
    import uvicorn

    from appeals.web import create_app

    hosts = (LOOPBACK, "localhost") if host == LOOPBACK else (host, LOOPBACK, "localhost")
    if host != LOOPBACK:
        click.echo(f"Warning: listening on {host}, not only on this computer. Anyone who can "
                   "reach it still needs the token, but keep it to a network you trust.",
                   err=True)
    app = create_app(data_dir, hosts=hosts, port=port, max_upload_mb=max_upload_mb,
                     today=today.date() if today else None,
                     workers=workers or (os.cpu_count() or 1), ledger=ledger)
    shown = LOOPBACK if host in (LOOPBACK, "0.0.0.0", "::") else host
    url = f"http://{shown}:{port}/?token={app.token}"
    click.echo(f"Open {url}")
    click.echo("Press Ctrl-C to stop.", err=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if not no_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    # uvicorn's access log prints query strings (the token); our guard logs routes instead.
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")

