"""One benchmark, one report: accuracy, speed, memory, review rate and calibration, beside the
tools a user would otherwise pick — on the same files, in the same run.

    python scripts/bench.py [--out bench-out] [--n 10] [--scans 4] [--seed 9000] [--quick]

Writes OUT/bench.md and OUT/bench.png and prints the summary. Sections:
  1. govreport on generated reports (text and scans) and the real corpus: field accuracy by
     table and by source, s/page and s/report, peak memory, review rate, calibration;
  2. table 三 cell recovery: govreport vs camelot (lattice) vs pdfplumber extract_tables;
  3. text-layer speed vs pdfplumber's bare parse;
  4. OCR: cell-first vs full-page detect-and-recognise (scripts/bench_ocr.py), if present;
  5. repair suggestions on injected errors (scripts/bench_repair.py), if present.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TABLE_OF = {"report": "title", "active": "二", "applications": "三", "fees": "六"}


def table_of(key: str) -> str:
    return TABLE_OF.get(key.split(".")[0], "四")


def plain(v):
    return float(v) if isinstance(v, Decimal) else v


def generate(out: Path, n: int, scans: int, seed: int) -> tuple[list[Path], list[Path]]:
    from scripts.samplegen.build import write_report, write_scan
    from scripts.samplegen.content import generate_report

    out.mkdir(parents=True, exist_ok=True)
    texts, scanned = [], []
    for i in range(n):
        report = generate_report(seed + i)
        report.name = f"bench-{report.layout.value}-{seed + i}"
        rendered = write_report(report, out)
        texts.append(rendered.path)
        if i < scans:
            scanned.append(write_scan(report, rendered, out, seed=seed + i))
    return texts, scanned


def _extract_worker(paths: list[str], queue) -> None:
    """Extract in a fresh process so peak memory is this work's alone."""
    from extractor import Extractor

    extractor = Extractor()
    rows = []
    for p in paths:
        start = time.perf_counter()
        result = extractor.extract(p)
        elapsed = time.perf_counter() - start
        rows.append({
            "path": p,
            "seconds": elapsed,
            "pages": result.report.pages,
            "ocr_pages": len(result.report.ocr_pages),
            "status": result.status.value,
            "fields": {
                k: {"value": plain(f.value), "confidence": f.confidence, "status": f.status.value, "source": f.source.value}
                for k, f in result.fields.items()
            },
        })
    queue.put({"rows": rows, "peak_rss_mb": peak_rss_mb()})


