#!/usr/bin/env python3
"""Web pages and Word files against the PDF path: fields right / total, wrong-but-unflagged, s/report.

  python scripts/bench_web.py [--n 12] [--seed 1200] [--out /tmp/bench-web]

Each generated report (seed S+i) is written as a text PDF, two web pages (UTF-8 and GBK, site
style drawn), a page with table 三 split in two ``<table>``s and a DOCX with the same truth, and extracted from each; the real pages of
../shared/corpus/web are added when present, every field of their truth files (the 2019 page's
old table 二 with its 2019-format keys included). Times are wall-clock per document on this machine, extraction only.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

WEB = ROOT.parent / "shared" / "corpus" / "web"


def score(result, truth: dict) -> tuple[int, int, int]:
    right = unflagged = 0
    for key, expected in truth.items():
        f = result.fields.get(key)
        got = None if f is None else (float(f.value) if isinstance(f.value, Decimal) else f.value)
        if got == expected:
            right += 1
        elif f is not None and f.status != "review":
            unflagged += 1
    return right, len(truth), unflagged


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1200)
    ap.add_argument("--out", type=Path, default=Path("/tmp/bench-web"))
    args = ap.parse_args(argv)

    from extractor import extract
    from scripts.samplegen.content import generate_report, truth_dict
    from scripts.samplegen.docx import write_docx
    from scripts.samplegen.html import ENCODINGS, STYLES, write_html
    from scripts.samplegen.render import render_pdf

    stats: dict[str, list] = defaultdict(lambda: [0, 0, 0, 0.0, 0])  # right, total, unflagged, seconds, docs
    args.out.mkdir(parents=True, exist_ok=True)

    def run(kind: str, path: Path, truth: dict) -> None:
        t0 = time.perf_counter()
        result = extract(path)
        dt = time.perf_counter() - t0
        r, t, u = score(result, truth)
        s = stats[kind]
        s[0] += r
        s[1] += t
        s[2] += u
        s[3] += dt
        s[4] += 1

    for i in range(args.n):
        seed = args.seed + i
        report = generate_report(seed)
        report.name = f"bench-{seed}"
        truth = truth_dict(report)["fields"]
        pdf = render_pdf(report, args.out / f"{report.name}.pdf").path
        run("pdf (text layer)", pdf, truth)
        for j, enc in enumerate(ENCODINGS):
            style = STYLES[(seed + 2 * j) % len(STYLES)]
            run(f"html {enc}", write_html(report, args.out, style=style, encoding=enc, seed=seed), truth)
        run("docx", write_docx(report, args.out, seed=seed), truth)
        split = 1 + seed % 20  # table 三 cut in two <table>s after that many body rows
        run("html, table 三 split", write_html(report, args.out, style=STYLES[seed % len(STYLES)], encoding="utf-8",
                                                seed=seed, name=f"{report.name}-split", split=split), truth)
    for name in ("pingtan_2021.html", "pingtan_2019.html"):
        page = WEB / name
        if not page.exists():
            continue
        fields = json.loads(page.with_name(name.replace(".html", ".truth.json")).read_text(encoding="utf-8"))["fields"]
        run(f"real page {name[8:12]}", page, fields)

    print("| source | docs | fields right / total | wrong, not flagged | s/report |")
    print("|---|---|---|---|---|")
    for kind, (r, t, u, sec, n) in stats.items():
        print(f"| {kind} | {n} | {r}/{t} | {u} | {sec / max(1, n):.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
