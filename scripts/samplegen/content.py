"""What a generated report says: numbers, printed cell texts, labels, prose, and its truth.

Everything about keys, labels and relations comes from ``models.fields`` / ``models.relations``.
Numbers are drawn so that every relation of ``relations(layout)`` holds; then, when asked for,
a few printed cells are made wrong on purpose (a real author's mistake) and recorded in
``meta.printed_inconsistencies``.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from decimal import Decimal

from models.fields import (
    ACTIVE_COLUMNS_2019,
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    LITIGATION_COLUMNS,
    LITIGATION_GROUPS,
    Layout,
    RowSpec,
    TableLayouts,
    active_rows,
    application_rows,
    registry,
)
from models.relations import relations

ZERO_STYLES = ("0", "", "—", "-", "/", "无")
FONTS = ("serif", "sans", "wqy")

# Fixed texts of the format that are not canonical fields (not in the registry).
NOTE_TEXT = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADER = "申请人情况"
CONTENT_HEADER = "信息内容"

SECTION_HEADINGS: dict[str, tuple[str, ...]] = {
    "一": ("一、总体情况",),
    "二": ("二、主动公开政府信息情况",),
    "三": ("三、收到和处理政府信息公开申请情况",),
    "四": ("四、政府信息公开行政复议、行政诉讼情况", "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况"),
    "五": ("五、存在的主要问题及改进情况", "五、存在的主要问题及改进措施"),
    "六": ("六、其他需要报告的事项", "六、其他需要报告的事项"),
}


@dataclass
class Style:
    """How a report is typeset. Every choice is drawn from the seed."""

    font: str = "serif"
    heading_font: str | None = None  # None: same as font
    body_size: float = 12.0
    table_size: float = 9.0
    title_size: float = 18.0
    title_lines: int = 2  # 1: agency and year on one line
    year_word: str = "年"  # 年 / 年度 in the title
    rules: str = "lines"  # lines: stroked paths; rects: thin filled rectangles; runs: chains of
    # tiny filled rectangles (3 × width pt); dashed / dotted: broken strokes
    frame: str = "full"  # full; open: no outer border (inner rules only); horizontal: rules between
    # rows only; vertical: between columns only; none: no table rules at all
    watermark: str | None = None  # text tiled across every page, drawn last, as real text
    watermark_angle: float = 30.0  # degrees (0: upright; then only its light grey marks it)
    watermark_grey: int = 184  # 0–255 fill of the watermark text
    title_order: str = "agency"  # agency first; year first; noyear: the year only in the period sentence
    title_glyphs: str = "plain"  # plain / kangxi / fullwidth / both (see glyphs.py)
    body_glyphs: str = "plain"  # the same for every other text on the page (labels, prose, cells)
    split_row: str | None = None  # table 三 row key broken across a page break (label runs on)
    split_values: str = "top"  # top: the numbers on the first part (Word's top-aligned cells); bottom
    split_cut: float = 0.5  # share of the split row's label printed on the first part
    rule_width: float = 0.5
    zero_style: str = "0"
    zero_mix: float = 0.0  # share of zero cells printed in another zero style
    brackets: str = "full"  # full: （一）; half: (一)
    numsep: str = "."  # 1. or 1、
    mistype_rate: float = 0.0  # share of application labels carrying a typo
    mistype_rows: tuple[str, ...] = ()  # rows of table 三 whose label always carries a typo
    label_scale: float = 1.0  # <1 narrows the label columns: labels wrap over more lines
    number_width: float = 32.0  # points per numeric column of table 三
    label_min: float = 120.0  # narrowest label side of table 三 (points); ~100 with label_scale ~0.3
    # and wide number columns: labels wrap over four or five lines, table 三 runs over three pages
    break_row: str | None = None  # row key of table 三 forced to start a new page
    header_break: dict[str, int] = field(default_factory=dict)  # table name (二/三/四) -> header row
    # forced to start a new page: the header is cut by the page break, a merged title cell over the
    # cut (自然人, 总计) runs on, its first line(s) at the foot of one page and the rest at the top of
    # the next (as LibreOffice and Word let a row break); the ``header_break`` scan kind
    shade_headers: bool = False  # table 二's block heading rows filled light blue
    header_shade: tuple[int, int, int] | None = None  # fill of every table's header cells (grey or
    # light blue), as office templates print them; the ``shaded_header`` scan kind
    shade_labels: bool = False  # with header_shade: table 三's label cells filled too
    shade_alternate: bool = False  # with header_shade: every other body row of table 三 filled (banded)
    margin_x: float = 72.0
    margin_top: float = 72.0
    margin_bottom: float = 72.0
    page_numbers: bool = True
    prose_scale: float = 1.0  # how much prose (number of sentences)
    litigation_header: int = 0  # variant of table 四's header
    label_align: str = "left"  # left / center for row labels
    active_label_in_header: bool = False  # table 二: the block label (第二十条第（一）项) printed in the
    # column-title row's first cell, no heading row of its own and no 信息内容
    backend: str = "fpdf"  # fpdf (embedded TrueType subsets); reportlab_cid: every text in reportlab's
    # STSong-Light CID font, not embedded (pdfium decodes no single-glyph text object of it)


@dataclass
class Report:
    name: str
    layout: Layout
    agency: str
    year: int
    values: dict[str, Any]  # canonical key -> value as printed (truth)
    printed: dict[str, str]  # table cell key -> printed text
    row_labels: dict[str, str]  # table 三 row key -> printed label
    group_labels: dict[str, str]  # registry group label -> printed label
    title_lines: list[str]
    intro: list[str]
    sections: dict[str, tuple[str, list[str]]]  # 一..六 -> (heading, paragraphs)
    style: Style
    meta: dict[str, Any] = field(default_factory=dict)
    active_labels: dict[str, str] = field(default_factory=dict)
    closing: list[str] = field(default_factory=list)  # signature / date lines
    active_layout: Layout | None = None  # table 二's layout; None: the same as ``layout`` (table 三's)
    active_titles: dict[str, str] = field(default_factory=dict)  # table 二 column key -> printed title

    @property
    def layouts(self) -> TableLayouts:
        return TableLayouts(active=self.active_layout or self.layout, applications=self.layout)

    def all_text(self) -> str:
        parts = [*self.title_lines, *self.intro, *self.closing]
        for heading, paras in self.sections.values():
            parts.append(heading)
            parts.extend(paras)
        parts.extend(self.printed.values())
        parts.extend(self.row_labels.values())
        parts.extend(self.group_labels.values())
        parts.extend(self.active_labels.values())
        return "".join(parts)


# --- keys -------------------------------------------------------------------------------------


def table_keys(layout: Layout | TableLayouts) -> list[str]:
    """Keys printed in a table cell (everything but the title and the prose fee)."""
    return [f.key for f in registry(layout) if f.table.value in ("二", "三", "四")]


def outcome_rows(layout: Layout) -> list[RowSpec]:
    return [r for r in application_rows(layout) if r.outcome]


# --- relations --------------------------------------------------------------------------------


def relation_failures(values: dict[str, Any], layout: Layout) -> list[str]:
    """Ids of the relations of ``relations(layout)`` that ``values`` break."""
    bad = []
    for rel in relations(layout):
        lhs = sum(values[k] for k in rel.lhs)
        rhs = sum(values[k] for k in rel.rhs)
        if lhs != rhs:
            bad.append(rel.id)
    return bad


# --- numbers ----------------------------------------------------------------------------------


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into len(weights) non-negative ints, roughly proportional to weights."""
    if total <= 0 or not any(weights):
        return [0] * len(weights)
    s = sum(weights)
    out = [int(total * w / s) for w in weights]
    rest = total - sum(out)
    live = [i for i, w in enumerate(weights) if w > 0]
    for _ in range(rest):
        out[rng.choice(live)] += 1
    return out


