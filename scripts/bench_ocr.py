"""Benchmark the scan path: cell-first (grid from the image's rules, recogniser per cell crop)
against full-page detect-and-recognise (rapidocr on the whole page, lines assigned to cells).

Part 1, same pages, same run: the table pages of the real reports in ../shared/corpus, rendered
at --dpi and degraded (1.5° skew, noise, JPEG 40, a red seal). Accuracy: cells equal to the
text-layer grid of the same page. Cell-first reads each page ``--reps`` times (the machine is
shared: per page the median of its repetitions); full-page once.

Part 2, whole scanned reports (``files``: PDFs with a ``.truth.json`` beside them): the full
pipeline with ``Settings.ocr_prose`` "needed" (default) and "all" — s/page over every page
(prose pages too), field accuracy against the truth (fields equal to it) and how many wrong
fields are not flagged for review (issue 4 wants none), to show what reading less prose costs.

Part 3 (``--kinds``): fresh generated reports scanned with each harder kind of
``scripts.samplegen.scan.HARD_KINDS`` (and 150 dpi) or made by ``scan_sources`` (shaded headers,
narrow labels, LibreOffice), and scans of the real reports in ../shared/corpus (``corpus``):
accuracy, wrong-but-unflagged, review share, s/page and agency + year found per kind.

Each method runs in its own fresh worker process, so its peak RSS is its own (VmHWM: see
``_rss_mb`` for why not ``ru_maxrss``).
The load average is printed beside the times.

    .venv/bin/python scripts/bench_ocr.py [--dpi 200] [--threads 1] [--pages N] [--reps 3]
                                          [--skip-full] [--quick] [scan.pdf ...]
    .venv/bin/python scripts/bench_ocr.py --kinds all --seeds 700,701   # part 3 only
    .venv/bin/python scripts/bench_ocr.py --kinds soffice,narrow_labels+rotated_middle,corpus --seeds 900,901

``bench_markdown(files, quick)`` is what ``scripts/bench.py`` calls (< 3 min; quick < 1 min).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


def table_pages(limit: int | None = None) -> list[tuple[str, int]]:
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


def _rss_mb() -> float:
    """This process's peak resident memory, MB. VmHWM (Linux) is the peak of the process's own
    address space; ``ru_maxrss`` is the fallback — on Linux it also keeps, across the exec of a
    spawned worker, the RSS its forked parent had, so it overstates a worker started by a big
    parent."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def prepare_pages(pages, dpi: int, folder: Path) -> list[dict]:
    """Render and degrade each page once, here (pdfplumber and the text layer stay out of the
    workers' memory): the image to ``folder``, the text-layer grids kept for the comparison."""
    import numpy as np

    out = []
    for i, (pdf, number) in enumerate(pages):
        width, height, expected, rgb = _load(pdf, number, dpi, seed=i)
        path = folder / f"page-{i}.npy"
        np.save(path, rgb)
        out.append(dict(pdf=pdf, number=number, width=width, height=height, expected=expected, image=str(path)))
    return out


