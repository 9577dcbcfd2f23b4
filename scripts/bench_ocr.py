"""Benchmark the scan path: cell-first (grid from the image's rules, recogniser per cell crop)
against full-page detect-and-recognise (rapidocr on the whole page, lines assigned to cells).

Same pages, same run: table pages of the real reports in ../shared/corpus, rendered at --dpi and
degraded (1.5° skew, noise, JPEG 40, a red seal). Each method runs in its own worker process so
its peak RSS is its own. Accuracy: cells equal to the text-layer grid of the same page.

    .venv/bin/python scripts/bench_ocr.py [--dpi 200] [--threads 1] [--pages N]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def table_pages(limit: int | None) -> list[tuple[str, int]]:
    from extractor.io import open_document
    from extractor.layout.text_page import read_text_page
    from extractor.settings import Settings

    out = []
    for pdf in sorted(CORPUS.glob("*.pdf")):
        with open_document(pdf) as doc:
            for p in doc.pages:
                if read_text_page(p, Settings()).grids:
                    out.append((str(pdf), p.number))
    return out[:limit] if limit else out


def _load(pdf: str, number: int, dpi: int, seed: int):
    from extractor.io import open_document
    from extractor.layout.text_page import read_text_page
    from extractor.ocr.synth import degrade
    from extractor.settings import Settings

    with open_document(pdf) as doc:
        page = doc.pages[number - 1]
        expected = read_text_page(page, Settings()).grids
        rgb = degrade(page.render(dpi), angle=1.5, noise=8, jpeg=40, seal=True, seed=seed)
        return page.width, page.height, expected, rgb


def _worker(method: str, pages, dpi: int, threads: int, q) -> None:
    os.environ["GOVREPORT_OCR_THREADS"] = str(threads)
    from extractor.ocr.compare import GridComparison, compare_grids
    from extractor.ocr.engine import make_engine
    from extractor.ocr.scan_page import read_scan_image
    from extractor.settings import Settings

    engine = make_engine(Settings())
    engine.recognize([__import__("numpy").full((48, 96, 3), 255, "uint8")])  # load + warm up
    total = GridComparison()
    times = []
    for i, (pdf, number) in enumerate(pages):
        width, height, expected, rgb = _load(pdf, number, dpi, seed=i)
        start = time.perf_counter()
        if method == "cell-first":
            got = read_scan_image(rgb, dpi, number, engine, width=width, height=height).grids
        else:
            got = full_page(engine, rgb, dpi, number, expected)
        times.append(time.perf_counter() - start)
        total.add(compare_grids(expected, got))
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    q.put(dict(method=method, times=times, cells=total.total, exact=total.exact,
               numeric=total.numeric_total, numeric_exact=total.numeric_exact, rss_mb=rss_mb,
               diffs=[(d.page, d.row, d.col, d.expected, d.got) for d in total.diffs[:8]]))


def full_page(engine, rgb, dpi, number, expected):
    """rapidocr det + rec on the whole page; each line goes to the cell under its centre."""
    import copy

    lines = engine.detect(rgb)
    grids = copy.deepcopy(expected)  # the truth's own grid: the best case for this method
    cells = [c for g in grids for c in g.cells]
    for c in cells:
        c.text = ""
    f = 72.0 / dpi
    for (x0, y0, x1, y1), text, _score in sorted(lines, key=lambda l: (l[0][1], l[0][0])):
        cx, cy = (x0 + x1) / 2 * f, (y0 + y1) / 2 * f
        for c in cells:
            if c.bbox.x0 <= cx <= c.bbox.x1 and c.bbox.top <= cy <= c.bbox.bottom:
                c.text += text
                break
    return grids


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads per worker")
    ap.add_argument("--pages", type=int, default=None, help="at most this many table pages")
    ap.add_argument("--skip-full", action="store_true", help="cell-first only")
    args = ap.parse_args()
    if not CORPUS.exists():
        raise SystemExit(f"no corpus at {CORPUS}")
    pages = table_pages(args.pages)
    ctx = mp.get_context("spawn")
    results = []
    for method in ["cell-first"] + ([] if args.skip_full else ["full-page"]):
        q = ctx.Queue()
        proc = ctx.Process(target=_worker, args=(method, pages, args.dpi, args.threads, q))
        proc.start()
        results.append(q.get())
        proc.join()
    load = os.getloadavg()[0]
    print(f"## OCR benchmark: {len(pages)} table pages, {args.dpi} dpi, degraded (1.5° skew, noise, JPEG 40, red seal)\n")
    print(f"{os.cpu_count()} cores, onnxruntime {args.threads} thread(s)/worker, load average {load:.1f} at the end\n")
    print("| method | s/page (mean) | s/page (max) | peak RSS/worker | cells exact | numeric cells exact |")
    print("|---|---|---|---|---|---|")
    for r in results:
        t = r["times"]
        print(f"| {r['method']} | {sum(t) / len(t):.2f} | {max(t):.2f} | {r['rss_mb']:.0f} MB | "
              f"{r['exact']}/{r['cells']} ({100 * r['exact'] / max(r['cells'], 1):.1f} %) | "
              f"{r['numeric_exact']}/{r['numeric']} ({100 * r['numeric_exact'] / max(r['numeric'], 1):.1f} %) |")
    for r in results:
        if r["diffs"]:
            print(f"\n{r['method']}: first differences (page, row, col, expected, got): {r['diffs']}")


if __name__ == "__main__":
    main()
