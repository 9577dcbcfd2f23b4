"""The seed report (朝阳市民政局 2023) rebuilt as a PDF from its text copy.

The text holds the prose as paragraphs and the tables as cells, one per line, ``|``-separated
(a line of bare ``|`` is an empty merged cell). Labels and values are read by matching the
registry's labels; the result must equal the hand-checked truth file beside the text.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from models.fields import (
    ACTIVE_ROWS,
    APPLICANT_COLUMNS,
    LITIGATION_COLUMNS,
    LITIGATION_GROUPS,
    Layout,
    application_rows,
)

from .content import Report, Style, truth_dict
from .render import Rendered, render_pdf

SEED_NAME = "seed_chaoyang-minzheng-2023"
_HEADING = re.compile(r"^([一二三四五六])、")
_NUM = re.compile(r"^\d+(\.\d+)?$")


def norm(s: str) -> str:
    """Compare labels across bracket widths, spaces and 1./1、 numbering."""
    s = s.translate(str.maketrans({"（": "(", "）": ")", "：": ":", "，": ","}))
    s = re.sub(r"\s+", "", s)
    return re.sub(r"^(\d)、", r"\1.", s)


def _value(tok: str) -> Any:
    if not tok.strip() or tok.strip() in ("—", "-", "/", "无"):
        return 0
    return float(tok) if "." in tok else int(tok)


def _cells(lines: list[str]) -> list[str]:
    out = []
    for line in lines:
        if "|" not in line:
            continue
        text = line.split("|", 1)[0].strip()
        if text:
            out.append(text)
    return out


def _after(tokens: list[str], label: str, n: int, start: int = 0) -> tuple[list[str], int]:
    want = norm(label)
    for i in range(start, len(tokens)):
        if norm(tokens[i]) == want:
            vals = tokens[i + 1 : i + 1 + n]
            if len(vals) == n and all(_NUM.match(v) for v in vals):
                return vals, i
    raise ValueError(f"label {label!r} with {n} values not found")


def parse_seed(txt: Path, truth_meta: dict[str, Any]) -> Report:
    text = txt.read_text(encoding="utf-8")
    lines = [ln.rstrip("\n") for ln in text.splitlines() if ln.strip()]
    intro: list[str] = []
    sections: dict[str, tuple[str, list[str]]] = {}
    blocks: dict[str, list[str]] = {}
    cur: str | None = None
    for ln in lines:
        m = _HEADING.match(ln)
        if m and "|" not in ln and m.group(1) not in sections:
            cur = m.group(1)
            sections[cur] = (ln.strip(), [])
            blocks[cur] = []
            continue
        if cur is None:
            intro.append(ln.strip())
        elif "|" in ln:
            blocks[cur].append(ln)
        else:
            sections[cur][1].append(ln.strip())
    m = re.search(r"现公布(.+?)(\d{4})年度?政府信息公开", intro[0])
    if not m:
        raise ValueError("agency and year not found in the seed's first paragraph")
    agency, year = m.group(1), int(m.group(2))
    values: dict[str, Any] = {"report.agency": agency, "report.year": year}
    printed: dict[str, str] = {}
    active_labels: dict[str, str] = {}
    toks = _cells(blocks["二"])
    for row, cols in ACTIVE_ROWS:
        vals, i = _after(toks, row.label, len(cols))
        active_labels[row.key] = toks[i]
        for col, tok in zip(cols, vals, strict=True):
            key = f"active.{row.key}.{col}"
            values[key], printed[key] = _value(tok), tok
    toks = _cells(blocks["三"])
    layout = Layout.L2021
    try:
        _after(toks, next(r.label for r in application_rows(Layout.L2019) if r.key == "other.total"), len(APPLICANT_COLUMNS))
        layout = Layout.L2019
    except ValueError:
        pass
    row_labels: dict[str, str] = {}
    group_labels: dict[str, str] = {}
    pos = 0
    for row in application_rows(layout):
        vals, i = _after(toks, row.label, len(APPLICANT_COLUMNS), pos)
        pos = i + 1
        row_labels[row.key] = toks[i]
        if row.group and row.group not in group_labels:
            group_labels[row.group] = next((t for t in toks if norm(t) == norm(row.group)), row.group)
        for col, tok in zip(APPLICANT_COLUMNS, vals, strict=True):
            key = f"applications.{row.key}.{col.key}"
            values[key], printed[key] = _value(tok), tok
    nums = [t for t in _cells(blocks["四"]) if _NUM.match(t)]
    lit_keys = [f"{g.key}.{c.key}" for g in LITIGATION_GROUPS for c in LITIGATION_COLUMNS]
    nums = nums[-len(lit_keys) :]
    for key, tok in zip(lit_keys, nums, strict=True):
        values[key], printed[key] = _value(tok), tok
    fee = re.search(r"收取信息处理费(\d+(?:\.\d+)?)元", "".join(sections["六"][1]))
    if fee:
        values["fees.information_processing"] = _value(fee.group(1))
    style = Style(
        font="serif", heading_font="sans", body_size=12.0, table_size=8.5, title_size=20.0, title_lines=2,
        year_word="年度", rules="lines", rule_width=0.5, zero_style="0", brackets="half", numsep=".",
        label_scale=1.0, number_width=30.0, break_row=None, shade_headers=False, margin_x=72.0,
        margin_top=72.0, margin_bottom=72.0, page_numbers=True, litigation_header=1,
    )
    return Report(
        name=SEED_NAME,
        layout=layout,
        agency=agency,
        year=year,
        values=values,
        printed=printed,
        row_labels=row_labels,
        group_labels=group_labels,
        title_lines=[agency, f"{year}年度政府信息公开工作年度报告"],
        intro=intro,
        sections=sections,
        style=style,
        meta=dict(truth_meta),
        active_labels=active_labels,
        closing=[agency, f"{year + 1}年1月"],
    )


def build_seed_report(corpus: Path, outdir: Path) -> tuple[Report, Rendered]:
    """Write ``NAME.pdf`` and a byte copy of ``NAME.truth.json`` into ``outdir``.

    Raises ValueError when the values read from the text differ from the truth file.
    """
    txt = corpus / f"{SEED_NAME}.txt"
    truth_path = corpus / f"{SEED_NAME}.truth.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8"))
    report = parse_seed(txt, truth["meta"])
    mine = truth_dict(report)
    if mine != truth:
        diff = {k: (mine["fields"].get(k), v) for k, v in truth["fields"].items() if mine["fields"].get(k) != v}
        extra = sorted(set(mine["fields"]) - set(truth["fields"]))
        raise ValueError(f"seed values differ from the truth file: {diff} extra={extra}")
    outdir.mkdir(parents=True, exist_ok=True)
    rendered = render_pdf(report, outdir / f"{SEED_NAME}.pdf")
    shutil.copyfile(truth_path, outdir / f"{SEED_NAME}.truth.json")
    return report, rendered