def _pages_worker(method: str, prepared: list[dict], dpi: int, threads: int, reps: int, q) -> None:
    """One method over the degraded table pages. Each run loads the page's image afresh (as a
    render would) and lets go of it: the worker holds one page at a time."""
    import gc

    import numpy as np

    from extractor.ocr.compare import GridComparison, compare_grids
    from extractor.ocr.engine import make_engine
    from extractor.ocr.scan_page import read_scan_image
    from extractor.settings import Settings

    settings = Settings(ocr_threads=threads)
    engine = make_engine(settings)
    engine.recognize([np.full((48, 96, 3), 255, "uint8")])  # load + warm up
    rss_ready = _rss_mb()
    total = GridComparison()
    per_page = []
    for page in prepared:
        times = []
        got = None
        for _ in range(reps):
            img = np.load(page["image"])
            start = time.perf_counter()
            if method == "full-page":
                got = full_page(engine, img, dpi, page["number"], page["expected"])
                del img
            else:  # read_scan_image lets go of the image once it has its grey page
                got = read_scan_image(img, dpi, page["number"], engine, width=page["width"],
                                      height=page["height"], prose=method.split(":")[1]).grids
            times.append(time.perf_counter() - start)
        per_page.append(statistics.median(times))
        total.add(compare_grids(page["expected"], got))
        del got
        gc.collect()
    # a wrong cell holding the same characters in another order: usually the reference's fault
    # (a text layer's order of vertical text depends on how the PDF was written)
    reordered = sum(1 for d in total.diffs if d.got and sorted(d.expected) == sorted(d.got))
    q.put(dict(method=method, per_page=per_page, cells=total.total, exact=total.exact, reordered=reordered,
               numeric=total.numeric_total, numeric_exact=total.numeric_exact, rss_mb=_rss_mb(),
               rss_ready_mb=rss_ready, load=os.getloadavg()[0],
               diffs=[(d.page, d.row, d.col, d.expected, d.got) for d in total.diffs[:6]]))


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


def _plain(v):
    from decimal import Decimal

    return float(v) if isinstance(v, Decimal) else v


def _files_worker(policy: str, files: list[str], threads: int, q) -> None:
    """The whole pipeline on scanned reports with one prose policy."""
    from extractor import Extractor
    from extractor.settings import Settings
    from models import FieldStatus

    extractor = Extractor(Settings(ocr_threads=threads, ocr_prose=policy))
    seconds = 0.0
    ocr_pages = right = total = 0
    missed: list[str] = []
    unflagged: list[str] = []
    for path in files:
        start = time.perf_counter()
        result = extractor.extract(path)
        seconds += time.perf_counter() - start
        ocr_pages += len(result.report.ocr_pages)
        truth = json.loads(Path(path.replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))["fields"]
        for key, expected in truth.items():
            f = result.fields.get(key)
            total += 1
            if f is not None and _plain(f.value) == expected:
                right += 1
                continue
            if f is not None and f.status != FieldStatus.REVIEW:  # wrong and not flagged: the bad kind
                unflagged.append(f"{Path(path).stem}: {key} truth {expected!r} got {_plain(f.value)!r}")
            if not key.startswith(("applications.", "active.", "review.", "litigation")):
                missed.append(f"{Path(path).stem}: {key}")
    q.put(dict(policy=policy, seconds=seconds, ocr_pages=ocr_pages, right=right, total=total,
               unflagged=len(unflagged), unflagged_keys=unflagged[:6],
               missed=missed[:6], rss_mb=_rss_mb(), load=os.getloadavg()[0]))


def _run(target, *args):
    """``target(*args, q)`` in a fresh spawned worker; its one result. A worker that dies before
    it answers (an import error, killed for memory) ends the benchmark with its exit code, not a
    wait for ever."""
    import queue

    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, q))
    proc.start()
    while True:
        try:
            out = q.get(timeout=1)
            break
        except queue.Empty:
            if not proc.is_alive():
                raise SystemExit(f"bench_ocr: the {target.__name__} worker died (exit code {proc.exitcode}) "
                                 "before it answered; its error is above")
    proc.join()
    return out


def run_pages(pages, dpi: int = 200, threads: int = 1, reps: int = 3, full: bool | int = True,
              prose_all: bool = False) -> list[dict]:
    """``full``: True, False, or how many of the pages the (slow) full-page method reads."""
    import tempfile

    methods = ["cell-first:needed"] + (["cell-first:all"] if prose_all else []) + (["full-page"] if full else [])
    out = []
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as tmp:
        prepared = prepare_pages(pages, dpi, Path(tmp))
        for m in methods:
            sel = prepared if m != "full-page" or full is True else prepared[: int(full)]
            out.append(_run(_pages_worker, m, sel, dpi, threads, 1 if m == "full-page" else reps))
    return out


def run_files(files: list[Path], threads: int = 1) -> list[dict]:
    files = [str(f) for f in files if Path(str(f).replace(".pdf", ".truth.json")).exists()]
    if not files:
        return []
    return [_run(_files_worker, policy, files, threads) for policy in ("needed", "all")]