def _draw_numbers(rng: random.Random, layout: Layout, scale: str) -> dict[str, Any]:
    v: dict[str, Any] = {}
    # table 二
    v["active.regulations.issued"] = rng.choice([0, 0, 0, 0, 1, 2])
    v["active.regulations.repealed"] = rng.choice([0, 0, 0, 1])
    v["active.regulations.in_force"] = v["active.regulations.issued"] + rng.choice([0, 0, 3, 12, 27])
    nd_issued = rng.choice([0, 1, 2, 3, 5, 8, 14, 31])
    v["active.normative_documents.issued"] = nd_issued
    v["active.normative_documents.repealed"] = rng.choice([0, 0, 1, 2, 5, 9])
    v["active.normative_documents.in_force"] = nd_issued + rng.choice([0, 4, 15, 37, 112, 256])
    big = scale == "large"
    v["active.licensing.decisions"] = rng.choice([0, 0, 12, 550, 3119, 9487]) if not big else rng.choice([12345, 28761, 3119])
    v["active.penalty.decisions"] = rng.choice([0, 0, 7, 83, 4119]) if not big else rng.choice([2776, 4119, 10432])
    v["active.coercion.decisions"] = rng.choice([0, 0, 0, 3, 84, 195])
    fee_kind = rng.choice(["zero", "zero", "decimal", "decimal", "int"])
    if fee_kind == "zero":
        v["active.fees.amount"] = 0
    elif fee_kind == "int":
        v["active.fees.amount"] = rng.choice([12, 305, 7545])
    else:
        cents = rng.randint(1, 999_999)
        if cents % 10 == 0:
            cents += 3
        v["active.fees.amount"] = round(cents / 100, 2)

    # table 三
    if scale == "tiny":
        recv_total = rng.randint(0, 6)
    elif scale == "large":
        recv_total = rng.randint(3000, 13000)
    else:
        recv_total = rng.randint(8, 260)
    col_weights = [rng.uniform(6, 12)] + [rng.choice([0, 0, 0.3, 1.2]) for _ in APPLICANT_PARTS[1:]]
    received = _split(rng, recv_total, col_weights)
    carried_over = [rng.choice([0, 0, 0, 1, 2]) if r or rng.random() < 0.2 else 0 for r in received]
    if big:
        carried_over[0] += rng.randint(10, 140)
    outcomes = outcome_rows(layout)
    base_w = {
        "granted": 5.0, "partially_granted": 1.0, "unavailable.not_held": 3.0,
        "unavailable.requires_creation": 0.6, "unavailable.still_unclear": 0.3,
        "not_processed.complaints": 0.5, "not_processed.repeated": 0.4, "other.total": 0.6,
        "other.no_supplement": 0.3, "other.other": 0.4,
    }
    weights = []
    for row in outcomes:
        w = base_w.get(row.key, 0.15)
        weights.append(w if rng.random() < 0.75 or row.key == "granted" else 0.0)
    for i, col in enumerate(APPLICANT_PARTS):
        avail = received[i] + carried_over[i]
        fwd = 0 if avail == 0 else min(avail, rng.choice([0, 0, 0, 1, 2, max(1, avail // 12)]))
        closed = avail - fwd
        split = _split(rng, closed, weights)
        for row, n in zip(outcomes, split, strict=True):
            v[f"applications.{row.key}.{col}"] = n
        v[f"applications.received.{col}"] = received[i]
        v[f"applications.carried_over.{col}"] = carried_over[i]
        v[f"applications.carried_forward.{col}"] = fwd
        v[f"applications.closed_total.{col}"] = closed
    for row in application_rows(layout):
        v[f"applications.{row.key}.total"] = sum(v[f"applications.{row.key}.{c}"] for c in APPLICANT_PARTS)

    # table 四
    for group in LITIGATION_GROUPS:
        parts = {}
        busy = rng.random() < (0.7 if recv_total > 20 else 0.25)
        for col in LITIGATION_COLUMNS[:-1]:
            parts[col.key] = rng.choice([0, 0, 1, 2, 3, 10]) if busy else 0
        for k, n in parts.items():
            v[f"{group.key}.{k}"] = n
        v[f"{group.key}.total"] = sum(parts.values())
    return v


def _draw_active_2019(rng: random.Random, scale: str) -> tuple[dict[str, Any], str, str]:
    """The 2019 table 二's values (amount in 万元, exact), the printed procurement unit style and
    the 本年增/减 style."""
    v: dict[str, Any] = {}
    big = scale == "large"
    for row in ("regulations", "normative_documents"):
        made = rng.choice([0, 0, 1, 2] if row == "regulations" else [0, 2, 5, 14, 89])
        v[f"active.{row}.made"] = made
        v[f"active.{row}.published"] = made if rng.random() < 0.8 else max(0, made - 1)
        v[f"active.{row}.public_total"] = v[f"active.{row}.published"] + rng.choice([0, 0, 6, 41, 230])
    for row in ("licensing", "other_services", "penalty", "coercion", "fees"):
        prior = rng.choice([0, 3, 10, 35, 126, 396] if not big else [396, 2648, 1207])
        change = rng.choice([0, 0, 0, 2, 5, -1, -3]) if prior else rng.choice([0, 0, 4])
        v[f"active.{row}.prior_items"] = prior
        v[f"active.{row}.change"] = max(change, -prior)
        if row != "fees":
            v[f"active.{row}.decisions"] = rng.choice([0, 0, 25, 153, 181, 430] if not big else [2776, 10432, 4119])
    items = rng.choice([0, 3, 17, 135])
    v["active.procurement.items"] = items
    yuan = Decimal(0) if not items else Decimal(rng.randint(10_000, 9_999_999_999)) / 100
    v["active.procurement.amount"] = yuan / 10000  # 万元, exact
    unit_style = rng.choice(["title_wan", "title_yuan", "cell_yuan", "cell_yuan"])
    change_style = rng.choice(["sign", "sign", "unicode_minus", "words"])
    return v, unit_style, change_style


def _print_change(n: int, style: str) -> str:
    if n > 0:
        return f"增加{n}" if style == "words" else f"+{n}"
    if style == "words":
        return f"减少{-n}"
    return f"\u2212{-n}" if style == "unicode_minus" else f"-{-n}"


def _print_active_2019(report_values: dict[str, Any], printed: dict[str, str], unit_style: str, change_style: str) -> dict[str, str]:
    """Printed texts of the 2019 table 二's change and amount cells (counts are printed as usual);
    returns the printed titles that differ from the registry's."""
    for key, val in report_values.items():
        if key.startswith("active.") and key.endswith(".change") and val != 0:
            printed[key] = _print_change(val, change_style)
    amount = report_values["active.procurement.amount"]
    titles = {}
    if amount != 0:
        if unit_style == "title_wan":
            printed["active.procurement.amount"] = _fmt_decimal(amount)
        else:
            printed["active.procurement.amount"] = f"{amount * 10000:.2f}" + ("元" if unit_style == "cell_yuan" else "")
    if unit_style == "title_wan":
        titles["amount"] = ACTIVE_COLUMNS_2019["amount"].label + "（万元）"
    elif unit_style == "title_yuan":
        titles["amount"] = ACTIVE_COLUMNS_2019["amount"].label + "（元）"
    elif amount == 0:
        printed["active.procurement.amount"] = "0元"  # a bare blank/0 with no unit anywhere is ambiguous
    return titles


def _fmt_decimal(d: Decimal) -> str:
    s = format(d, "f")
    return s.rstrip("0").rstrip(".") if "." in s else s


# --- printed text -----------------------------------------------------------------------------


def _fmt_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, Decimal):
        return _fmt_decimal(value)
    return str(value)


def _print_values(rng: random.Random, values: dict[str, Any], keys: list[str], style: Style) -> dict[str, str]:
    printed = {}
    for key in keys:
        val = values[key]
        if val == 0:
            zs = style.zero_style
            if style.zero_mix and rng.random() < style.zero_mix:
                zs = rng.choice([z for z in ZERO_STYLES if z != zs])
            printed[key] = zs
        else:
            printed[key] = _fmt_number(val)
    return printed


_BRACKETS = str.maketrans({"（": "(", "）": ")"})
# typos seen in real reports, as (fragment, printed instead)
KNOWN_TYPOS = (("法律行政法规禁止", "法律行政止"), ("大量反复申请", "大量反复 申请"), ("重新出具", "重 新出具"))


def style_label(label: str, style: Style) -> str:
    if style.brackets == "half":
        label = label.translate(_BRACKETS)
    if style.numsep != ".":
        label = re.sub(r"^(\d)\.", lambda m: m.group(1) + style.numsep, label)
    return label


def mistype(rng: random.Random, label: str) -> str:
    """A plausible typo: a known one when the label has it, else a stray space or a dropped char."""
    for frag, typo in KNOWN_TYPOS:
        if frag in label:
            return label.replace(frag, typo, 1)
    m = re.match(r"^(\d[.、]|（.）|\(.\))", label)
    head = m.end() if m else 0
    body = label[head:]
    if len(body) < 4:
        return label
    i = rng.randint(2, len(body) - 2)
    if rng.random() < 0.6:
        return label[:head] + body[:i] + " " + body[i:]
    return label[:head] + body[:i] + body[i + 1 :]


# --- names and prose --------------------------------------------------------------------------

_PLACES = ("朝阳市", "洪泽区", "青山县", "临江市", "河西区", "南湖区", "白云县", "东山市", "北塘区", "安平县", "清河市", "枫林区")
_DEPARTMENTS = (
    "人民政府", "民政局", "教育局", "自然资源和规划局", "生态环境局", "住房和城乡建设局", "交通运输局",
    "市场监督管理局", "卫生健康委员会", "人力资源和社会保障局", "财政局", "人民政府办公室",
)


def agency_name(rng: random.Random) -> str:
    return rng.choice(_PLACES) + rng.choice(_DEPARTMENTS)


def _prose_one(rng: random.Random, ag: str, y: int, v: dict[str, Any], scale: float) -> list[str]:
    recv = v["applications.received.total"]
    nd = v.get("active.normative_documents.issued", v.get("active.normative_documents.made"))
    sentences = [
        f"{y}年，{ag}坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻落实《中华人民共和国政府信息公开条例》，"
        "围绕中心工作，持续深化政务公开，不断提升政府信息公开工作质量。",
        f"（一）主动公开。全年通过门户网站主动公开政府信息{rng.randint(120, 4800)}条，其中重点领域信息{rng.randint(20, 600)}条，"
        f"制发行政规范性文件{nd}件，均按要求在政府网站集中公开。",
        f"（二）依申请公开。全年共收到政府信息公开申请{recv}件，均在法定期限内予以答复，进一步规范了依申请公开的受理、办理、答复等环节。",
        "（三）政府信息管理。严格落实公开前保密审查制度，建立政府信息公开属性源头认定机制，动态更新政府信息公开目录。",
        "（四）平台建设。优化政府网站信息公开专栏设置，完善政策文件库，推动政务新媒体规范发展，拓宽信息公开渠道。",
        f"（五）监督保障。将政务公开工作纳入年度绩效考核，组织业务培训{rng.randint(1, 9)}次，切实提升工作人员业务能力。",
    ]
    n = max(2, min(len(sentences), round(len(sentences) * scale)))
    return sentences[:n]


def _prose_five(rng: random.Random, scale: float) -> list[str]:
    problems = [
        "一是政策解读形式还不够丰富，图解、视频等解读方式运用较少。",
        "二是部分信息更新不够及时，基层公开标准化规范化建设仍需加强。",
        "三是工作人员多为兼职，业务水平有待进一步提升。",
    ]
    fixes = [
        "下一步，将进一步加强政策解读，丰富解读形式，提升解读质量；",
        "健全信息发布审核机制，确保信息公开及时、准确、全面；",
        "加强业务培训，着力提升政务公开队伍的专业化水平。",
    ]
    k = max(1, round(3 * scale))
    return ["".join(problems[:k]), "".join(fixes[:k])]


def _fee_sentence(rng: random.Random, fee: Any) -> str:
    pattern = rng.choice(["本年度收取信息处理费{}元。", "本机关{}年度共收取信息处理费{}元。", "根据《政府信息公开信息处理费管理办法》，本年度收取信息处理费{}元。"])
    if pattern.count("{}") == 2:
        return pattern.format("本", _fmt_number(fee))
    return pattern.format(_fmt_number(fee))


def _prose_six(rng: random.Random, fee: Any | None, y: int) -> list[str]:
    paras = [f"{y}年，组织开展“5·15政务公开日”宣传活动，通过展板展示、发放资料等方式宣传政务公开工作。"]
    if fee is not None:
        paras.append(_fee_sentence(rng, fee))
    else:
        paras.append("无其他需要报告的事项。")
    return paras


# --- the report -------------------------------------------------------------------------------


def _title_lines(agency: str, year: int, style: Style) -> list[str]:
    """The title as printed: agency or year first, one or two lines, in ``style.title_glyphs``."""
    from .glyphs import printed

    name = "政府信息公开工作年度报告"
    when = f"{year}{style.year_word}"
    if style.title_order == "year":
        parts = [when + agency, name] if style.title_lines == 2 else [when + agency + name]
    elif style.title_order == "noyear":
        parts = [agency, name] if style.title_lines == 2 else [agency + name]
    else:
        parts = [agency, when + name] if style.title_lines == 2 else [agency + when + name]
    return [printed(p, style.title_glyphs) for p in parts]


def draw_style(rng: random.Random, layout: Layout) -> Style:
    rows = [r.key for r in application_rows(layout)]
    return Style(
        font=rng.choice(FONTS),
        heading_font=rng.choice([None, "sans", "wqy"]),
        body_size=rng.choice([10.5, 11.0, 12.0, 12.0, 14.0]),
        table_size=rng.choice([7.5, 8.0, 8.5, 9.0, 9.0, 10.0]),
        title_size=rng.choice([16.0, 18.0, 20.0, 22.0]),
        title_lines=rng.choice([1, 2, 2]),
        year_word=rng.choice(["年", "年度"]),
        rules=rng.choice(["lines", "lines", "rects"]),
        rule_width=rng.choice([0.4, 0.5, 0.75, 1.0]),
        zero_style=rng.choice(["0", "0", "0", "", "—", "-", "/", "无"]),
        zero_mix=rng.choice([0.0, 0.0, 0.05, 0.2]),
        brackets=rng.choice(["full", "full", "half"]),
        numsep=rng.choice([".", ".", "、"]),
        mistype_rate=rng.choice([0.0, 0.0, 0.05, 0.12]),
        label_scale=rng.choice([0.7, 0.85, 1.0, 1.0, 1.15]),
        number_width=rng.choice([26.0, 30.0, 32.0, 36.0]),
        break_row=rng.choice([None, None, *rows[2:-1]]),
        shade_headers=rng.random() < 0.4,
        margin_x=rng.choice([54.0, 64.0, 72.0, 80.0]),
        margin_top=rng.choice([60.0, 72.0, 90.0]),
        margin_bottom=rng.choice([60.0, 72.0, 80.0]),
        page_numbers=rng.random() < 0.8,
        prose_scale=rng.choice([0.4, 0.7, 1.0, 1.0]),
        litigation_header=rng.choice([0, 1]),
        label_align=rng.choice(["left", "left", "center"]),
    )


def _inconsistency_candidates(layout: Layout, values: dict[str, Any]) -> list[str]:
    keys = [f"applications.{r.key}.total" for r in application_rows(layout)]
    keys += [f"applications.closed_total.{c.key}" for c in APPLICANT_COLUMNS]
    keys += [f"{g.key}.total" for g in LITIGATION_GROUPS]
    return keys


def make_inconsistent(rng: random.Random, report: Report, n: int | Sequence[str] = 1) -> None:
    """Print wrong totals (``n`` drawn, or the given keys), as authors do; record them in the meta."""
    layout = report.layout
    cands = _inconsistency_candidates(layout, report.values)
    chosen: list[str] = []
    for i in range(n if isinstance(n, int) else len(n)):
        key = rng.choice([k for k in cands if k not in chosen]) if isinstance(n, int) else n[i]
        if key not in report.values:
            raise KeyError(key)
        chosen.append(key)
        consistent = report.values[key]
        if key.endswith(".total") and key.split(".")[0] in {g.key for g in LITIGATION_GROUPS} and consistent:
            wrong = 0  # the real pattern: parts filled in, 总计 left at 0
        else:
            wrong = consistent + rng.choice([1, 2, 10, -1]) if consistent > 1 else consistent + rng.choice([1, 2, 10])
        report.values[key] = wrong
        report.printed[key] = _fmt_number(wrong) if wrong != 0 else "0"
    failing = relation_failures(report.values, layout)
    details = []
    for key in chosen:
        rels = [rid for rid in failing if key in next(r for r in relations(layout) if r.id == rid).keys]
        details.append({"key": key, "printed": report.values[key], "relations": rels})
    report.meta["printed_inconsistencies"] = chosen
    report.meta["inconsistency_details"] = details
    report.meta["broken_relations"] = failing


def generate_report(
    seed: int,
    *,
    name: str | None = None,
    layout: Layout | str | None = None,
    scale: str | None = None,
    inconsistencies: int | Sequence[str] | None = None,
    active_layout: Layout | str | None = None,
    **style_overrides: Any,
) -> Report:
    """A report drawn deterministically from ``seed``; keyword arguments pin choices.

    ``layout`` is table 三's (2019: （六）其他处理 as one row); ``active_layout`` table 二's (2019: the
    国办公开办函〔2019〕60号 columns). Unpinned, table 二 follows table 三 and one report in four
    mixes them (a 2021 table 三 under a 2019 table 二, or the reverse), as real reports do. The
    table 二 choices come from a second generator seeded from ``seed``, so the rest of a report
    is the same whatever its table 二.
    """
    rng = random.Random(seed)
    rng2 = random.Random(f"table-2:{seed}")
    layout = Layout(layout) if layout is not None else rng.choice([Layout.L2021, Layout.L2021, Layout.L2019])
    if active_layout is None:
        other = Layout.L2019 if layout == Layout.L2021 else Layout.L2021
        active_layout = other if rng2.random() < 0.25 else layout
    active_layout = Layout(active_layout)
    style = draw_style(rng, layout)
    for k, val in style_overrides.items():
        if not hasattr(style, k):
            raise TypeError(f"unknown style option {k!r}")
        setattr(style, k, val)
    scale = scale or rng.choice(["tiny", "medium", "medium", "large"])
    year = rng.choice([2020, 2021, 2022, 2023, 2024])
    agency = agency_name(rng)
    values: dict[str, Any] = {"report.agency": agency, "report.year": year}
    values.update(_draw_numbers(rng, layout, scale))
    if active_layout == Layout.L2019:
        for key in [k for k in values if k.startswith("active.")]:
            del values[key]
        active_values, unit_style, change_style = _draw_active_2019(rng2, scale)
        values.update(active_values)
    fee = rng.choice([0, 0, 0, 0, 50, 120.5, None])
    if fee is not None:
        values["fees.information_processing"] = fee
    layouts = TableLayouts(active=active_layout, applications=layout)
    keys = table_keys(layouts)
    printed = _print_values(rng, values, keys, style)
    active_titles: dict[str, str] = {}
    if active_layout == Layout.L2019:
        active_titles = _print_active_2019(values, printed, unit_style, change_style)
        if rng2.random() < 0.3:  # a wording seen in real 2019 reports
            active_titles["change"] = "本年增减"

    row_labels: dict[str, str] = {}
    mistyped: dict[str, str] = {}
    for row in application_rows(layout):
        label = style_label(row.label, style)
        if row.key in style.mistype_rows or (style.mistype_rate and rng.random() < style.mistype_rate):
            typo = mistype(rng, label)
            if typo != label:
                mistyped[row.key] = typo
                label = typo
        row_labels[row.key] = label
    groups = {r.group for r in application_rows(layout) if r.group}
    group_labels = {g: style_label(g, style) for g in sorted(groups)}
    active_labels = {row.key: row.label for row, _ in active_rows(active_layout)}
    if active_layout == Layout.L2019 and rng2.random() < 0.3:
        active_labels["normative_documents"] = "行政规范性文件"  # the 2021 wording under 2019 columns

    title_lines = _title_lines(agency, year, style)
    intro = [
        f"本报告根据《中华人民共和国政府信息公开条例》和《中华人民共和国政府信息公开工作年度报告格式》"
        f"（国办公开办函〔2021〕30号）要求编制。本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"
    ]
    sections = {
        "一": (SECTION_HEADINGS["一"][0], _prose_one(rng, agency, year, values, style.prose_scale)),
        "二": (SECTION_HEADINGS["二"][0], []),
        "三": (SECTION_HEADINGS["三"][0], []),
        "四": (rng.choice(SECTION_HEADINGS["四"]), []),
        "五": (rng.choice(SECTION_HEADINGS["五"]), _prose_five(rng, style.prose_scale)),
        "六": (SECTION_HEADINGS["六"][0], _prose_six(rng, fee, year)),
    }
    closing = [agency, f"{year + 1}年1月{rng.randint(10, 31)}日"] if rng.random() < 0.5 else []
    report = Report(
        name=name or f"gen-{seed}",
        layout=layout,
        agency=agency,
        year=year,
        values=values,
        printed=printed,
        row_labels=row_labels,
        group_labels=group_labels,
        title_lines=title_lines,
        intro=intro,
        sections=sections,
        style=style,
        active_labels=active_labels,
        closing=closing,
        active_layout=active_layout,
        active_titles=active_titles,
    )
    report.meta = {
        "source": f"{report.name}.pdf",
        "generator": "scripts/make_samples.py",
        "seed": seed,
        "layout": layout.value,
        "scale": scale,
        "zero_style": style.zero_style if not style.zero_mix else f"{style.zero_style} (mixed)",
        "font": style.font,
        "rules": style.rules,
    }
    if active_layout != layout:  # a mixed report: what each table prints (meta.layout is table 三's)
        report.meta["layouts"] = {k: v.value for k, v in layouts.by_table().items()}
    if mistyped:
        report.meta["mistyped_labels"] = mistyped
    if inconsistencies is None:
        inconsistencies = 1 if rng.random() < 0.3 else 0
    if inconsistencies:
        make_inconsistent(rng, report, inconsistencies)
    else:
        report.meta["printed_inconsistencies"] = []
    return report


# --- truth ------------------------------------------------------------------------------------


def truth_dict(report: Report) -> dict[str, Any]:
    """``{"fields": ..., "meta": ...}`` with fields in registry order, as the corpus files."""
    fields = {}
    for spec in registry(report.layouts):
        if spec.key in report.values:
            v = report.values[spec.key]
            fields[spec.key] = float(v) if isinstance(v, Decimal) else v  # JSON numbers, as the corpus
        elif not spec.optional:
            raise KeyError(f"{report.name}: no value for {spec.key}")
    return {"fields": fields, "meta": report.meta}


def write_truth(report: Report, path: Path) -> None:
    path.write_text(json.dumps(truth_dict(report), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
