#!/usr/bin/env python3
"""Start-up of ``govreport extract``: whole-process wall time vs the extraction itself.

    .venv/bin/python scripts/bench_startup.py [FILE] [--runs 7] [--before DIR]

``--before DIR``: also time ``govreport extract`` from the source tree DIR (an older checkout,
e.g. ``git archive COMMIT | tar -x -C DIR``), run with this interpreter; rows interleave, so
both see the same load.

Rows: ``extract`` as it is (only the extract command registered: no database or web stack);
``extract, every command imported`` (what every run paid before: the ingest, review and service
command modules imported first, hence SQLAlchemy, Alembic, FastAPI …); the extraction alone in a
warm process (``extract()`` timed in-process, second call) and a cold one (first call, including
the lazy imports the pipeline makes). Minimum and median over the runs (the machine is shared:
the minimum is the cleaner number).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT / "samples" / "seed_chaoyang-minzheng-2023.pdf"
ALL = ("import sys; import extractor.ingest.cli, extractor.review.cli, extractor.service.cli; "
       "from extractor.cli import main; sys.argv = ['govreport', *sys.argv[1:]]; main()")
NOW = "import sys; from extractor.cli import main; sys.argv = ['govreport', *sys.argv[1:]]; main()"
INPROC = ("import sys, time; t0 = time.perf_counter(); from extractor import extract; t1 = time.perf_counter(); "
          "extract(sys.argv[1]); t2 = time.perf_counter(); extract(sys.argv[1]); t3 = time.perf_counter(); "
          "print(t1 - t0, t2 - t1, t3 - t2)")


def _walls(variants: list[tuple[str, Path]], args: list[str], runs: int) -> tuple[list[list[float]], list[list[float]]]:
    """Wall and CPU (user + system) seconds of each (code, cwd) variant, run in turn so they
    share the machine's load; CPU time is the steadier number on a busy machine."""
    import resource

    walls: list[list[float]] = [[] for _ in variants]
    cpus: list[list[float]] = [[] for _ in variants]
    for _ in range(runs):
        for k, (code, cwd) in enumerate(variants):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code, *args], check=True, stdout=subprocess.DEVNULL, cwd=cwd)
            walls[k].append(time.perf_counter() - t)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[k].append((r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime))
    return walls, cpus


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("file", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--before", type=Path, default=None, help="an older source tree to time too")
    a = ap.parse_args()
    args = ["extract", str(a.file.resolve())]
    variants = [("extract (this tree)", NOW, ROOT), ("extract, every command module imported first", ALL, ROOT)]
    if a.before:
        variants.append((f"extract ({a.before})", NOW, a.before.resolve()))
    walls, cpus = _walls([(code, cwd) for _n, code, cwd in variants], args, a.runs)
    rows = [(name, w) for (name, _c, _d), w in zip(variants, walls)]
    rows += [(name + ", CPU s", c) for (name, _c, _d), c in zip(variants, cpus)]
    inproc = [subprocess.run([sys.executable, "-c", INPROC, str(a.file)], check=True, capture_output=True, text=True,
                             cwd=ROOT).stdout.split() for _ in range(a.runs)]
    rows.append(("extraction alone, cold (first call)", [float(r[1]) for r in inproc]))
    rows.append(("extraction alone, warm (second call)", [float(r[2]) for r in inproc]))
    rows.append(("import of the extractor package", [float(r[0]) for r in inproc]))
    print(f"{a.file.name}, {a.runs} runs\n")
    print("| what | min s | median s |\n|---|---|---|")
    for name, xs in rows:
        print(f"| {name} | {min(xs):.3f} | {statistics.median(xs):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
