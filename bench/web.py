"""The web page's speed: a big export uploaded through the API until its queue is served,
and a queue page of that run.

    python bench/web.py                 # 100,000-line CSV (generated once into bench/data/)
    python bench/web.py --lines 20000 --repeat 10
    python bench/web.py --quick         # 2,000 lines: a smoke run

Targets (issue 14): upload -> queue served <= 30 s for 100k lines; one queue page <= 200 ms.
A real uvicorn server on a loopback port, requests over HTTP with the Bearer token, so the
figures include the multipart parse, the child process, JSON and the socket.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # noqa: E402  (a sibling script)

UPLOAD_TARGET_S = 30.0
PAGE_TARGET_MS = 200.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(data_dir: Path, token: str, port: int):
    import uvicorn

    from appeals.web import create_app

    app = create_app(data_dir, token=token, port=port, workers=os.cpu_count() or 1)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           access_log=False, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return server


def _request(url: str, token: str, body: bytes | None = None,
             content_type: str | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method="POST" if body else "GET")
    request.add_header("Authorization", f"Bearer {token}")
    if content_type:
        request.add_header("Content-Type", content_type)
    with urllib.request.urlopen(request, timeout=600) as answer:
        return answer.status, answer.read()


def _multipart(path: Path) -> tuple[bytes, str]:
    boundary = secrets.token_hex(16)
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="{path.name}"\r\nContent-Type: text/csv\r\n\r\n').encode()
    return head + path.read_bytes() + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}")


def _timed_pages(base: str, token: str, run_id: str, repeat: int) -> dict[str, float]:
    queries = {
        "first page (deadline, overdue first)": "",
        "sorted by dollars at stake": "?sort=at_stake&order=desc",
        "filtered by pattern": "?pattern=units_over_cap",
        "all lines, last page": "?status=all&page=100000",
    }
    out = {}
    for label, query in queries.items():
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            status, _ = _request(f"{base}/api/runs/{run_id}/queue{query}", token)
            times.append((time.perf_counter() - start) * 1000)
            assert status == 200
        out[label] = statistics.median(times)
    times = []
    for _ in range(max(3, repeat // 4)):
        start = time.perf_counter()
        _request(f"{base}/runs/{run_id}", token)
        times.append((time.perf_counter() - start) * 1000)
    out["the run's HTML page (first queue page)"] = statistics.median(times)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="requests per queue figure")
    parser.add_argument("--quick", action="store_true", help="2,000 lines, 3 requests")
    parser.add_argument("--data-dir", type=Path, default=generate.DATA_DIR)
    args = parser.parse_args(argv)
    lines, repeat = (2_000, 3) if args.quick else (args.lines, args.repeat)
    began = time.perf_counter()
    export = generate.cached("csv", lines, data_dir=args.data_dir)
    body, content_type = _multipart(export)
    token, port = secrets.token_urlsafe(16), _free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="appeals-web-bench-") as scratch:
        server = _start(Path(scratch), token, port)
        try:
            start = time.perf_counter()
            status, answer = _request(f"{base}/api/runs", token, body, content_type)
            result = json.loads(answer)
            _, first = _request(f"{base}/api/runs/{result['run_id']}/queue", token)
            upload_s = time.perf_counter() - start
            assert status == 200 and json.loads(first)["total"] > 0
            pages = _timed_pages(base, token, result["run_id"], repeat)
            start = time.perf_counter()
            _request(f"{base}/api/runs/{result['run_id']}/summary.xlsx", token)
            workbook_s = time.perf_counter() - start
        finally:
            server.should_exit = True
    print(f"web bench: {lines:,}-line CSV ({len(body) / 1e6:.1f} MB), {os.cpu_count()} CPUs, "
          f"median of {repeat} requests per queue figure")
    print(f"  upload -> queue served   {upload_s:8.2f} s    target <= {UPLOAD_TARGET_S:.0f} s  "
          f"{'met' if upload_s <= UPLOAD_TARGET_S else 'MISSED'}  "
          f"({result['lines_read']:,} lines, {result['letters']:,} letters, "
          f"{result['worksheets']:,} worksheets)")
    for label, ms in pages.items():
        verdict = "met" if ms <= PAGE_TARGET_MS else "MISSED"
        print(f"  queue page: {label:<40} {ms:7.1f} ms  target <= {PAGE_TARGET_MS:.0f} ms  {verdict}")
    print(f"  workbook download        {workbook_s:8.2f} s    (the run's child writes "
          "summary.xlsx after the upload has answered; a download waits for it)")
    print(f"done in {time.perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
