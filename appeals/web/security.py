"""The door: token, cookie, CSRF, allowed hosts, security headers and a patient-free log.

Every request needs the server's random token: once as ``?token=`` (answered with an
HttpOnly, SameSite=Strict cookie and a redirect that drops it from the address bar), then
the cookie, or ``Authorization: Bearer`` for scripts. A change made with the cookie also
needs the page's CSRF token in ``X-CSRF-Token`` and, when the browser sends one, a
same-origin ``Origin``: a page elsewhere cannot make the biller's browser change anything.
The Host header must name this server, so a DNS-rebinding page cannot reach it either.
The log line names the route pattern and status, never a claim, a patient or a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, urlencode

COOKIE = "appeals_token"
CSRF_HEADER = "x-csrf-token"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "object-src 'none'")
_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
]
_SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
log = logging.getLogger("appeals.web")

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_for(token: str) -> str:
    """The CSRF token the pages carry: derived, so it never reveals the access token."""
    return hmac.new(token.encode(), b"appeals-csrf", hashlib.sha256).hexdigest()


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


class Guard:
    """ASGI middleware in front of the whole app."""

    def __init__(self, app: Any, *, token: str, hosts: Iterable[str]) -> None:
        self.app = app
        self.token = token
        self.csrf = csrf_for(token)
        self.hosts = {h.lower() for h in hosts}
        self.starlette: Any = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status_seen: list[int] = []

        async def send_with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status_seen.append(message["status"])
                message["headers"] = list(message.get("headers", [])) + _HEADERS
            await send(message)

        refusal = self._check(scope)
        try:
            if refusal is not None:
                await self._respond(scope, send_with_headers, *refusal)
            else:
                await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # noqa: BLE001 - the log gets the kind, never the details
            # An exception's text may quote a cell; Starlette has already answered 500.
            log.error("%s %s failed: %s", scope["method"],
                      getattr(scope.get("endpoint"), "__name__", "-"),
                      type(exc).__name__)
            if not status_seen:
                await self._respond(scope, send_with_headers, 500,
                                    "Something went wrong on the server; nothing was changed.", [])
            return
        endpoint = scope.get("endpoint")
        where = getattr(endpoint, "__name__", "") or "-"
        log.info("%s %s %s", scope["method"], where, status_seen[0] if status_seen else "-")

    def _check(self, scope: Scope) -> tuple[int, str, list[tuple[bytes, bytes]]] | None:
        headers = _headers(scope)
        if headers.get("host", "").lower() not in self.hosts:
            return 400, "This server answers only at the address it printed when it started.", []
        query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
        given = query.get("token")
        if given is not None:
            if not hmac.compare_digest(given, self.token):
                return 401, "Wrong token: open the address `appeals serve` printed.", []
            rest = urlencode([(k, v) for k, v in query.items() if k != "token"])
            location = scope["path"] + (f"?{rest}" if rest else "")
            cookie = f"{COOKIE}={self.token}; HttpOnly; SameSite=Strict; Path=/"
            return 303, "", [(b"location", location.encode()), (b"set-cookie", cookie.encode())]
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            if hmac.compare_digest(auth[7:].strip(), self.token):
                return None  # a script's header is not sent by a browser on its own: no CSRF
            return 401, "Wrong token in the Authorization header.", []
        if not hmac.compare_digest(_cookie(headers.get("cookie", ""), COOKIE), self.token):
            return 401, ("Not signed in: open the address `appeals serve` printed "
                         "(it ends in ?token=...), or send Authorization: Bearer TOKEN."), []
        if scope["method"] not in _SAFE_METHODS:
            origin = headers.get("origin")
            if origin and origin.split("://", 1)[-1].lower() not in self.hosts:
                return 403, "Refused: the request came from another site.", []
            if not hmac.compare_digest(headers.get(CSRF_HEADER, ""), self.csrf):
                return 403, ("Refused: the page's security token is missing or old. "
                             "Reload the page and try again."), []
        return None

    @staticmethod
    async def _respond(scope: Scope, send: Send, status: int, message: str,
                       extra: list[tuple[bytes, bytes]]) -> None:
        if scope["path"].startswith("/api/"):
            body = json.dumps({"error": message}).encode()
            kind = b"application/json"
        else:
            body = message.encode()
            kind = b"text/plain; charset=utf-8"
        headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers + extra})
        await send({"type": "http.response.body", "body": body})