def pages_markdown(results: list[dict], n_pages: int, dpi: int, threads: int, reps: int) -> str:
    full = [r for r in results if r["method"] == "full-page"]
    full_note = f" on {len(full[0]['per_page'])} of them" if full and len(full[0]["per_page"]) < n_pages else ""
    lines = [
        f"{n_pages} table pages of the real reports, {dpi} dpi, degraded (1.5° skew, noise, JPEG 40, red "
        f"seal); {os.cpu_count()} cores, onnxruntime {threads} thread(s) per worker; cell-first: per page the "
        f"median of {reps} runs, full page: 1 run{full_note}. Cells compared with the text layer of the same page. "
        "Peak RSS: the worker process's VmHWM (engine, one page; pages are rendered and degraded "
        "outside the workers).",
        "",
        "| method | s/page median | s/page mean | s/page max | peak RSS/worker | cells exact | numeric cells exact | load avg |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        t = r["per_page"]
        name = {"cell-first:needed": "cell-first (prose: needed)", "cell-first:all": "cell-first (prose: all)"}.get(
            r["method"], r["method"])
        lines.append(
            f"| {name} | {statistics.median(t):.2f} | {statistics.mean(t):.2f} | {max(t):.2f} | "
            f"{r['rss_mb']:.0f} MB | {r['exact']}/{r['cells']} ({100 * r['exact'] / max(r['cells'], 1):.1f} %) | "
            f"{r['numeric_exact']}/{r['numeric']} ({100 * r['numeric_exact'] / max(r['numeric'], 1):.1f} %) | "
            f"{r['load']:.1f} |")
    for r in results:
        if r["diffs"]:
            lines.append(f"\n{r['method']}: first differences (page, row, col, expected, got): {r['diffs']}")
        if r.get("reordered"):
            lines.append(f"{r['method']}: {r['reordered']} of the differences hold the same characters as the text "
                         "layer in another order (the text layer's order of vertical text).")
    return "\n".join(lines)


def files_markdown(results: list[dict], n_files: int) -> str:
    if not results:
        return ""
    lines = [
        f"Whole scanned reports ({n_files} PDFs with truth), full pipeline, every page (prose pages too):",
        "",
        "| Settings.ocr_prose | s/page | fields right | field accuracy | wrong, not flagged for review | "
        "peak RSS/worker | load avg |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(f"| {r['policy']} | {r['seconds'] / max(r['ocr_pages'], 1):.2f} | {r['right']}/{r['total']} | "
                     f"{100 * r['right'] / max(r['total'], 1):.2f} % | {r['unflagged']} | "
                     f"{r['rss_mb']:.0f} MB | {r['load']:.1f} |")
    for r in results:
        if r["unflagged_keys"]:
            lines.append(f"\n{r['policy']}: wrong and not flagged: {r['unflagged_keys']}")
        if r["missed"]:
            lines.append(f"\n{r['policy']}: title/fee fields missed: {r['missed']}")
    return "\n".join(lines)


KIND_SETS = ("none", "perspective", "curl", "uneven_light", "faded", "fax", "grey", "grey+stamp_numbers", "jpeg_low", "stamp_numbers",
             "pen_tick", "missing_rule", "missing_label_rule", "missing_header_rule", "doubled_rule", "faint_rule", "missing_hrule", "missing_t4_rule",
             "perspective+curl", "dpi150", "fax+dpi150", "dithered", "yellowed", "shaded_header", "narrow_labels",
             "narrow_labels+rotated_middle",
             "header_break", "long_fee", "long_fee+dpi150", "long_agency", "soffice", "corpus", "corpus_web")


def _kind_scans(kind: str, seeds: list[int], out: Path):
    """(report name, scan PDF) per seed of one kind set: ``+``-joined kinds of
    ``scripts.samplegen.scan_sources`` (source kinds) and ``scan.HARD_KINDS``; ``dpi150`` a
    150 dpi scan; ``corpus`` each real report of ../shared/corpus scanned (with the other kinds),
    ``corpus_web`` its real web pages printed by Chromium and scanned."""
    from scripts.samplegen.scan_sources import write_corpus_scan, write_kind_scan

    parts = [k for k in kind.split("+") if k not in ("none", "dpi150")]
    dpi = 150 if "dpi150" in kind else None
    if "corpus" in parts or "corpus_web" in parts:
        web = "corpus_web" in parts
        parts = [p for p in parts if p not in ("corpus", "corpus_web")]
        for pdf in sorted(CORPUS.glob("web/*.html" if web else "*.pdf")):
            if pdf.with_suffix(".truth.json").exists():
                for seed in seeds:
                    yield f"{pdf.stem}/{seed}", write_corpus_scan(pdf, out, seed=seed, kinds=tuple(parts), dpi=dpi,
                                                                  name=f"kinds-{kind}-{pdf.stem}-{seed}")
        return
    for seed in seeds:
        yield str(seed), write_kind_scan(seed, tuple(parts), out, name=f"kinds-{kind}-{seed}", dpi=dpi)


def _kinds_worker(kinds: list[str], seeds: list[int], threads: int, folder: str, q) -> None:
    """Fresh generated reports scanned with each harder kind (``scripts.samplegen.scan``,
    ``scan_sources``), the full pipeline on each: fields exact, wrong and not flagged, fields in
    review, reports whose title's agency and year were both read right."""
    from extractor import Extractor
    from extractor.settings import Settings
    from models import FieldStatus
    from scripts.samplegen.scan_sources import SofficeMissing

    out = Path(folder)
    extractor = Extractor(Settings(ocr_threads=threads))
    rows = []
    for kind in kinds:
        right = total = unflagged = review = pages = reports = titled = 0
        seconds = 0.0
        examples: list[str] = []
        no_title: list[str] = []
        not_exact: dict[str, int] = {}  # report -> fields not exact (flagged or missing)
        skipped = ""
        if {"corpus", "corpus_web"} & set(kind.split("+")) and not CORPUS.exists():
            skipped = f"no corpus at {CORPUS}"
        try:
            for label, scan in ([] if skipped else _kind_scans(kind, seeds, out)):
                truth = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
                start = time.perf_counter()
                result = extractor.extract(scan)
                seconds += time.perf_counter() - start
                pages += len(result.report.ocr_pages)
                reports += 1
                title = [k for k in ("report.agency", "report.year") if k in truth]
                got = {k: _plain(result.fields[k].value) if k in result.fields else None for k in title}
                if all(got[k] == truth[k] for k in title):
                    titled += 1
                else:
                    no_title.append(f"{label}: {got}")
                for key, expected in truth.items():
                    f = result.fields.get(key)
                    total += 1
                    review += f is not None and f.status == FieldStatus.REVIEW
                    if f is not None and _plain(f.value) == expected:
                        right += 1
                        continue
                    not_exact[label] = not_exact.get(label, 0) + 1
                    if f is not None and f.status != FieldStatus.REVIEW:
                        unflagged += 1
                        examples.append(f"{label}: {key} truth {expected!r} got {_plain(f.value)!r}")
        except SofficeMissing as e:
            skipped = str(e)
        rows.append(dict(kind=kind, right=right, total=total, unflagged=unflagged, review=review,
                         s_page=seconds / max(pages, 1), examples=examples[:8], reports=reports, titled=titled,
                         no_title=no_title, not_exact=not_exact, skipped=skipped))
    q.put(dict(rows=rows, rss_mb=_rss_mb()))


def run_kinds(kinds=KIND_SETS, seeds=(700, 701), threads: int = 1) -> dict:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-kinds-") as tmp:
        return _run(_kinds_worker, list(kinds), list(seeds), threads, tmp)


def kinds_markdown(res: dict, seeds) -> str:
    lines = [f"Harder generated scans, seeds {list(seeds)} (fresh reports; corpus: each real report per seed), "
             f"full pipeline; peak RSS {res['rss_mb']:.0f} MB:", "",
             "| kind | fields exact | accuracy | wrong, not flagged | in review | s/page | title found |",
             "|---|---|---|---|---|---|---|"]
    for r in res["rows"]:
        if r.get("skipped"):
            lines.append(f"| {r['kind']} | skipped: {r['skipped']} | | | | | |")
            continue
        lines.append(f"| {r['kind']} | {r['right']}/{r['total']} | {100 * r['right'] / max(r['total'], 1):.2f} % | "
                     f"{r['unflagged']} | {100 * r['review'] / max(r['total'], 1):.1f} % | {r['s_page']:.2f} | "
                     f"{r['titled']}/{r['reports']} |")
    for r in res["rows"]:
        if r["examples"]:
            lines.append(f"\n{r['kind']}: wrong and not flagged: {r['examples']}")
        if r.get("not_exact"):
            lines.append(f"\n{r['kind']}: fields not exact per report: {r['not_exact']}")
        if r.get("no_title"):
            lines.append(f"\n{r['kind']}: agency or year not found: {r['no_title']}")
    return "\n".join(lines)


def bench_markdown(files: list[Path], quick: bool = False) -> str:
    """Both parts as markdown: the degraded corpus table pages (cell-first vs full page), then
    ``files`` (scanned PDFs with truth) through the pipeline with each prose policy."""
    if not CORPUS.exists():
        return f"(no corpus at {CORPUS}: OCR benchmark skipped)"
    pages = table_pages(None)
    reps = 1 if quick else 3
    res = run_pages(pages, reps=reps, full=2 if quick else True)
    md = pages_markdown(res, len(pages), 200, 1, reps)
    scans = sorted(Path(f) for f in files)[: 1 if quick else 4]
    fmd = files_markdown(run_files(scans), len(scans))
    return md + ("\n\n" + fmd if fmd else "")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path, help="scanned PDFs with .truth.json (part 2)")
    ap.add_argument("--dpi", type=int, default=200)
    ap.add_argument("--threads", type=int, default=1, help="onnxruntime intra-op threads per worker")
    ap.add_argument("--pages", type=int, default=None, help="at most this many table pages")
    ap.add_argument("--reps", type=int, default=3, help="cell-first runs per page (median)")
    ap.add_argument("--skip-full", action="store_true", help="cell-first only")
    ap.add_argument("--prose-all", action="store_true", help="also cell-first reading all prose")
    ap.add_argument("--quick", action="store_true", help="bench_markdown(files, quick=True)")
    ap.add_argument("--kinds", type=str, default=None,
                    help="only part 3: harder scan kinds, comma-separated (or 'all'), on --seeds")
    ap.add_argument("--seeds", type=str, default="700,701", help="seeds for --kinds")
    args = ap.parse_args()
    if args.kinds:
        try:  # the kinds are generated (fpdf2 and the CJK fonts): the dev extras
            import fpdf  # noqa: F401
        except ImportError:
            raise SystemExit("bench_ocr.py --kinds: the generator needs the dev extras; run `make dev` first") from None
        kinds = KIND_SETS if args.kinds == "all" else tuple(args.kinds.split(","))
        seeds = [int(x) for x in args.seeds.split(",")]
        print(kinds_markdown(run_kinds(kinds, seeds, args.threads), seeds))
        return
    if not CORPUS.exists():
        raise SystemExit(f"no corpus at {CORPUS}")
    start = time.perf_counter()
    if args.quick:
        print(bench_markdown(args.files, quick=True))
    else:
        pages = table_pages(args.pages)
        res = run_pages(pages, args.dpi, args.threads, args.reps, full=not args.skip_full, prose_all=args.prose_all)
        print(f"## OCR benchmark\n\n{pages_markdown(res, len(pages), args.dpi, args.threads, args.reps)}")
        if args.files:
            print("\n" + files_markdown(run_files(args.files, args.threads), len(args.files)))
    print(f"\n({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
