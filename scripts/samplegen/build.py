"""Writing reports, scans and truth files into a folder; the committed sample set."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from .content import Report, generate_report, truth_dict, write_truth
from .render import Rendered, render_pdf
from .scan import make_scan
from .seed import build_seed_report


def write_report(report: Report, outdir: Path) -> Rendered:
    """``NAME.pdf`` + ``NAME.truth.json``; the truth's meta gains the pages and table boxes."""
    outdir.mkdir(parents=True, exist_ok=True)
    rendered = render_pdf(report, outdir / f"{report.name}.pdf")
    report.meta["pages"] = rendered.pages
    report.meta["tables"] = rendered.tables
    write_truth(report, outdir / f"{report.name}.truth.json")
    return rendered


def write_scan(
    report: Report, rendered: Rendered, outdir: Path, *, seed: int, name: str | None = None, **scan_args: Any
) -> Path:
    """``NAME-scan.pdf`` (image only) + its truth: the same fields, meta marked as a scan."""
    name = name or f"{report.name}-scan"
    out = outdir / f"{name}.pdf"
    scan_meta = make_scan(rendered.path, out, seed=seed, agency=report.agency, tables=rendered.tables, **scan_args)
    truth = truth_dict(report)
    meta = copy.deepcopy(truth["meta"])
    meta.pop("tables", None)  # boxes of the text PDF; the scan's pages are skewed and rotated
    meta.update(scan_meta)
    meta["source"] = out.name
    meta["scan_of"] = rendered.path.name
    (outdir / f"{name}.truth.json").write_text(
        json.dumps({"fields": truth["fields"], "meta": meta}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return out


# The committed samples/: what each one covers is in its name and in make_samples.py --help.
SAMPLE_SET: tuple[dict[str, Any], ...] = (
    dict(
        name="gen-2021-break-dash", seed=101, layout="2021", scale="medium", inconsistencies=0,
        font="serif", zero_style="—", zero_mix=0.05, break_row="unavailable.not_held", mistype_rate=0.1,
        mistype_rows=("denied.prohibited_by_law", "not_processed.excessive"),
        title_lines=2, rules="lines", label_scale=1.0, prose_scale=1.0,
        scan=dict(seed=1101, dpi=150, rotate_page=True),
    ),
    dict(
        name="gen-2019-blank-rects-inconsistent", seed=202, layout="2019", active_layout="2021", scale="medium", inconsistencies=1,
        font="sans", zero_style="", zero_mix=0.0, rules="rects", brackets="half", numsep="、", label_scale=0.7,
        break_row="not_processed.repeated", mistype_rate=0.0,
        scan=dict(seed=2202, dpi=200, rotate_page=False),
    ),
    dict(
        name="gen-2021-large-wrapped", seed=303, layout="2021", scale="large", inconsistencies=["review.total"],
        font="wqy", zero_style="/", zero_mix=0.0, label_scale=0.7, number_width=34.0, title_lines=1,
        table_size=10.0, break_row=None, mistype_rate=0.08,
    ),
    dict(
        name="gen-2019-mixed-zeros-typos", seed=404, layout="2019", active_layout="2021", scale="tiny", inconsistencies=0,
        font="serif", zero_style="-", zero_mix=0.2, mistype_rate=0.2, break_row="denied.state_secret",
        rules="lines", shade_headers=True,
    ),
)


def build_sample_set(outdir: Path, corpus: Path) -> list[Path]:
    """The committed set: the seed report, four generated reports and two scans of them."""
    written = []
    _, seed_rendered = build_seed_report(corpus, outdir)
    written.append(seed_rendered.path)
    for entry in SAMPLE_SET:
        entry = dict(entry)
        scan = entry.pop("scan", None)
        report = generate_report(**entry)
        rendered = write_report(report, outdir)
        written.append(rendered.path)
        if scan:
            written.append(write_scan(report, rendered, outdir, **scan))
    return written
