"""Exit codes under parallel load: `python -m appeals classify` on a bad file, many times.

    python bench/stress_exit.py                 # 300 runs, 8 at a time
    python bench/stress_exit.py --runs 50 --parallel 4

Issue #12 item 15: such runs exited 134 (SIGABRT, "terminate called without an active
exception") instead of 1. A core dump of one (ulimit -c unlimited; gdb "thread apply all bt")
shows the aborting thread is an Arrow thread-pool worker running the last callback of the CSV
reader (arrow::csv AsyncThreadedTableReader): dropping the reader frees its BufferReader over
a ``pa.py_buffer`` of Python bytes, ``~PyBuffer`` calls ``PyGILState_Ensure``, and because the
main thread is already in ``Py_FinalizeEx`` CPython 3.11 calls ``pthread_exit`` on it; the
forced unwind through a ``noexcept`` C++ frame ends in ``std::terminate``.

Measured on 2 CPUs, 300 runs, 8 at a time (the box also busy with other jobs):
  before (1e9707e^, normal finalisation)               6/300 and 3/300 exit 134 (1.5 %)
  same code, Arrow given an Arrow-owned copy (no PyBuffer)                      0/300
  now (appeals.cli:entry leaves with os._exit)                  0/300 and 0/300
Prints the count of each exit code; any code other than 1 is a failure (exit 1).
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# A file every reader path touches (pyarrow CSV, compute kernels), then rejects whole.
BAD = "Ticket,CPT,Adj Reason\nA-1,96369,CO-119\n"


def one(path: Path) -> tuple[int, str]:
    done = subprocess.run([sys.executable, "-m", "appeals", "classify", str(path)],
                          capture_output=True, text=True, timeout=300)
    return done.returncode, done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bad.csv"
        path.write_text(BAD, encoding="utf-8")
        start = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as pool:
            results = list(pool.map(one, [path] * args.runs))
        seconds = time.perf_counter() - start
    codes = collections.Counter(code for code, _ in results)
    print(f"{args.runs} runs, {args.parallel} at a time, {seconds:.1f} s")
    for code, n in sorted(codes.items()):
        print(f"  exit {code}: {n} ({100 * n / args.runs:.1f}%)")
    odd = [last for code, last in results if code != 1]
    for last in odd[:5]:
        print(f"  unexpected: {last}")
    return 0 if set(codes) == {1} else 1


if __name__ == "__main__":
    sys.exit(main())
