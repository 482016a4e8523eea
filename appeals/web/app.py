"""The ASGI application: pages, API and static files behind one guard."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from appeals.errors import AppealsError
from appeals.resources import web_path
from appeals.web import api, pages
from appeals.web.security import Guard, new_token
from appeals.web.store import RunNotFound, RunStore
from appeals.web.trackers import make_tracker

DEFAULT_MAX_UPLOAD_MB = 200


def default_data_dir() -> Path:
    """Where runs are kept unless ``--data`` says: the user's own data folder."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "appeals" / "web"


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _dispatch(api_handler: Any, page_handler: Any) -> Any:
    async def handler(request: Request, exc: Exception) -> Response:
        if _is_api(request) or page_handler is None:
            return await api_handler(request, exc)
        return await page_handler(request, exc)
    return handler


async def _no_route(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return api.error("no such address in the API (see README: Use it in the browser)", 404)
    return pages.render(request, "error.html", status=404,
                        message="There is no page at this address.")


async def _page_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppealsError)
    return pages.render(request, "error.html", status=422, message=exc.describe())


def create_app(
    data_dir: str | Path | None = None,
    *,
    token: str | None = None,
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
    port: int | None = None,
    max_upload_mb: int = DEFAULT_MAX_UPLOAD_MB,
    today: dt.date | None = None,
    workers: int = 1,
    ledger: str | None = None,
) -> Guard:
    """The app, wrapped in its guard; ``app.token`` is the token to open it with.

    ``hosts`` are the names the Host header may carry (with ``port`` appended when given).
    ``ledger`` (a path or URL) records every run in the office's denial ledger and keeps
    Track's marks there.
    """
    token = token or new_token()
    app = Starlette(
        routes=[*pages.ROUTES, *api.ROUTES,
                Mount("/static", StaticFiles(directory=str(web_path("static"))), name="static")],
        exception_handlers={
            404: _no_route,
            RunNotFound: _dispatch(api.on_not_found, pages.page_not_found),
            KeyError: _dispatch(api.on_not_found, pages.page_not_found),
            AppealsError: _dispatch(api.on_app_error, _page_app_error),
            api.BadRequest: _dispatch(api.on_bad_request, None),
        },
    )
    app.state.tracker = make_tracker(ledger)
    app.state.store = RunStore(Path(data_dir) if data_dir else default_data_dir(),
                               workers=workers, ledger=ledger,
                               on_done=app.state.tracker.changed)
    app.state.token = token
    app.state.max_upload = max_upload_mb * 1_000_000
    app.state.today = api.today_factory(today)
    app.state.templates = Jinja2Templates(directory=str(web_path("pages")))
    allowed = set(hosts) | ({f"{h}:{port}" for h in hosts} if port else set())
    guard = Guard(app, token=token, hosts=allowed)
    guard.starlette = app
    return guard
