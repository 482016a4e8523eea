"""What each speed trick buys on its stage: the stage timed with the trick and without it.

    python bench/tricks.py                # every trick, median of 3 rounds
    python bench/tricks.py --repeat 5 distinct skeleton_cache

Each measurement is a fresh child of this checkout (``bench/against.py``'s stages and
sizes); "without" first switches the trick off with a small patch, then times the same
stage. With and without alternate per round, rotated; the ratio is the median of per-round
ratios (without / with). A trick earns its place at >= 1.3x; the comment beside it in the
code quotes this figure.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

import against

BENCH = Path(__file__).resolve().parent

# name -> (stage it speeds up, where it lives, the patch that switches it off)
TRICKS = {
    "distinct": ("load_csv", "readers/_distinct.py: parse distinct values, spread back",
                 "import appeals.readers._distinct as D; D.MAX_DISTINCT_SHARE = -1.0"),
    "arrow_csv": ("load_csv", "readers/delimited.py: Arrow's CSV reader, else csv module",
                  "import appeals.readers.delimited as S\n"
                  "def _off(*a):\n    raise ValueError('off')\n"
                  "S._read_arrow = _off"),
    "factorized_columns": ("classify", "classify/conditions.py: each column factorised once",
                           "import appeals.classify.conditions as C\n"
                           "C.Columns.factorized = lambda self, name: C.factorize("
                           "self.frame[name])"),
    "skeleton_cache": ("render", "render/wordml.py: each skeleton converted once",
                       "import appeals.render.wordml as W\n"
                       "class _Forget(dict):\n    def __setitem__(self, k, v):\n        pass\n"
                       "W._CACHE = _Forget()"),
    "unit_cache": ("render", "render/wordml.py: block pieces of skeletons converted once",
                   "import appeals.render.wordml as W\n"
                   "class _Forget(dict):\n    def __setitem__(self, k, v):\n        pass\n"
                   "W._UNITS = _Forget()"),
    "skeleton_caches": ("render", "render/wordml.py: skeletons and their block pieces, both",
                        "import appeals.render.wordml as W\n"
                        "class _Forget(dict):\n    def __setitem__(self, k, v):\n        pass\n"
                        "W._CACHE = _Forget()\nW._UNITS = _Forget()"),
    "money_plain": ("load_csv", "readers/amounts.py: plain amounts cast by Arrow in one call",
                    "import appeals.readers.amounts as A; A._PLAIN_NUMBER = r'(?!)'"),
    "arrow_direct": ("load_csv", "readers/delimited.py: Arrow's reader called directly, not "
                     "through pandas.read_csv(engine='pyarrow')",
                     "import io\nimport pandas as pd\nimport appeals.readers.delimited as S\n"
                     "def _plain(body, delimiter, width):\n"
                     "    f = pd.read_csv(io.BytesIO(body.utf8().to_pybytes()), sep=delimiter,"
                     " header=None, dtype=str, keep_default_na=False, engine='pyarrow')\n"
                     "    if f.shape[1] != width:\n        raise ValueError('width')\n"
                     "    f.columns = range(width)\n    return f\n"
                     "S._read_arrow = _plain"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", choices=[[], *TRICKS], default=[])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke run")
    args = parser.parse_args(argv)
    names = args.names or list(TRICKS)
    sizes = against.QUICK if args.quick else against.SIZES
    data = BENCH / "data" / ("against_quick" if args.quick else "against")
    data.mkdir(parents=True, exist_ok=True)
    inputs = against._inputs(data, sizes)
    kinds = {s[0]: s[2] for s in against.STAGES}
    root = BENCH.parent
    print(f"speed tricks, each stage with and without: median of {args.repeat} round(s); "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}", flush=True)
    print(f"  {'trick':<19} {'stage':<9} {'with s':>8} {'without s':>9} {'buys':>6}  where",
          flush=True)
    for name in names:
        stage, where, patch = TRICKS[name]
        runs: dict[str, list[float]] = {"with": [], "without": []}
        for r in range(args.repeat):
            for how in (["with", "without"] if r % 2 == 0 else ["without", "with"]):
                runs[how].append(_child(root, stage, inputs[kinds[stage]],
                                        patch if how == "without" else ""))
        buys = statistics.median(b / a for a, b in zip(runs["with"], runs["without"],
                                                       strict=True))
        print(f"  {name:<19} {stage:<9} {statistics.median(runs['with']):8.3f} "
              f"{statistics.median(runs['without']):9.3f} {buys:5.2f}x  {where}", flush=True)
    return 0


def _child(root: Path, stage: str, path: str, patch: str) -> float:
    env = dict(os.environ, PYTHONPATH=f"{root}{os.pathsep}{root / 'bench'}")
    done = subprocess.run([sys.executable, str(BENCH / "against.py"), "--against-child",
                           str(root), stage, json.dumps({"path": path, "patch": patch})],
                          capture_output=True, text=True, cwd=root, env=env)
    if done.returncode:
        raise RuntimeError(f"{stage} failed:\n{done.stderr[-3000:]}")
    return float(json.loads(done.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    sys.exit(main())
