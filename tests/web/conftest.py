"""Shared fixtures for the web tests: an app on a scratch data folder, a live server, a browser."""

from __future__ import annotations

import datetime as dt
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from appeals.web import create_app

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SAMPLE_FILES = ("denials_practicepro.xlsx", "denials_clearinghouse.csv", "remit_scig.835")
TOKEN = "test-token-not-secret"
TODAY = dt.date(2026, 4, 30)
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def sample_parts(*extra: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes]]]:
    parts = [("files", (name, (SAMPLES / name).read_bytes())) for name in SAMPLE_FILES]
    return parts + [("files", item) for item in extra]


@pytest.fixture(scope="session")
def token() -> str:
    return TOKEN


@pytest.fixture(scope="session")
def samples() -> tuple[Path, tuple[str, ...]]:
    return SAMPLES, SAMPLE_FILES


@pytest.fixture(scope="session")
def parts():
    return sample_parts


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def client(data_dir: Path) -> Iterator[TestClient]:
    app = create_app(data_dir, token=TOKEN, hosts=("testserver",), today=TODAY,
                     max_upload_mb=5)
    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, str]]:
    """One run of the three samples, shared by the read-only tests of a module."""
    app = create_app(tmp_path_factory.mktemp("data"), token=TOKEN, hosts=("testserver",),
                     today=TODAY)
    with TestClient(app) as c:
        r = c.post("/api/runs", files=sample_parts(), headers=AUTH)
        assert r.status_code == 200, r.text
        yield c, r.json()["run_id"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """uvicorn serving the app on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    app = create_app(tmp_path_factory.mktemp("live"), token=TOKEN, port=port, today=TODAY)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           access_log=False, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed at /usr/bin/chromium "
                    "(apt-get install -y chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_FLAGS, accept_downloads=True,
            viewport={"width": 1280, "height": 900},
        )
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)
