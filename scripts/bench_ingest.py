#!/usr/bin/env python3
"""Benchmark bulk ingest: reports/s for text-layer reports, 1 and 2 workers, SQLite and PostgreSQL.

  .venv/bin/python scripts/bench_ingest.py [--n 80] [--workers 1 2] [--pg URL] [--ray]

Reports are generated text-layer PDFs (scripts/make_samples.py; ``--n`` distinct files made as
variants of a few generated reports, each a different sha256) in a temporary folder. Every run
ingests into a fresh database (SQLite file; PostgreSQL: a fresh schema, dropped afterwards).
Prints a markdown table:

* reports/s — documents stored per second of the ingest (pool start-up included, hashing not);
* wall — the whole ``ingest()`` call;
* extract-only — the same files through one in-process ``Extractor`` (the ceiling for 1 worker);
* store-only — ``Store.save_extraction`` of the extracted results (what the parent process pays).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"


def make_inputs(out: Path, n: int, seed: int) -> list[Path]:
    gen = out / "gen"
    gen.mkdir(parents=True)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "make_samples.py"), str(gen), "--n", "8", "--seed", str(seed)],
                   check=True, capture_output=True)
    from extractor import Extractor

    ex = Extractor()
    bases = [p for p in sorted(gen.glob("gen-*.pdf")) if ex.extract(p).status != "failed"]
    if not bases:
        raise SystemExit("the extractor reads none of the generated reports")
    files = []
    docs = out / "docs"
    docs.mkdir()
    for i in range(n):
        base = bases[i % len(bases)]
        p = docs / f"{base.stem}-{i:04d}.pdf"
        p.write_bytes(base.read_bytes() + f"\n% bench {i}\n".encode())
        files.append(p)
    return files


def pg_available(url: str) -> str | None:
    from sqlalchemy import create_engine, text

    from extractor.store.engine import normalise_url

    try:
        eng = create_engine(normalise_url(url)[0], connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("SELECT 1"))
        eng.dispose()
        return None
    except Exception as e:
        return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"


def drop_schema(url: str, schema: str) -> None:
    from sqlalchemy import create_engine, text

    from extractor.store.engine import normalise_url

    eng = create_engine(normalise_url(url)[0])
    with eng.begin() as c:
        c.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    eng.dispose()


def run_one(folder: Path, url: str, workers: int, engine: str) -> dict:
    from extractor.ingest import ingest

    from extractor.store import open_store

    t0 = time.perf_counter()
    s = ingest([folder], db=url, workers=workers, engine=engine, cross_year=False)
    wall = time.perf_counter() - t0
    with open_store(url) as store:  # the extraction time each worker saw, per document
        per_doc = [sum((d.timings or {}).values()) for d in store.documents()]
    return {"processed": s.processed, "failed": s.failed, "seconds": s.seconds, "wall": wall,
            "rps": s.processed / s.seconds if s.seconds else 0.0, "pps": s.pages_per_s,
            "worker_s": sum(per_doc) / max(1, len(per_doc))}


def extract_only(files: list[Path]) -> tuple[float, list]:
    """Reports/s of one in-process Extractor over the files (imports warmed up first)."""
    from extractor import Extractor

    ex = Extractor()
    ex.extract(files[0])  # warm up imports
    t0 = time.perf_counter()
    results = [ex.extract(f) for f in files]
    return len(files) / (time.perf_counter() - t0), results


def store_only(url: str, files: list[Path], results: list) -> float:
    from extractor.ingest.inputs import file_sha256
    from extractor.store import open_store

    shas = [file_sha256(f) for f in files]
    with open_store(url) as store:
        t0 = time.perf_counter()
        for f, sha, r in zip(files, shas, results):
            store.save_extraction(r, str(f), sha256=sha)
        return len(files) / (time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=80, help="reports per run (default 80)")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--pg", default=DEFAULT_PG, help=f"PostgreSQL URL (default {DEFAULT_PG}); 'none' to skip")
    ap.add_argument("--ray", action="store_true", help="also run the Ray engine (local ray.init)")
    ap.add_argument("--seed", type=int, default=900)
    args = ap.parse_args(argv)

    rows = []
    with tempfile.TemporaryDirectory(prefix="govreport-bench-") as tmp:
        tmp = Path(tmp)
        files = make_inputs(tmp, args.n, args.seed)
        folder = files[0].parent
        ceiling, results = extract_only(files)
        dbs = [("sqlite", None)]
        if args.pg != "none":
            why = pg_available(args.pg)
            if why is None:
                dbs.append(("postgresql", args.pg))
            else:
                print(f"(PostgreSQL skipped: {why})", file=sys.stderr)
        engines = ["local"] + (["ray"] if args.ray else [])
        store_rates = {}
        for db, pg in dbs:
            for engine in engines:
                for w in args.workers:
                    schema = None
                    if db == "sqlite":
                        url = f"sqlite:///{tmp / f'bench-{engine}-{w}.db'}"
                    else:
                        schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
                        url = f"{pg}?schema={schema}"
                    try:
                        r = run_one(folder, url, w, engine)
                    finally:
                        if engine == "ray":
                            import ray

                            if ray.is_initialized():
                                ray.shutdown()
                        if schema:
                            drop_schema(pg, schema)
                    rows.append((db, engine, w, r))
                    print(f"{db} {engine} {w} worker(s): {r['rps']:.1f} reports/s", file=sys.stderr)
            schema = None
            if db == "sqlite":
                url = f"sqlite:///{tmp / 'store-only.db'}"
            else:
                schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
                url = f"{pg}?schema={schema}"
            try:
                store_rates[db] = store_only(url, files, results)
            finally:
                if schema:
                    drop_schema(pg, schema)

    cpus = os.cpu_count()
    load = os.getloadavg()[0]
    print(f"\n{args.n} text-layer reports per run; {cpus} CPU(s); load average {load:.1f} at the end; "
          f"extract-only (1 process, in-process): {ceiling:.1f} reports/s\n")
    print("| database | engine | workers | reports | failed | reports/s | pages/s | wall s | worker s/report |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for db, engine, w, r in rows:
        print(f"| {db} | {engine} | {w} | {r['processed']} | {r['failed']} | {r['rps']:.1f} | {r['pps']:.1f} | "
              f"{r['wall']:.1f} | {r['worker_s']:.3f} |")
    print(f"\nworker s/report: the extraction time a worker spent per report (1 / extract-only = "
          f"{1 / ceiling:.3f} s when it has a core to itself); above that, the CPUs were shared.")
    print()
    print("| database | store-only saves/s (parent process) |")
    print("|---|---:|")
    for db, rate in store_rates.items():
        print(f"| {db} | {rate:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
