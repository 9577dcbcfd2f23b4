"""Text-layer extraction speed beside pdfplumber's bare parse of the same files, same run.

    python scripts/bench_text.py [PDF ...] [--repeat 3]

Baseline: pdfplumber opens the file and, for every page, ``extract_words()`` plus ``lines``
and ``rects`` — the least any tool built on pdfplumber must do. Target: govreport's full
extraction (all stages, validation included) at most 1.5× that.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def default_files() -> list[Path]:
    files = sorted((ROOT.parent / "shared" / "corpus").glob("*.pdf"))
    files += [p for p in sorted((ROOT / "samples").glob("*.pdf")) if "scan" not in p.name]
    return files


def baseline(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            page.extract_words()
            page.lines
            page.rects
        return len(pdf.pages)


def ours(path: Path) -> int:
    from extractor import extract

    result = extract(path)
    if result.status == "failed":
        raise RuntimeError(f"{path}: {result.errors}")
    if result.report.ocr_pages:
        raise RuntimeError(f"{path}: has scanned pages; this benchmark is for the text layer")
    return result.report.pages


def timed(fn, path: Path, repeat: int) -> tuple[float, int]:
    times = []
    pages = 0
    for _ in range(repeat):
        start = time.perf_counter()
        pages = fn(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), pages


def run(files: list[Path], repeat: int = 3) -> dict:
    from extractor import extract

    extract(files[0])  # warm imports for both sides
    baseline(files[0])
    rows = []
    for path in files:
        t_base, pages = timed(baseline, path, repeat)
        t_ours, _ = timed(ours, path, repeat)
        rows.append({"file": path.name, "pages": pages, "baseline_s": t_base, "ours_s": t_ours})
    total_pages = sum(r["pages"] for r in rows)
    base = sum(r["baseline_s"] for r in rows)
    mine = sum(r["ours_s"] for r in rows)
    return {
        "rows": rows,
        "reports": len(rows),
        "pages": total_pages,
        "baseline_s_per_report": base / len(rows),
        "ours_s_per_report": mine / len(rows),
        "baseline_s_per_page": base / total_pages,
        "ours_s_per_page": mine / total_pages,
        "ratio": mine / base,
    }


def markdown(summary: dict) -> str:
    lines = [
        "| file | pages | pdfplumber bare parse (s) | govreport extract (s) | ratio |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in summary["rows"]:
        lines.append(
            f"| {r['file']} | {r['pages']} | {r['baseline_s']:.3f} | {r['ours_s']:.3f} | {r['ours_s'] / r['baseline_s']:.2f}× |"
        )
    lines.append(
        f"| **all {summary['reports']} reports** | {summary['pages']} | "
        f"{summary['baseline_s_per_report']:.3f}/report, {summary['baseline_s_per_page']:.3f}/page | "
        f"{summary['ours_s_per_report']:.3f}/report, {summary['ours_s_per_page']:.3f}/page | "
        f"**{summary['ratio']:.2f}×** (target ≤ 1.5×) |"
    )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    files = args.files or default_files()
    if not files:
        sys.exit("no PDFs to measure: pass some, or provide ../shared/corpus or samples/")
    print(markdown(run(files, args.repeat)))


if __name__ == "__main__":
    main()
