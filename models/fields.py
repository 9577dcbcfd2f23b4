"""The field registry of the 2021 report format and the 2019 one, declared once.

Every layer — extraction, validation, storage, export and the review UI — reads the canonical
keys, printed labels, groups and value types from here. Nothing else restates them.

Formats are per table (``TableLayouts``): table 二 is printed in the 2021 form (本年制发件数 …) or
the 2019 form of 国办公开办函〔2019〕60号 (本年新制作数量 …, 上一年项目数量 · 本年增/减 ·
处理决定数量, 采购项目数量 · 采购总金额); table 三 with （六）其他处理 as three sub-rows (2021)
or one row (2019). Real reports mix them, so ``registry()`` takes one layout or a mix.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict


class Layout(StrEnum):
    """Which printed form a table takes, decided per table from what it prints.

    Table 二: 2021 (本年制发件数 …) or 2019 (国办公开办函〔2019〕60号: 本年新制作数量 …, 上一年项目数量 …).
    Table 三: 2021 (（六）其他处理 has three sub-rows) or 2019 (one row: applications.other.total.*).
    Table 四 is the same in both.
    """

    L2021 = "2021"
    L2019 = "2019"


class ValueType(StrEnum):
    INT = "int"
    DECIMAL = "decimal"
    TEXT = "text"


class Table(StrEnum):
    """Where a field is printed."""

    TITLE = "title"  # the report's title line
    ACTIVE = "二"  # 主动公开政府信息情况
    APPLICATIONS = "三"  # 收到和处理政府信息公开申请情况
    LITIGATION = "四"  # 行政复议、行政诉讼
    PROSE = "六"  # 其他需要报告的事项


class RowSpec(BaseModel):
    """One printed row of a table, with the group it belongs to."""

    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    group: str | None = None  # the printed label of the merged group cell, e.g. （三）不予公开
    outcome: bool = False  # summed into closed_total
    layouts: tuple[Layout, ...] = (Layout.L2021, Layout.L2019)
    aliases: tuple[str, ...] = ()  # other wordings seen in real reports


class ColumnSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    label: str
    group: str | None = None
    aliases: tuple[str, ...] = ()  # other printed titles of the same column
    doc: str | None = None  # what the column counts, where the printed title does not say it all


class FieldSpec(BaseModel):
    """One canonical field: where it is printed and what type its value has."""

    model_config = ConfigDict(frozen=True)

    key: str
    table: Table
    row_key: str
    column_key: str | None
    row_label: str
    column_label: str | None
    group: str | None
    type: ValueType
    optional: bool = False
    doc: str | None = None
    signed: bool = False  # may be negative (2019 本年增/减); every other count is >= 0
    unit: str | None = None  # amounts: the unit ``value`` is in (万元 / 元)


# --- Table 三 ---------------------------------------------------------------------------------

APPLICANT_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(key="natural_person", label="自然人"),
    ColumnSpec(key="commercial_enterprise", label="商业企业", group="法人或其他组织"),
    ColumnSpec(key="research_institution", label="科研机构", group="法人或其他组织"),
    ColumnSpec(key="public_interest_org", label="社会公益组织", group="法人或其他组织"),
    ColumnSpec(key="legal_service_org", label="法律服务机构", group="法人或其他组织"),
    ColumnSpec(key="other_org", label="其他", group="法人或其他组织"),
    ColumnSpec(key="total", label="总计"),
)
APPLICANT_PARTS: tuple[str, ...] = tuple(c.key for c in APPLICANT_COLUMNS if c.key != "total")

# words the tables print that name no field: table 二's first column title, table 三's header
# block over its applicant columns and the note in its top-left cell (``shared/spec/format-2021.md``)
TABLE_CAPTIONS: tuple[str, ...] = (
    "信息内容",
    "申请人情况",
    "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）",
)

_RESULT = "三、本年度办理结果"
_DENIED = "（三）不予公开"
_UNAVAILABLE = "（四）无法提供"
_NOT_PROCESSED = "（五）不予处理"
_OTHER = "（六）其他处理"
_L2021_ONLY = (Layout.L2021,)
_L2019_ONLY = (Layout.L2019,)

APPLICATION_ROWS: tuple[RowSpec, ...] = (
    RowSpec(key="received", label="一、本年新收政府信息公开申请数量"),
    RowSpec(key="carried_over", label="二、上年结转政府信息公开申请数量"),
    RowSpec(key="granted", label="（一）予以公开", group=_RESULT, outcome=True),
    RowSpec(
        key="partially_granted",
        label="（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
        group=_RESULT,
        outcome=True,
    ),
    RowSpec(key="denied.state_secret", label="1.属于国家秘密", group=_DENIED, outcome=True),
    RowSpec(key="denied.prohibited_by_law", label="2.其他法律行政法规禁止公开", group=_DENIED, outcome=True),
    RowSpec(key="denied.security_stability", label="3.危及“三安全一稳定”", group=_DENIED, outcome=True),
    RowSpec(key="denied.third_party_rights", label="4.保护第三方合法权益", group=_DENIED, outcome=True),
    RowSpec(key="denied.internal_affairs", label="5.属于三类内部事务信息", group=_DENIED, outcome=True),
    RowSpec(key="denied.process_information", label="6.属于四类过程性信息", group=_DENIED, outcome=True),
    RowSpec(key="denied.enforcement_files", label="7.属于行政执法案卷", group=_DENIED, outcome=True),
    RowSpec(key="denied.inquiry_matters", label="8.属于行政查询事项", group=_DENIED, outcome=True),
    RowSpec(key="unavailable.not_held", label="1.本机关不掌握相关政府信息", group=_UNAVAILABLE, outcome=True),
    RowSpec(key="unavailable.requires_creation", label="2.没有现成信息需要另行制作", group=_UNAVAILABLE, outcome=True),
    RowSpec(key="unavailable.still_unclear", label="3.补正后申请内容仍不明确", group=_UNAVAILABLE, outcome=True),
    RowSpec(key="not_processed.complaints", label="1.信访举报投诉类申请", group=_NOT_PROCESSED, outcome=True),
    RowSpec(key="not_processed.repeated", label="2.重复申请", group=_NOT_PROCESSED, outcome=True),
    RowSpec(key="not_processed.publications", label="3.要求提供公开出版物", group=_NOT_PROCESSED, outcome=True),
    RowSpec(key="not_processed.excessive", label="4.无正当理由大量反复申请", group=_NOT_PROCESSED, outcome=True),
    RowSpec(
        key="not_processed.reconfirmation",
        label="5.要求行政机关确认或重新出具已获取信息",
        group=_NOT_PROCESSED,
        outcome=True,
    ),
    RowSpec(
        key="other.no_supplement",
        label="1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        group=_OTHER,
        outcome=True,
        layouts=_L2021_ONLY,
    ),
    RowSpec(
        key="other.fee_unpaid",
        label="2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        group=_OTHER,
        outcome=True,
        layouts=_L2021_ONLY,
    ),
    RowSpec(key="other.other", label="3.其他", group=_OTHER, outcome=True, layouts=_L2021_ONLY),
    RowSpec(key="other.total", label="（六）其他处理", group=_RESULT, outcome=True, layouts=_L2019_ONLY),
    RowSpec(key="closed_total", label="（七）总计", group=_RESULT),
    RowSpec(key="carried_forward", label="四、结转下年度继续办理"),
)

# --- Table 二 ---------------------------------------------------------------------------------
# Two printed forms. Columns are looked up by their printed titles (never by position); a
# column key may recur across layouts (``decisions``: 本年处理决定数量 in 2021, 处理决定数量 in 2019,
# the same quantity) and across blocks (``amount``: 2021 fees, 2019 procurement).

ACTIVE_COLUMNS: dict[str, ColumnSpec] = {  # 2021 (国办公开办函〔2021〕30号)
    "issued": ColumnSpec(key="issued", label="本年制发件数"),
    "repealed": ColumnSpec(key="repealed", label="本年废止件数"),
    "in_force": ColumnSpec(key="in_force", label="现行有效件数"),
    "decisions": ColumnSpec(key="decisions", label="本年处理决定数量"),
    "amount": ColumnSpec(key="amount", label="本年收费金额（单位：万元）", aliases=("本年收费金额",)),
}
ACTIVE_COLUMNS_2019: dict[str, ColumnSpec] = {  # 2019 (国办公开办函〔2019〕60号)
    "made": ColumnSpec(key="made", label="本年新制作数量", doc="件 newly made this year"),
    "published": ColumnSpec(key="published", label="本年新公开数量", doc="件 newly published this year"),
    "public_total": ColumnSpec(
        key="public_total", label="对外公开总数量",
        doc="件 published in total to date; the stock of the 2019 in-force chain",
    ),
    "prior_items": ColumnSpec(key="prior_items", label="上一年项目数量", doc="items (项) at the end of last year"),
    "change": ColumnSpec(
        key="change", label="本年增/减", aliases=("本年增减", "本年增/减数量", "本年增减数量"),
        doc="signed change in items this year: −3, -3, 减少3 → -3; +5, 增加5 → 5",
    ),
    "decisions": ColumnSpec(
        key="decisions", label="处理决定数量",
        doc="decisions this year; the same quantity as 2021's 本年处理决定数量, same key",
    ),
    "items": ColumnSpec(key="items", label="采购项目数量", doc="centralised procurement projects"),
    "amount": ColumnSpec(
        key="amount", label="采购总金额",
        doc="total procurement amount in 万元; printed in 元 or 万元 (Field.unit keeps which), "
        "normalised to 万元; no unit printed: review",
    ),
}
_B1, _B5, _B6, _B8, _B9 = (f"第二十条第（{n}）项" for n in ("一", "五", "六", "八", "九"))
# row, its columns in printed order (2021)
ACTIVE_ROWS: tuple[tuple[RowSpec, tuple[str, ...]], ...] = (
    (RowSpec(key="regulations", label="规章", group=_B1), ("issued", "repealed", "in_force")),
    (
        RowSpec(key="normative_documents", label="行政规范性文件", group=_B1, aliases=("规范性文件",)),
        ("issued", "repealed", "in_force"),
    ),
    (RowSpec(key="licensing", label="行政许可", group=_B5), ("decisions",)),
    (RowSpec(key="penalty", label="行政处罚", group=_B6), ("decisions",)),
    (RowSpec(key="coercion", label="行政强制", group=_B6), ("decisions",)),
    (RowSpec(key="fees", label="行政事业性收费", group=_B8), ("amount",)),
)
_ITEMS = ("prior_items", "change", "decisions")
ACTIVE_ROWS_2019: tuple[tuple[RowSpec, tuple[str, ...]], ...] = (
    (RowSpec(key="regulations", label="规章", group=_B1), ("made", "published", "public_total")),
    (
        RowSpec(key="normative_documents", label="规范性文件", group=_B1, aliases=("行政规范性文件",)),
        ("made", "published", "public_total"),
    ),
    (RowSpec(key="licensing", label="行政许可", group=_B5), _ITEMS),
    (RowSpec(key="other_services", label="其他对外管理服务事项", group=_B5), _ITEMS),
    (RowSpec(key="penalty", label="行政处罚", group=_B6), _ITEMS),
    (RowSpec(key="coercion", label="行政强制", group=_B6), _ITEMS),
    (RowSpec(key="fees", label="行政事业性收费", group=_B8), ("prior_items", "change")),
    (RowSpec(key="procurement", label="政府集中采购", group=_B9), ("items", "amount")),
)
# Units the printed amounts may carry, as a factor to 万元 (the registry's unit for amounts).
AMOUNT_UNITS: dict[str, int] = {"万元": 1, "元": 10000}


def active_rows(layout: Layout = Layout.L2021) -> tuple[tuple[RowSpec, tuple[ColumnSpec, ...]], ...]:
    """Table 二's rows in one layout, each with its columns (specs) in printed order."""
    if layout == Layout.L2019:
        return tuple((r, tuple(ACTIVE_COLUMNS_2019[c] for c in cols)) for r, cols in ACTIVE_ROWS_2019)
    return tuple((r, tuple(ACTIVE_COLUMNS[c] for c in cols)) for r, cols in ACTIVE_ROWS)


