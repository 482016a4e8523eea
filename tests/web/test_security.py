"""The door: token, cookie, CSRF, hosts, headers, a patient-free log, and `appeals serve`."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from starlette.testclient import TestClient

from appeals.web import create_app
from appeals.web.security import CSP, csrf_for


def test_no_token_wrong_token_and_wrong_bearer_are_401(client):
    assert client.get("/").status_code == 401
    assert client.get("/api/runs").json()["error"].startswith("Not signed in")
    assert client.get("/?token=nope", follow_redirects=False).status_code == 401
    r = client.get("/api/runs", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401 and "Wrong token" in r.json()["error"]


def test_token_link_sets_a_strict_httponly_cookie_and_drops_the_token(client, token):
    r = client.get(f"/runs/x?token={token}&a=1", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/runs/x?a=1"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/").status_code == 200  # the cookie now signs the browser in


def test_changes_with_the_cookie_need_the_csrf_token_and_same_origin(client, token):
    client.get(f"/?token={token}")
    url = "/api/settings/practice"
    refused = client.post(url, json={"name": "X"})
    assert refused.status_code == 403 and "security token" in refused.json()["error"]
    header = {"X-CSRF-Token": csrf_for(token)}
    other = client.post(url, json={"name": "X"}, headers={**header, "Origin": "http://evil.test"})
    assert other.status_code == 403 and "another site" in other.json()["error"]
    assert client.post(url, json={"name": "X"}, headers=header).status_code == 200
    upload = client.post("/api/runs", files=[("files", ("a.csv", b"x"))])
    assert upload.status_code == 403


def test_another_host_name_is_refused(data_dir, token):
    app = create_app(data_dir, token=token, hosts=("127.0.0.1",), port=8765)
    with TestClient(app, base_url="http://127.0.0.1:8765") as ok:
        assert ok.get("/api/runs", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with TestClient(app, base_url="http://rebound.example:8765") as bad:
        r = bad.get("/api/runs", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 400


def test_every_answer_carries_the_security_headers(client, token):
    for r in (client.get("/"), client.get("/static/app.js", headers={"Authorization": f"Bearer {token}"})):
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in CSP and "http" not in CSP


def test_pages_load_nothing_from_elsewhere(client, token):
    client.get(f"/?token={token}")
    for path in ("/", "/settings"):
        html = client.get(path).text
        assert not re.search(r"""(src|href)=["'](https?:)?//""", html), path


def test_the_server_log_names_routes_not_patients(client, parts, token, caplog):
    caplog.set_level(logging.INFO, logger="appeals.web")
    headers = {"Authorization": f"Bearer {token}"}
    run_id = client.post("/api/runs", files=parts(), headers=headers).json()["run_id"]
    client.get(f"/runs/{run_id}/claims/PP-3002", headers=headers)
    client.get(f"/api/runs/{run_id}/queue?q=PP-3002", headers=headers)
    text = caplog.text
    assert "GET claim_page 200" in text and "POST create_run 200" in text
    for private in ("Testpatient", "ZZT000", token, "PP-3002", run_id):
        assert private not in text


@pytest.mark.slow
def test_appeals_serve_prints_the_address_and_answers_only_with_the_token(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    with __import__("socket").socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "appeals", "serve", "--no-browser", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline().strip()
        assert re.fullmatch(rf"Open http://127\.0\.0\.1:{port}/\?token=[\w-]{{30,}}", line), line
        url = line.removeprefix("Open ")
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        for _ in range(100):
            try:
                with browser.open(url) as answer:
                    assert answer.status == 200
                    assert b"Drop denial exports" in answer.read()
                break
            except urllib.error.URLError as exc:
                if getattr(exc, "code", None):
                    raise
                time.sleep(0.1)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/")
        assert refused.value.code == 401
        assert (tmp_path / "appeals" / "web").stat().st_mode & 0o777 == 0o700
    finally:
        proc.terminate()
        proc.wait(10)
