"""The arithmetic relations (勾稽关系) of the format, as data.

Each relation is a linear equality ``sum(lhs) == sum(rhs)`` over canonical keys. Validation
evaluates them, repair search solves them, the store records them and the review queue shows
them; all of them read this module.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cache

from pydantic import BaseModel, ConfigDict

from models.fields import (
    APPLICANT_COLUMNS,
    APPLICANT_PARTS,
    LITIGATION_GROUPS,
    Layout,
    application_rows,
)


class Severity(StrEnum):
    ERROR = "error"  # a hard relation of the format
    WARNING = "warning"  # soft: expected to hold, may legitimately not
    INFO = "info"  # prose against table


class Rule(BaseModel):
    """A family of relations, e.g. every row's total."""

    model_config = ConfigDict(frozen=True)

    id: str
    description: str
    severity: Severity = Severity.ERROR
    cross_document: bool = False


class Relation(BaseModel):
    """One instance of a rule over concrete fields: ``sum(lhs) == sum(rhs)``."""

    model_config = ConfigDict(frozen=True)

    id: str  # e.g. "row-total:received"
    rule: str
    description: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    severity: Severity = Severity.ERROR

    @property
    def keys(self) -> tuple[str, ...]:
        return self.lhs + self.rhs


RULES: dict[str, Rule] = {
    r.id: r
    for r in (
        Rule(id="row-total", description="table 三, each row: 总计 = the six applicant columns"),
        Rule(id="closed-total", description="table 三, each column: （七）总计 = the outcome rows"),
        Rule(
            id="balance",
            description="table 三, each column: 本年新收 + 上年结转 = （七）总计 + 结转下年度",
        ),
        Rule(id="review-total", description="table 四, each group: 总计 = 维持 + 纠正 + 其他 + 尚未审结"),
        Rule(
            id="carry-chain",
            description="this year's 上年结转 = last year's 结转下年度 (same agency)",
            cross_document=True,
        ),
        Rule(
            id="in-force-chain",
            description="现行有效 ≈ last year's 现行有效 + 本年制发 − 本年废止 (same agency); in the 2019 "
            "format the stock is 对外公开总数量: ≈ last year's + 本年新公开",
            severity=Severity.WARNING,
            cross_document=True,
        ),
        Rule(
            id="narrative",
            description="numbers stated in the prose agree with the tables",
            severity=Severity.INFO,
        ),
    )
}

_COLUMN_LABEL = {c.key: c.label for c in APPLICANT_COLUMNS}


@cache
def relations(layout: Layout = Layout.L2021) -> tuple[Relation, ...]:
    """Every in-document hard relation for one layout (42 of them)."""
    rows = application_rows(layout)
    out: list[Relation] = []
    for row in rows:
        out.append(
            Relation(
                id=f"row-total:{row.key}",
                rule="row-total",
                description=f"{row.label}: 总计 = 自然人 + 法人或其他组织",
                lhs=(f"applications.{row.key}.total",),
                rhs=tuple(f"applications.{row.key}.{c}" for c in APPLICANT_PARTS),
            )
        )
    outcomes = [r.key for r in rows if r.outcome]
    for col in APPLICANT_COLUMNS:
        out.append(
            Relation(
                id=f"closed-total:{col.key}",
                rule="closed-total",
                description=f"{col.label}: （七）总计 = 办理结果各项之和",
                lhs=(f"applications.closed_total.{col.key}",),
                rhs=tuple(f"applications.{r}.{col.key}" for r in outcomes),
            )
        )
    for col in APPLICANT_COLUMNS:
        out.append(
            Relation(
                id=f"balance:{col.key}",
                rule="balance",
                description=f"{col.label}: 本年新收 + 上年结转 = （七）总计 + 结转下年度",
                lhs=(f"applications.received.{col.key}", f"applications.carried_over.{col.key}"),
                rhs=(f"applications.closed_total.{col.key}", f"applications.carried_forward.{col.key}"),
            )
        )
    for group in LITIGATION_GROUPS:
        out.append(
            Relation(
                id=f"review-total:{group.key}",
                rule="review-total",
                description=f"{group.label}: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结",
                lhs=(f"{group.key}.total",),
                rhs=tuple(f"{group.key}.{c}" for c in ("upheld", "corrected", "other", "pending")),
            )
        )
    return tuple(out)


class CrossRelation(BaseModel):
    """A relation between this year's report and last year's, same agency."""

    model_config = ConfigDict(frozen=True)

    id: str
    rule: str
    this_year: tuple[str, ...]  # summed with signs below
    signs: tuple[int, ...]
    last_year: str
    tolerance: int = 0
    # table 二 layouts the relation applies to (None: any): the in-force chain reads 现行有效 in
    # the 2021 format and 对外公开总数量 in the 2019 one, on either side of the pair
    this_layout: Layout | None = None
    last_layout: Layout | None = None


@cache
def cross_relations() -> tuple[CrossRelation, ...]:
    out: list[CrossRelation] = []
    for col in APPLICANT_COLUMNS:
        out.append(
            CrossRelation(
                id=f"carry-chain:{col.key}",
                rule="carry-chain",
                this_year=(f"applications.carried_over.{col.key}",),
                signs=(1,),
                last_year=f"applications.carried_forward.{col.key}",
            )
        )
    # this year's stock less what this year added, against last year's stock
    this_side = {
        Layout.L2021: (("in_force", "issued", "repealed"), (1, -1, 1)),  # in_force − issued + repealed
        Layout.L2019: (("public_total", "published"), (1, -1)),  # public_total − published
    }
    stock = {Layout.L2021: "in_force", Layout.L2019: "public_total"}
    for row in ("regulations", "normative_documents"):
        for this_layout, (cols, signs) in this_side.items():
            for last_layout, last_col in stock.items():
                out.append(
                    CrossRelation(
                        id=f"in-force-chain:{row}",
                        rule="in-force-chain",
                        this_year=tuple(f"active.{row}.{c}" for c in cols),
                        signs=signs,
                        last_year=f"active.{row}.{last_col}",
                        this_layout=this_layout,
                        last_layout=last_layout,
                    )
                )
    return tuple(out)
