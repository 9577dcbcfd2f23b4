#!/usr/bin/env python3
"""Generate sample annual reports (2021 format) as PDFs, each with NAME.truth.json beside it.

  python scripts/make_samples.py OUTDIR [--n N] [--seed S] [--scans] [--seed-report]
  python scripts/make_samples.py samples --preset samples     # regenerates the committed samples/

Generated reports are drawn deterministically from the seed (report i uses seed S+i): agency,
year, layout (2021: （六）其他处理 with three sub-rows; 2019: one row, applications.other.total.*),
table 二's layout (2021 columns, or the 2019 ones: 本年新制作数量 …, 上一年项目数量 · 本年增/减 ·
处理决定数量, 采购项目数量 · 采购总金额 in 元 or 万元; one report in four mixes the formats, recorded
in the truth's meta.layouts),
fonts and sizes, column widths (labels wrapped), typos in labels, bracket and numbering style,
how zero is printed (0, blank, —, -, / or 无; truth value 0), table 三 broken across pages at a
row, and sometimes a printed wrong total (kept in the truth as printed and listed in
meta.printed_inconsistencies). Truth files have the shape of ../shared/corpus/*.truth.json.

--web adds the same report as web pages and a Word file, with the same truth: NAME-STYLE-ENC.html
(site styles trs / plain / legacy / mislabelled, UTF-8 and GBK, see scripts/samplegen/html.py) and
NAME.docx (scripts/samplegen/docx.py; some with table 四 in a text box).

--scans adds NAME-scan.pdf (image-only: pdfium render, seal, skew, noise, blur, JPEG) per report.
--scan-kinds K[+K],... adds, per report and kind set, NAME-K-scan.pdf: the harder scans of
scripts/samplegen/scan.py (perspective, faded, rotated_middle, …) and the documents made another
way of scripts/samplegen/scan_sources.py (shaded_header, narrow_labels, header_break, soffice), their
drawn parameters in the truth's meta; `corpus` / `corpus_web` scan the real reports / web pages of
--corpus instead (one scan per report and seed; truth read from the corpus files).
--seed-report writes seed_chaoyang-minzheng-2023.pdf from the corpus text plus a copy of its truth.
--wild KIND[,KIND] writes reports drawn the way documents from the wild are (see
scripts/samplegen/wild.py: open_sides, no_rules, horizontal_only, rect_runs, dashed, dotted,
watermark, split_row, title_year_first, title_kangxi, title_fullwidth, title_no_year, outlines
(needs Ghostscript), or all), N of each, as wild-KIND-SEED.pdf.

The committed samples/ (--preset samples):
  seed_chaoyang-minzheng-2023            the seed report rebuilt from its text; truth = the corpus file
  gen-2021-break-dash                    2021 layout, zeros as —, table 三 forced across pages, typos
  gen-2021-break-dash-scan               its scan, 150 dpi, one page turned 90°, red seal
  gen-2019-blank-rects-inconsistent      2019 layout, zeros blank, rules as thin rectangles, (1)/1、
                                          labels, narrow label columns (wrapped), one wrong total
  gen-2019-blank-rects-inconsistent-scan its scan, 200 dpi, red seal
  gen-2021-large-wrapped                 large numbers, zeros as /, one-line title, wrapped labels, wrong total
  gen-2019-mixed-zeros-typos             2019 layout, tiny counts, zeros as - mixed with others, typos
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# the generator draws PDFs with fpdf2 in embeddable CJK fonts: the dev extras (`make dev`), which
# `make demo` does not install (a development tool, not a runtime dependency)
DEV_EXTRAS = {"fpdf": "fpdf2", "pylopdf_fonts_zh_cn": "pylopdf-fonts-zh-cn", "paperang_p2_fonts_cjk": "paperang-p2-fonts-cjk"}


def missing_dev_extras() -> list[str]:
    """The packages of the dev extras the generator needs that are not installed."""
    import importlib.util

    return [pkg for mod, pkg in DEV_EXTRAS.items() if importlib.util.find_spec(mod) is None]


if __name__ == "__main__" and (missing := missing_dev_extras()):
    sys.stderr.write(
        f"make_samples.py: the sample generator needs the dev extras ({', '.join(missing)} missing): "
        "run `make dev` (or: pip install -e '.[dev]')\n"
    )
    raise SystemExit(2)

from scripts.samplegen.build import build_sample_set, write_report, write_scan  # noqa: E402
from scripts.samplegen.content import generate_report  # noqa: E402
from scripts.samplegen.seed import build_seed_report  # noqa: E402

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="make_samples.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("outdir", type=Path, help="folder to write NAME.pdf and NAME.truth.json into")
    ap.add_argument("--n", type=int, default=4, help="number of generated reports (default 4)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the first report; report i uses seed+i")
    ap.add_argument("--scans", action="store_true", help="also write NAME-scan.pdf for every generated report")
    ap.add_argument("--dpi", type=int, default=None, help="scan resolution (default: drawn from 150–300)")
    ap.add_argument(
        "--image-pages", choices=("png", "tiff"), default=None,
        help="with --scans, also write the scanned pages as PNG files or one multi-page TIFF",
    )
    ap.add_argument("--scan-kinds", default=None, metavar="K[+K],...",
                    help="harder scans per report and kind set (see above; corpus, corpus_web: the real reports)")
    ap.add_argument("--web", action="store_true",
                    help="also write every generated report as a web page (UTF-8 and GBK, site style drawn) and a .docx")
    ap.add_argument("--seed-report", action="store_true", help="also build the seed report from the corpus text")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help=f"corpus folder (default {DEFAULT_CORPUS})")
    ap.add_argument(
        "--preset", choices=("samples",), default=None,
        help="'samples': write exactly the committed sample set (ignores --n/--seed/--scans)",
    )
    ap.add_argument("--wild", default=None, metavar="KIND[,KIND]",
                    help="write N reports of each wild kind instead (see scripts/samplegen/wild.py; 'all')")
    args = ap.parse_args(argv)
    out: Path = args.outdir
    if args.wild:
        from scripts.samplegen.wild import KINDS, write_wild

        kinds = list(KINDS) if args.wild == "all" else args.wild.split(",")
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            ap.error(f"unknown wild kind(s): {', '.join(unknown)}; known: {', '.join(KINDS)}")
        for kind in kinds:
            for i in range(args.n):
                print(write_wild(kind, args.seed + i, out))
        return 0
    if args.preset == "samples":
        for path in build_sample_set(out, args.corpus):
            print(path)
        return 0
    if args.seed_report:
        _, rendered = build_seed_report(args.corpus, out)
        print(rendered.path)
    kind_sets = [tuple(k.split("+")) for k in args.scan_kinds.split(",")] if args.scan_kinds else []
    for kinds in [k for k in kind_sets if {"corpus", "corpus_web"} & set(k)]:
        from scripts.samplegen.scan_sources import write_corpus_scan

        rest = tuple(k for k in kinds if k not in ("corpus", "corpus_web"))
        for src in sorted(args.corpus.glob("web/*.html" if "corpus_web" in kinds else "*.pdf")):
            if src.with_suffix(".truth.json").exists():
                for i in range(args.n):
                    print(write_corpus_scan(src, out, seed=args.seed + i, kinds=rest, dpi=args.dpi,
                                            name=f"{src.stem}-{'+'.join(kinds)}-{args.seed + i}-scan"))
    kind_sets = [k for k in kind_sets if not {"corpus", "corpus_web"} & set(k)]
    if args.scan_kinds and not kind_sets:
        return 0
    for i in range(args.n):
        seed = args.seed + i
        report = generate_report(seed)
        report.name = f"gen-{report.layout.value}-{seed}"
        report.meta["source"] = f"{report.name}.pdf"
        rendered = write_report(report, out)
        print(rendered.path)
        if args.scans:
            print(write_scan(report, rendered, out, seed=seed, dpi=args.dpi, image_pages=args.image_pages))
        for kinds in kind_sets:
            from scripts.samplegen.scan_sources import write_kind_scan

            variant = generate_report(seed)  # its own copy: source kinds change the style
            variant.name = f"{report.name}-{'+'.join(kinds)}"
            variant.meta["source"] = f"{variant.name}.pdf"
            print(write_kind_scan(seed, kinds, out, report=variant, dpi=args.dpi, name=f"{variant.name}-scan"))
        if args.web:
            from scripts.samplegen.docx import write_docx
            from scripts.samplegen.html import ENCODINGS, STYLES, write_html

            for j, encoding in enumerate(ENCODINGS):
                print(write_html(report, out, style=STYLES[(seed + 2 * j) % len(STYLES)], encoding=encoding, seed=seed))
            print(write_docx(report, out, seed=seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