def peak_rss_mb() -> float:
    """This process's own peak RSS (VmHWM): ``ru_maxrss`` keeps the parent's across fork+exec."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def extract_all(paths: list[Path]) -> dict:
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    proc = ctx.Process(target=_extract_worker, args=([str(p) for p in paths], queue))
    proc.start()
    out = queue.get()
    proc.join()
    return out


def score(run: dict) -> dict:
    """Accuracy by table and source, speed, review rate and calibration over extracted fields."""
    by_table = defaultdict(lambda: [0, 0])
    by_source = defaultdict(lambda: [0, 0])
    points = []  # (confidence, correct)
    reviewed = wrong_unflagged = 0
    for row in run["rows"]:
        truth = json.loads(Path(row["path"].replace(".pdf", ".truth.json")).read_text(encoding="utf-8"))["fields"]
        for key, expected in truth.items():
            f = row["fields"].get(key)
            got = None if f is None else f["value"]
            ok = got == expected
            source = "ocr" if row["ocr_pages"] else "text"
            if f is not None:
                source = f["source"]
            by_table[table_of(key)][0] += ok
            by_table[table_of(key)][1] += 1
            by_source[source][0] += ok
            by_source[source][1] += 1
            conf = 0.0 if f is None else f["confidence"]
            points.append((conf, ok))
            flagged = f is None or f["status"] == "review"
            reviewed += flagged
            if not ok and not flagged:
                wrong_unflagged += 1
    return {
        "by_table": {k: v[0] / v[1] for k, v in sorted(by_table.items())},
        "by_table_counts": {k: v for k, v in sorted(by_table.items())},
        "by_source": {k: v[0] / v[1] for k, v in sorted(by_source.items())},
        "by_source_counts": {k: v for k, v in sorted(by_source.items())},
        "fields": len(points),
        "review_rate": reviewed / max(len(points), 1),
        "wrong_unflagged": wrong_unflagged,
        "calibration": calibration(points),
    }


def calibration(points: list[tuple[float, bool]], bins: int = 10) -> dict:
    table = []
    ece = 0.0
    n = max(len(points), 1)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(c, ok) for c, ok in points if (lo <= c < hi) or (b == bins - 1 and c == 1.0)]
        if not inside:
            table.append({"bin": f"{lo:.1f}–{hi:.1f}", "n": 0, "confidence": None, "accuracy": None})
            continue
        mean_c = sum(c for c, _ in inside) / len(inside)
        acc = sum(ok for _, ok in inside) / len(inside)
        ece += len(inside) / n * abs(mean_c - acc)
        table.append({"bin": f"{lo:.1f}–{hi:.1f}", "n": len(inside), "confidence": mean_c, "accuracy": acc})
    # the smallest review rate (review every field under a threshold) at which accepted fields are ≥ 99.95 % right
    ordered = sorted(points, key=lambda p: p[0])
    rate_needed = None
    wrong_total = sum(1 for _, ok in ordered if not ok)
    wrong_left = wrong_total
    for i in range(len(ordered) + 1):
        accepted = len(ordered) - i
        if accepted == 0 or (accepted - wrong_left) / accepted >= 0.9995:
            rate_needed = i / max(len(ordered), 1)
            break
        wrong_left -= 0 if ordered[i][1] else 1
    return {"table": table, "ece": ece, "review_rate_for_9995": rate_needed}


def speed(run: dict) -> dict:
    out = {}
    for kind in ("text", "scan"):
        rows = [r for r in run["rows"] if (r["ocr_pages"] > 0) == (kind == "scan")]
        if not rows:
            continue
        secs = sum(r["seconds"] for r in rows)
        pages = sum(r["pages"] for r in rows)
        out[kind] = {"reports": len(rows), "pages": pages, "s_per_report": secs / len(rows), "s_per_page": secs / max(pages, 1)}
    return out


def plot(summary: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    tools = summary["tables"]["tools"]
    names = list(tools)
    axes[0].bar(names, [100 * tools[n]["accuracy"] for n in names], color=["#2a7", "#888", "#aaa"])
    axes[0].set_ylabel("table 3 (application matrix) cells right, %")
    axes[0].set_ylim(0, 105)
    axes[0].set_title("Accuracy, same files")
    axes[1].bar(names, [tools[n]["s_per_report"] for n in names], color=["#2a7", "#888", "#aaa"])
    axes[1].set_ylabel("s / report")
    axes[1].set_title("Time, same run")
    cal = [b for b in summary["govreport"]["calibration"]["table"] if b["n"]]
    axes[2].plot([0, 1], [0, 1], "--", color="#999")
    axes[2].plot([b["confidence"] for b in cal], [b["accuracy"] for b in cal], "o-", color="#2a7")
    axes[2].set_xlabel("confidence")
    axes[2].set_ylabel("accuracy")
    axes[2].set_title(f"Reliability (ECE {summary['govreport']['calibration']['ece']:.4f})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.2f} %"


def markdown(summary: dict) -> str:
    g = summary["govreport"]
    lines = ["# govreport benchmark", "", f"Machine: {summary['machine']}; wall time {summary['wall_s']:.0f} s.", ""]
    lines += ["## 1. govreport on generated reports and the real corpus", ""]
    lines += ["| table | fields right | accuracy |", "|---|---:|---:|"]
    for t, acc in g["by_table"].items():
        right, n = g["by_table_counts"][t]
        lines.append(f"| {t} | {right}/{n} | {pct(acc)} |")
    lines += ["", "| source | fields right | accuracy |", "|---|---:|---:|"]
    for s, acc in g["by_source"].items():
        right, n = g["by_source_counts"][s]
        lines.append(f"| {s} | {right}/{n} | {pct(acc)} |")
    lines += ["", "| kind | reports | pages | s/report | s/page |", "|---|---:|---:|---:|---:|"]
    for kind, s in summary["speed"].items():
        lines.append(f"| {kind} | {s['reports']} | {s['pages']} | {s['s_per_report']:.2f} | {s['s_per_page']:.3f} |")
    lines += [
        "",
        f"Peak memory (RSS of the extracting process): text {summary['peak_rss_mb'].get('text', 0):.0f} MB, "
        f"scans {summary['peak_rss_mb'].get('scan', 0):.0f} MB.",
        f"Review rate: {pct(g['review_rate'])} of {g['fields']} fields; wrong fields not flagged: {g['wrong_unflagged']}.",
        f"Calibration: ECE {g['calibration']['ece']:.4f}; review rate needed for auto-accepted fields ≥ 99.95 % right: "
        f"{pct(g['calibration']['review_rate_for_9995'])}.",
        "",
        "| confidence bin | fields | mean confidence | accuracy |",
        "|---|---:|---:|---:|",
    ]
    for b in g["calibration"]["table"]:
        if b["n"]:
            lines.append(f"| {b['bin']} | {b['n']} | {b['confidence']:.4f} | {pct(b['accuracy'])} |")
    lines += ["", "## 2. Table 三 beside camelot and pdfplumber", ""]
    from scripts.bench_tables import markdown as tables_md

    lines.append(tables_md(summary["tables"]))
    lines += ["", "## 3. Text-layer speed beside pdfplumber's bare parse", ""]
    from scripts.bench_text import markdown as text_md

    lines.append(text_md(summary["text_speed"]))
    for title, key in (("## 4. OCR: cell-first vs full page", "ocr"), ("## 5. Repair suggestions on injected errors", "repair")):
        if summary.get(key):
            lines += ["", title, "", summary[key]]
    return "\n".join(lines) + "\n"


def optional_section(module: str, files: list[Path], quick: bool) -> str | None:
    """Run a helper benchmark's ``bench_markdown(files, quick=...)`` if that script exists."""
    try:
        mod = __import__(f"scripts.{module}", fromlist=["bench_markdown"])
    except ModuleNotFoundError:
        return None
    fn = getattr(mod, "bench_markdown", None)
    if fn is None:
        return None
    return fn(files, quick=quick)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=ROOT / "bench-out")
    ap.add_argument("--n", type=int, default=10, help="generated text-layer reports")
    ap.add_argument("--scans", type=int, default=4, help="how many of them also as scans")
    ap.add_argument("--seed", type=int, default=9000)
    ap.add_argument("--quick", action="store_true", help="fewer files, for a smoke run")
    args = ap.parse_args()
    if args.quick:
        args.n, args.scans = 3, 1
    start = time.perf_counter()
    texts, scans = generate(args.out / "files", args.n, args.scans, args.seed)
    real = sorted((ROOT.parent / "shared" / "corpus").glob("*.pdf"))
    committed = sorted(p for p in (ROOT / "samples").glob("*.pdf"))
    text_files = texts + real + [p for p in committed if not p.stem.endswith("-scan")]
    scan_files = scans + [p for p in committed if p.stem.endswith("-scan")]

    text_run = extract_all(text_files)
    scan_run = extract_all(scan_files) if scan_files else {"rows": [], "peak_rss_mb": 0}
    both = {"rows": text_run["rows"] + scan_run["rows"]}

    from scripts.bench_tables import compare
    from scripts.bench_text import run as text_speed

    summary = {
        "machine": f"{mp.cpu_count()} cores, Python {sys.version.split()[0]}",
        "govreport": score(both),
        "speed": speed(both),
        "peak_rss_mb": {"text": text_run["peak_rss_mb"], "scan": scan_run["peak_rss_mb"]},
        "tables": compare(text_files),
        "text_speed": text_speed(text_files, repeat=1 if args.quick else 3),
        "ocr": optional_section("bench_ocr", scan_files, args.quick),
        "repair": optional_section("bench_repair", text_files, args.quick),
    }
    summary["wall_s"] = time.perf_counter() - start
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    plot(summary, args.out / "bench.png")
    md = markdown(summary)
    (args.out / "bench.md").write_text(md, encoding="utf-8")
    print(md)
    print(f"written: {args.out / 'bench.md'}, {args.out / 'bench.png'}")


if __name__ == "__main__":
    main()