class TableLayouts(BaseModel):
    """The layout of each table of one document (they may differ: a 2019 table 二 over a 2021 三)."""

    model_config = ConfigDict(frozen=True)

    active: Layout = Layout.L2021  # table 二
    applications: Layout = Layout.L2021  # table 三 (its relations follow it)

    @classmethod
    def of(cls, layout: "Layout | TableLayouts") -> "TableLayouts":
        if isinstance(layout, TableLayouts):
            return layout
        return cls(active=Layout(layout), applications=Layout(layout))

    @classmethod
    def of_record(cls, by_table: dict[str, str] | None, default: "Layout | str" = Layout.L2021) -> "TableLayouts":
        """From ``{"二": "2019", "三": "2021", …}`` (``report.layouts``, a truth file's meta.layouts);
        a table not recorded takes ``default``."""
        by_table = by_table or {}
        return cls(active=Layout(by_table.get("二", default)), applications=Layout(by_table.get("三", default)))

    def by_table(self) -> dict[str, Layout]:
        """``{"二": …, "三": …, "四": …}`` as recorded in ``report.layouts``."""
        return {Table.ACTIVE.value: self.active, Table.APPLICATIONS.value: self.applications,
                Table.LITIGATION.value: Layout.L2021}

    @classmethod
    def of_keys(cls, keys) -> "TableLayouts":
        """The layouts a set of canonical keys implies (a stored report, a truth file)."""
        keys = set(keys)
        only_2019_active = {f.key for f in _active_specs(Layout.L2019)} - {f.key for f in _active_specs(Layout.L2021)}
        collapsed = any(k.startswith("applications.other.total.") for k in keys)
        sub_rows = any(k.startswith(("applications.other.no_supplement.", "applications.other.other.")) for k in keys)
        return cls(
            active=Layout.L2019 if keys & only_2019_active else Layout.L2021,
            applications=Layout.L2019 if collapsed and not sub_rows else Layout.L2021,
        )


