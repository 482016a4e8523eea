"""The JSON API: what the page uses and what scripts call (with Authorization: Bearer)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from appeals.errors import AppealsError
from appeals.web import claims, office, track
from appeals.web.store import RunData, RunNotFound, RunStore
from appeals.web.trackers import Tracker
from appeals.web.uploads import UploadError, limit_message, receive_files

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESULT_KEYS = ("lines_read", "rows_rejected", "statuses", "letters", "worksheets",
               "placeholders", "patterns", "files")


def error(message: str, status: int, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, **extra}, status_code=status)


def stale(run_id: str) -> JSONResponse:
    return error(f"no run {run_id!r} here: it may have been deleted, or the link is old. "
                 "Open the start page to see the runs kept.", 404)


def store_of(request: Request) -> RunStore:
    return request.app.state.store


def tracker_of(request: Request) -> Tracker:
    return request.app.state.tracker


def run_data(request: Request) -> RunData:
    return store_of(request).load(request.path_params["run_id"])


async def create_run(request: Request) -> Response:
    """POST /api/runs: multipart field ``files``; ``?wait=0`` answers at once (202)."""
    state = request.app.state
    limit = state.max_upload
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > limit:
        return error(limit_message(limit), 413)
    store = state.store
    run_id, folder = store.new_run()
    try:
        received = await receive_files(request.headers.get("content-type", ""),
                                       request.stream(), folder / "uploads", limit=limit)
    except UploadError as exc:
        store.discard(run_id)
        return error(str(exc), exc.status)
    except Exception:
        store.discard(run_id)
        raise
    progress = store.start(run_id, received.files, today=state.today(),
                           practice=office.practice_path(store.office),
                           payers=office.payers_path(store.office))
    if request.query_params.get("wait") == "0":
        return JSONResponse({"run_id": run_id, "progress": f"/api/runs/{run_id}/progress"},
                            status_code=202)
    await run_in_threadpool(progress.finished.wait)
    return finished(store, run_id, progress)


def finished(store: RunStore, run_id: str, progress: Any) -> JSONResponse:
    if progress.stage != "done":
        files = progress.result.get("files") or [
            {"name": n, "error": e} for n, e in progress.bad_files]
        store.discard(run_id)  # nothing usable: nothing kept
        return error(progress.message or "the run failed", 422, files=files)
    return JSONResponse({"run_id": run_id, **{k: progress.result[k] for k in RESULT_KEYS}})


async def run_progress(request: Request) -> Response:
    run_id = request.path_params["run_id"]
    store = store_of(request)
    progress = store.jobs.get(run_id)
    if progress is None:
        try:
            store.folder(run_id)
        except RunNotFound:
            return stale(run_id)
        return JSONResponse({"stage": "done", "total": 0, "done": 0, "message": "",
                             "bad_files": []})
    body = progress.as_dict()
    if progress.finished.is_set() and progress.stage != "done":
        store.discard(run_id)
        body["files"] = progress.result.get("files") or body["bad_files"]
    return JSONResponse(body)


def list_runs(request: Request) -> Response:
    return JSONResponse({"runs": store_of(request).list_runs()})


def run_info(request: Request) -> Response:
    data = run_data(request)
    return JSONResponse({"run_id": data.run_id, **data.info})


def queue(request: Request) -> Response:
    data = run_data(request)
    tracker = tracker_of(request)
    page = data.queue.page(request.query_params, tracker.states(data.folder), tracker.key)
    return JSONResponse({"run_id": data.run_id, **page, "facets": data.queue.facets})


def claim_detail(request: Request) -> Response:
    data = run_data(request)
    claim = request.path_params["claim"]
    sub = claims.claim_frame(data, claim)
    claim_id = str(sub["claim_id"].iloc[0])
    preview = claims.preview(store_of(request), data, claim)
    return JSONResponse({
        "claim_id": claim_id, "claim": claim, "lines": claims.line_rows(sub),
        "files": claims.claim_documents(data, claim),
        "previews": preview["documents"],  # HTML of the letter and worksheet
        "placeholders": preview["placeholders"], "fills": preview["fills"],
        "track": tracker_of(request).read(data.folder, claim if tracker_of(request).key ==
                                          "claim" else claim_id),
    })


async def claim_fill(request: Request) -> Response:
    data = run_data(request)
    values = await _json_object(request)
    result = await run_in_threadpool(
        claims.fill, store_of(request), data, request.path_params["claim"], values)
    return JSONResponse(result)


async def claim_track(request: Request) -> Response:
    data = run_data(request)
    claim = request.path_params["claim"]
    sub = claims.claim_frame(data, claim)
    event = await _json_object(request)
    tracker = tracker_of(request)
    try:
        entry = await run_in_threadpool(
            tracker.record, data.folder,
            claim if tracker.key == "claim" else str(sub["claim_id"].iloc[0]), event)
    except track.TrackError as exc:
        return error(str(exc), 422)
    return JSONResponse(entry)


async def _json_object(request: Request) -> dict[str, str]:
    try:
        body = await request.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise BadRequest("send a JSON object of text values")
    return {str(k): v for k, v in body.items()}


class BadRequest(ValueError):
    pass


def document(request: Request) -> Response:
    data = run_data(request)
    kind, name = request.path_params["kind"], request.path_params["name"]
    column = {"letters": "letter", "worksheets": "worksheet"}.get(kind)
    relative = f"{kind}/{name}"
    if column is None or not (data.documents[column] == relative).any():
        return error(f"no document {relative!r} in this run", 404)
    return FileResponse(data.folder / "out" / relative, media_type=DOCX, filename=name)


def documents_zip(request: Request) -> Response:
    data = run_data(request)
    path = claims.documents_zip(data)
    return FileResponse(path, media_type="application/zip",
                        filename=f"appeals-{data.run_id}-documents.zip")


async def summary_xlsx(request: Request) -> Response:
    data = run_data(request)
    path = await run_in_threadpool(claims.workbook, data)
    return FileResponse(path, media_type=XLSX, filename=f"appeals-{data.run_id}-summary.xlsx")


def get_settings(request: Request) -> Response:
    folder = store_of(request).office
    return JSONResponse({
        "practice": office.practice_form(office.read_practice(folder)),
        "payers": office.read_payer_settings(folder),
        "payer_keys": [{"key": k, "name": n} for k, n in office.payer_keys()],
    })


async def save_practice(request: Request) -> Response:
    form = await _json_object(request)
    practice = office.save_practice(store_of(request).office, form)
    return JSONResponse({"practice": office.practice_form(practice),
                         "missing": practice.missing()})


async def save_payers(request: Request) -> Response:
    form = await _json_object(request)
    return JSONResponse({"payers": office.save_payer_settings(store_of(request).office, form)})


async def on_not_found(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RunNotFound):
        return stale(str(exc))
    return error(f"no claim {exc.args[0]!r} in this run", 404)


async def on_app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppealsError)
    return error(exc.describe(), 422)


async def on_bad_request(request: Request, exc: Exception) -> Response:
    return error(str(exc), 400)


ROUTES = [
    Route("/api/runs", create_run, methods=["POST"]),
    Route("/api/runs", list_runs, methods=["GET"]),
    Route("/api/runs/{run_id}", run_info),
    Route("/api/runs/{run_id}/progress", run_progress),
    Route("/api/runs/{run_id}/queue", queue),
    Route("/api/runs/{run_id}/documents.zip", documents_zip),
    Route("/api/runs/{run_id}/summary.xlsx", summary_xlsx),
    Route("/api/runs/{run_id}/files/{kind}/{name}", document),
    # ``:path``: a claim id may hold "/" (A/1001); the suffix routes still match at the end
    Route("/api/runs/{run_id}/claims/{claim:path}/fills", claim_fill, methods=["POST"]),
    Route("/api/runs/{run_id}/claims/{claim:path}/track", claim_track, methods=["POST"]),
    Route("/api/runs/{run_id}/claims/{claim:path}", claim_detail),
    Route("/api/settings", get_settings),
    Route("/api/settings/practice", save_practice, methods=["POST"]),
    Route("/api/settings/payers", save_payers, methods=["POST"]),
]
EXCEPTION_HANDLERS = {
    RunNotFound: on_not_found, KeyError: on_not_found, AppealsError: on_app_error,
    BadRequest: on_bad_request,
}


def today_factory(fixed: dt.date | None) -> Any:
    return (lambda: fixed) if fixed else dt.date.today
