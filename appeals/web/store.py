"""Where the page keeps its runs: one private folder per run under the data folder.

    <data>/runs/<run_id>/uploads/      the files as dropped (0700, files 0600)
                        out/           letters/, worksheets/, summary.xlsx, manifest.json
                        lines.parquet  the classified lines (the queue and re-rendering)
                        documents.parquet, rejected.parquet, run.json, fills.json, track.json
    <data>/office/                     practice.toml, payers.json, payers.csv (settings)

A run's frames are read once and kept for the few runs looked at last.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import re
import secrets
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from appeals.web import work
from appeals.web.queue import QueueFrame

_RUN_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{6}$")
_CACHED_RUNS = 4


class RunNotFound(LookupError):
    """No such run (a stale link, a deleted folder, a mistyped id)."""


@dataclass
class Progress:
    stage: str = "reading"  # reading, writing, saving, done, failed
    total: int = 0
    done: int = 0
    message: str = ""
    bad_files: list[tuple[str, str]] = field(default_factory=list)  # (name, message)
    finished: threading.Event = field(default_factory=threading.Event)
    result: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "total": self.total, "done": self.done,
                "message": self.message,
                "bad_files": [{"name": n, "error": e} for n, e in self.bad_files]}


@dataclass
class RunData:
    run_id: str
    folder: Path
    info: dict[str, Any]
    lines: pd.DataFrame
    documents: pd.DataFrame
    queue: QueueFrame


def private_dir(path: Path) -> Path:
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(path, 0o700)
    return path


class RunStore:
    """Runs on disk, jobs in flight, and the last runs read."""

    def __init__(self, root: Path, *, workers: int = 1, ledger: str | None = None,
                 on_done: Callable[[], None] | None = None) -> None:
        self.root = private_dir(Path(root))
        self.runs = private_dir(self.root / "runs")
        self.office = private_dir(self.root / "office")
        self.workers = workers
        self.ledger = ledger
        self.on_done = on_done
        self.jobs: dict[str, Progress] = {}
        self._cache: OrderedDict[str, RunData] = OrderedDict()
        self._lock = threading.Lock()
        # A fresh, single-threaded process forks the children: forking this threaded
        # server directly could copy a lock another thread holds.
        methods = multiprocessing.get_all_start_methods()
        self._mp = multiprocessing.get_context("forkserver" if "forkserver" in methods
                                               else "spawn")
        if "forkserver" in methods:
            self._mp.set_forkserver_preload(["appeals.web.work", "appeals.jobs.run"])

    def new_run(self) -> tuple[str, Path]:
        now = dt.datetime.now()
        run_id = f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"
        return run_id, private_dir(self.runs / run_id)

    def folder(self, run_id: str) -> Path:
        path = self.runs / run_id
        if not _RUN_ID.match(run_id) or not path.is_dir():
            raise RunNotFound(run_id)
        return path

    def discard(self, run_id: str) -> None:
        shutil.rmtree(self.runs / run_id, ignore_errors=True)
        with self._lock:
            self._cache.pop(run_id, None)

    def list_runs(self) -> list[dict[str, Any]]:
        out = []
        for path in sorted(self.runs.iterdir(), reverse=True):
            info_path = path / work.RUN_JSON
            if _RUN_ID.match(path.name) and info_path.is_file():
                info = work.read_json(info_path)
                out.append({"run_id": path.name, **info})
        return out

    # -- jobs --------------------------------------------------------------------------

    def start(self, run_id: str, files: list[tuple[str, Path]], *, today: dt.date,
              practice: Path | None, payers: Path | None) -> Progress:
        spec = {
            "run_dir": str(self.folder(run_id)),
            "files": [(name, str(path)) for name, path in files],
            "today": today.isoformat(), "workers": self.workers,
            "practice": str(practice) if practice else None,
            "payers": str(payers) if payers else None,
            "ledger": self.ledger,
        }
        progress = self.jobs[run_id] = Progress()
        threading.Thread(target=self._watch, args=(run_id, spec, progress), daemon=True).start()
        return progress

    def _watch(self, run_id: str, spec: dict[str, Any], progress: Progress) -> None:
        parent, child = self._mp.Pipe(duplex=False)
        # Not a daemon: the run forks its own document writers, which daemons may not.
        process = self._mp.Process(  # type: ignore[attr-defined]  # every concrete context has it
            target=work.child_main, args=(spec, child), daemon=False)
        process.start()
        child.close()
        try:
            while True:
                try:
                    kind, value = parent.recv()
                except EOFError:
                    progress.stage, progress.message = "failed", (
                        "the run stopped unexpectedly (out of memory?); nothing was kept")
                    break
                if self._apply(progress, kind, value):
                    break
        finally:
            if progress.stage == "done" and not (self.runs / run_id / work.RUN_JSON).is_file():
                progress.stage = "failed"
            if self.on_done is not None:
                self.on_done()  # the ledger has new lines: states read again
            progress.finished.set()
            process.join()  # the child may still be writing the workbook

    @staticmethod
    def _apply(progress: Progress, kind: str, value: Any) -> bool:
        """Update progress from one message; True when the job is over."""
        if kind == "total":
            progress.stage, progress.total = "writing", int(value)
        elif kind == "step":
            progress.done += int(value)
        elif kind == "stage":
            progress.stage = value
        elif kind == "file_error":
            progress.bad_files.append((str(value[0]), str(value[1])))
        elif kind == "done":
            progress.stage = "done" if value.get("ok") else "failed"
            progress.message = "" if value.get("ok") else "None of the files could be read; nothing was kept."
            progress.result = value
            return True
        elif kind == "failed":
            progress.stage, progress.message = "failed", str(value)
            return True
        return False

    # -- reading a finished run --------------------------------------------------------

    def load(self, run_id: str) -> RunData:
        with self._lock:
            data = self._cache.get(run_id)
            if data is not None:
                self._cache.move_to_end(run_id)
                return data
        folder = self.folder(run_id)
        if not (folder / work.LINES).is_file():
            raise RunNotFound(run_id)
        info = work.read_json(folder / work.RUN_JSON)
        lines = work.load_lines(folder / work.LINES)
        documents = pd.read_parquet(folder / work.DOCUMENTS)
        data = RunData(run_id, folder, info, lines, documents,
                       QueueFrame.build(lines, documents, dt.date.fromisoformat(info["today"])))
        with self._lock:
            self._cache[run_id] = data
            while len(self._cache) > _CACHED_RUNS:
                self._cache.popitem(last=False)
        return data