# --- Table 四 ---------------------------------------------------------------------------------

LITIGATION_GROUPS: tuple[ColumnSpec, ...] = (
    ColumnSpec(key="review", label="行政复议"),
    ColumnSpec(key="litigation_direct", label="未经复议直接起诉", group="行政诉讼"),
    ColumnSpec(key="litigation_after_review", label="复议后起诉", group="行政诉讼"),
)
LITIGATION_COLUMNS: tuple[ColumnSpec, ...] = (
    ColumnSpec(key="upheld", label="结果维持"),
    ColumnSpec(key="corrected", label="结果纠正"),
    ColumnSpec(key="other", label="其他结果"),
    ColumnSpec(key="pending", label="尚未审结"),
    ColumnSpec(key="total", label="总计"),
)


# --- The registry -----------------------------------------------------------------------------


def application_rows(layout: Layout) -> tuple[RowSpec, ...]:
    """The rows of table 三 as printed in this layout, in printed order."""
    return tuple(r for r in APPLICATION_ROWS if layout in r.layouts)


def _active_specs(layout: Layout) -> list[FieldSpec]:
    out = []
    for row, columns in active_rows(layout):
        for col in columns:
            out.append(
                FieldSpec(
                    key=f"active.{row.key}.{col.key}", table=Table.ACTIVE, row_key=row.key, column_key=col.key,
                    row_label=row.label, column_label=col.label, group=row.group,
                    type=ValueType.DECIMAL if col.key == "amount" else ValueType.INT,
                    signed=col.key == "change", unit="万元" if col.key == "amount" else None, doc=col.doc,
                )
            )
    return out


