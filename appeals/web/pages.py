"""The HTML pages. Lists, filters, sorting and paging are plain links and GET forms served
from the server, so the queue works from the keyboard and without waiting for scripts;
``static/app.js`` adds the drop zone, the progress bar and the forms that save changes."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from appeals.web import claims, office
from appeals.web.queue import FILTERS
from appeals.web.security import csrf_for
from appeals.web.store import RunNotFound

COLUMNS = (  # (sort key or "", header)
    ("deadline", "Deadline"), ("claim_id", "Claim"), ("procedure_code", "Code"),
    ("status", "Status"), ("pattern", "Pattern"), ("route", "Route"), ("payer", "Payer"),
    ("at_stake", "At stake"), ("", "Blanks"), ("", "State"),
)

# Blanks the Settings page fills for every letter (practice.toml and the payer table).
OFFICE_BLANKS = (
    "practice name", "practice address", "practice phone", "practice fax", "practice email",
    "practice NPI", "practice TIN", "signer name", "signer title", "contact name",
    "payer appeal address", "LCD number", "payer policy number",
)


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    templates = request.app.state.templates
    context.setdefault("csrf", csrf_for(request.app.state.token))
    return templates.TemplateResponse(request, name, context, status_code=status)


def home(request: Request) -> Response:
    store = request.app.state.store
    return render(request, "home.html", runs=store.list_runs()[:20],
                  max_mb=request.app.state.max_upload // 1_000_000)


def run_page(request: Request) -> Response:
    store = request.app.state.store
    job = store.jobs.get(request.path_params["run_id"])
    if job is not None and not job.finished.is_set():
        return render(request, "working.html", progress=job.as_dict())
    data = store.load(request.path_params["run_id"])
    params = dict(request.query_params)
    tracker = request.app.state.tracker
    page = data.queue.page(params, tracker.states(data.folder), tracker.key)
    rejected = claims.rejected_rows(data, limit=50)

    def link(**changes: Any) -> str:
        merged = {**params, **{k: str(v) for k, v in changes.items()}}
        return "?" + urlencode({k: v for k, v in merged.items() if v})

    def sort_link(key: str) -> str:
        order = "desc" if page["sort"] == key and page["order"] == "asc" else "asc"
        return link(sort=key, order=order, page=1)

    columns = [c for c in COLUMNS if c[0] != "route" or page["has_route"]]
    return render(request, "run.html", data=data, info=data.info, page=page, params=params,
                  facets=data.queue.facets, columns=columns, link=link, sort_link=sort_link,
                  rejected=rejected, states=tracker.states_listed, filters=FILTERS)


def claim_page(request: Request) -> Response:
    store = request.app.state.store
    data = store.load(request.path_params["run_id"])
    claim = request.path_params["claim"]
    tracker = request.app.state.tracker
    sub = claims.claim_frame(data, claim)
    claim_id = str(sub["claim_id"].iloc[0])
    payer_key = str(sub["payer"].iloc[0]) if "payer" in sub.columns else ""
    return render(
        request, "claim.html", data=data, claim_id=claim_id, claim=claim,
        lines=claims.line_rows(sub),
        corrections=claims.corrections(sub), summary=claims.claim_summary(sub, data),
        preview=claims.preview(store, data, claim),
        docs=claims.claim_documents(data, claim),
        track=tracker.read(data.folder, claim if tracker.key == "claim" else claim_id),
        ledger=tracker.ledger,
        how=tracker.how, outcomes=tracker.outcomes, today=request.app.state.today().isoformat(),
        office_names=OFFICE_BLANKS,
        portal=office.read_payer_settings(store.office).get(payer_key, {}).get("portal", ""),
    )


def settings_page(request: Request) -> Response:
    folder = request.app.state.store.office
    return render(request, "settings.html",
                  practice=office.practice_form(office.read_practice(folder)),
                  payers=office.read_payer_settings(folder), payer_keys=office.payer_keys())


async def page_not_found(request: Request, exc: Exception) -> Response:
    if isinstance(exc, RunNotFound):
        text = (f"There is no run {str(exc)!r} here: it may have been deleted, or the link "
                "is old.")
    else:
        text = f"There is no claim {exc.args[0]!r} in this run."
    return render(request, "error.html", status=404, message=text)


ROUTES = [
    Route("/", home),
    Route("/runs/{run_id}", run_page),
    Route("/runs/{run_id}/claims/{claim:path}", claim_page),  # a claim id may hold "/"
    Route("/settings", settings_page),
]
