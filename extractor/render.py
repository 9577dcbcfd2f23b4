"""Present an extraction for people and for scripts: JSON, CSV, and the tables as printed."""

from __future__ import annotations

import csv
import io
import json
import re
from decimal import Decimal

from rich.console import Group
from rich.table import Table
from rich.text import Text

from models.extraction import CheckStatus, Extraction, FieldStatus
from models.fields import (
    APPLICANT_COLUMNS,
    LITIGATION_COLUMNS,
    LITIGATION_GROUPS,
    active_rows,
    application_rows,
    registry,
)


def to_json(result: Extraction) -> str:
    return json.dumps(result.to_output(), ensure_ascii=False, indent=2)


# --- CSV cells that a spreadsheet never evaluates (OWASP "CSV Injection") ---------------------
#
# OWASP: a cell starting with ``=``, ``+``, ``-``, ``@``, tab (0x09) or carriage return (0x0D) may
# be evaluated as a formula by Excel / LibreOffice / Google Sheets; prefix such a cell with a
# single quote so it is shown as text. OWASP's own caveat is that this rule also mangles data;
# its exemption here is narrow: a cell that is *only* a plain number (``-3``, ``+5``, ``0``,
# ``-1,234.5`` — a spreadsheet reads it as that number, there is no formula to run) or a lone
# printed zero mark (``-``, ``--``; a dash alone is not a formula) stays as written. Anything else
# with a lead — ``-2+3``, ``=1+1``, ``+1+cmd|…``, ``-1e5`` — is neutralised. Full-width leads
# (``＝ ＋ － ＠``, typed by Chinese IMEs; some spreadsheets in CJK locales take ``＝`` as ``=``) are
# treated the same. Numbers given as numbers (int, float, Decimal) are never touched.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_PLAIN_NUMBER = re.compile(r"[+\-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")
_ZERO_MARK = re.compile(r"[-－]{1,2}")


def csv_cell(v):
    """One CSV cell, safe to open in a spreadsheet: ``None`` → ``""``; text starting with a formula
    lead gets a leading ``'`` unless it is a plain number or a lone dash (see above); every other
    value is returned unchanged. Used by ``govreport extract --format csv`` and by the store's
    CSV export (``extractor.store.export``)."""
    if v is None:
        return ""
    if isinstance(v, str) and v.startswith(FORMULA_LEADS):
        if _PLAIN_NUMBER.fullmatch(v) or _ZERO_MARK.fullmatch(v):
            return v
        return "'" + v
    return v


CSV_COLUMNS = ["key", "value", "raw", "confidence", "page", "source", "status", "x0", "top", "x1", "bottom", "unit"]


def to_csv(result: Extraction) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    for spec in registry(result.table_layouts()):
        f = result.fields.get(spec.key)
        if f is None:
            continue
        value = float(f.value) if isinstance(f.value, Decimal) else f.value
        b = f.bbox
        box = [round(v, 2) for v in (b.x0, b.top, b.x1, b.bottom)] if b else ["", "", "", ""]
        writer.writerow([csv_cell(c) for c in (
            f.key, value, f.raw, round(f.confidence, 4), f.page, f.source.value, f.status.value, *box, f.unit or "",
        )])
    return buf.getvalue()


def flagged_keys(result: Extraction) -> set[str]:
    """Fields a person should look at: status review, or a term of a broken relation."""
    keys = {k for k, f in result.fields.items() if f.status == FieldStatus.REVIEW}
    for check in result.checks:
        if check.status == CheckStatus.BROKEN and check.severity == "error":
            keys.update(check.fields)
    return keys


def _cell(result: Extraction, key: str, flagged: set[str]) -> Text:
    f = result.fields.get(key)
    if f is None:
        return Text("?", style="bold red")
    shown = f.raw if f.raw.strip() and f.raw.strip() != str(f.value) else str(
        float(f.value) if isinstance(f.value, Decimal) else f.value
    )
    if f.value is None:
        shown = f.raw or "?"
    elif f.unit and f.raw.strip() and not f.raw.strip().endswith(f.unit):
        shown = f"{shown} {f.unit}"  # the unit the title printed
    if key in flagged:
        return Text(f"{shown}⚑", style="bold red")
    return Text(shown)


def render_tables(result: Extraction) -> Group:
    """Tables 二, 三 and 四 laid out as the document prints them; flagged cells marked ⚑."""
    flagged = flagged_keys(result)
    meta = result.report
    layouts = result.table_layouts()
    per_table = " ".join(f"{t} {lay}" for t, lay in layouts.by_table().items())
    title = Text(f"{meta.agency or '?'} · {meta.year or '?'} · layout {per_table} · {meta.pages} page(s) · {result.status}")

    # table 二 as printed: per block (第二十条第…项) its column titles, then its rows
    active = Table(title=f"二、主动公开政府信息情况 ({layouts.active} format)", show_lines=False)
    active.add_column("信息内容")
    for _ in range(3):
        active.add_column("", justify="right")
    block = None
    for row, columns in active_rows(layouts.active):
        if row.group != block:
            block = row.group
            active.add_row(
                Text(str(block), style="bold"),
                *[Text(c.label, style="bold") for c in columns], *[""] * (3 - len(columns)),
            )
        cells = [_cell(result, f"active.{row.key}.{c.key}", flagged) for c in columns]
        active.add_row(row.label, *cells, *[""] * (3 - len(cells)))

    apps = Table(title=f"三、收到和处理政府信息公开申请情况 ({layouts.applications} format)", show_lines=False)
    apps.add_column("")
    apps.add_column("")
    for col in APPLICANT_COLUMNS:
        apps.add_column(col.label, justify="right")
    group_seen: set[str] = set()
    for row in application_rows(layouts.applications):
        group = row.group or ""
        shown_group = group if group and group not in group_seen else ""
        group_seen.add(group)
        apps.add_row(
            shown_group, row.label,
            *[_cell(result, f"applications.{row.key}.{c.key}", flagged) for c in APPLICANT_COLUMNS],
        )

    lit = Table(title="四、行政复议、行政诉讼情况 (the printed row of 15, one group per line)")
    lit.add_column("")
    for col in LITIGATION_COLUMNS:
        lit.add_column(col.label, justify="right")
    for g in LITIGATION_GROUPS:
        label = f"{g.group} · {g.label}" if g.group else g.label
        lit.add_row(label, *[_cell(result, f"{g.key}.{c.key}", flagged) for c in LITIGATION_COLUMNS])

    parts = [title, active, apps, lit]
    fee = result.fields.get("fees.information_processing")
    if fee is not None:
        value = float(fee.value) if isinstance(fee.value, Decimal) else fee.value
        parts.append(Text(f"六、信息处理费: {value} 元  (printed: {fee.raw})"))
    broken = [c for c in result.checks if c.status == CheckStatus.BROKEN]
    if broken:
        parts.append(Text("Broken relations:", style="bold red"))
        for c in broken:
            parts.append(Text(f"  ⚑ {c.relation}: {c.description} (lhs {c.lhs}, rhs {c.rhs}, difference {c.difference})"))
    for s in result.suggestions:
        parts.append(Text(f"  → {s.field}: printed {s.printed}, suggest {s.suggested} (p={s.probability:.2f}, {s.kind})"))
    if result.errors:
        for e in result.errors:
            parts.append(Text(f"  ! {e.stage}: {e.message}", style="yellow"))
    return Group(*parts)