@cache
def registry(layout: "Layout | TableLayouts" = Layout.L2021) -> tuple[FieldSpec, ...]:
    """Every canonical field of one layout (or of one mix of per-table layouts), in document order.

    ``registry(Layout.L2019)`` is a document printed wholly in the 2019 format; a mixed document
    passes ``TableLayouts(active=…, applications=…)``.
    """
    layouts = TableLayouts.of(layout)
    specs: list[FieldSpec] = [
        FieldSpec(
            key="report.agency", table=Table.TITLE, row_key="agency", column_key=None,
            row_label="机关名称", column_label=None, group=None, type=ValueType.TEXT,
        ),
        FieldSpec(
            key="report.year", table=Table.TITLE, row_key="year", column_key=None,
            row_label="年度", column_label=None, group=None, type=ValueType.INT,
        ),
    ]
    specs.extend(_active_specs(layouts.active))
    for row in application_rows(layouts.applications):
        for col in APPLICANT_COLUMNS:
            specs.append(
                FieldSpec(
                    key=f"applications.{row.key}.{col.key}", table=Table.APPLICATIONS, row_key=row.key,
                    column_key=col.key, row_label=row.label, column_label=col.label, group=row.group,
                    type=ValueType.INT,
                )
            )
    for group in LITIGATION_GROUPS:
        for col in LITIGATION_COLUMNS:
            specs.append(
                FieldSpec(
                    key=f"{group.key}.{col.key}", table=Table.LITIGATION, row_key=group.key, column_key=col.key,
                    row_label=group.label, column_label=col.label, group=group.group, type=ValueType.INT,
                )
            )
    specs.append(
        FieldSpec(
            key="fees.information_processing", table=Table.PROSE, row_key="information_processing",
            column_key=None, row_label="信息处理费（元）", column_label=None, group=None,
            type=ValueType.DECIMAL, optional=True, unit="元",
        )
    )
    return tuple(specs)


@cache
def field_map(layout: "Layout | TableLayouts" = Layout.L2021) -> dict[str, FieldSpec]:
    return {f.key: f for f in registry(layout)}


@cache
def all_keys() -> tuple[str, ...]:
    """Every key of every layout, once, in registry order (the wide export's columns).

    The 2021 registry's order, each 2019-only key placed just before the next key it shares with
    2021 in the 2019 registry: the 2019 table 二 right after the 2021 table 二 (its own order
    kept), 2019's ``other.total`` right after the 2021 ``other.*`` rows, before ``closed_total``.
    """
    keys_2021 = [f.key for f in registry(Layout.L2021)]
    shared = set(keys_2021)
    before: dict[str | None, list[str]] = {}
    run: list[str] = []
    for f in registry(Layout.L2019):
        if f.key in shared:
            if run:
                before.setdefault(f.key, []).extend(run)
                run = []
        else:
            run.append(f.key)
    result: list[str] = []
    for key in keys_2021:
        result.extend(before.get(key, ()))
        result.append(key)
    result.extend(run)
    return tuple(result)


def spec_for(key: str) -> FieldSpec:
    """The spec of a key in whichever layout has it."""
    for layout in (Layout.L2021, Layout.L2019):  # a key both have is the same field in both
        spec = field_map(layout).get(key)
        if spec is not None:
            return spec
    raise KeyError(key)
