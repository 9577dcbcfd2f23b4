"""Reading the store for the service: uploads' status, the report list, a report's JSON, exports.

``report_json`` is what ``govreport extract --format json`` prints for the stored report, with
the reviewed values applied in ``value`` and, for every field, the printed (extracted) value in
``printed`` and who reviewed it in ``reviewed_by``.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from sqlalchemy import and_, func, or_, select

from extractor.store import NotFound, Store
from extractor.store.schema import CheckRow, Document, FieldRow, Report, Upload

U, D, R, F, C = (t.__table__ for t in (Upload, Document, Report, FieldRow, CheckRow))

SORTS = {"id": R.c.id, "agency": R.c.agency, "year": R.c.year, "layout": R.c.layout, "status": D.c.status}
ExportFormat = Literal["csv", "xlsx", "parquet", "json"]
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "json": "application/json",
}


# --- uploads -------------------------------------------------------------------------------------


def _iso(dt) -> str | None:
    """UTC ISO time (SQLite hands datetimes back naive; they were written in UTC)."""
    if dt is None:
        return None
    from datetime import timezone

    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).isoformat()


def upload_status(store: Store, upload_id: int) -> dict:
    """The API's view of one upload: ``{id, name, sha256, status, report_id, errors, timings}``.

    ``status``: queued | running while it waits or runs, then the document's outcome
    (ok | review | failed). A ``duplicate`` upload shows the outcome of the content it repeats.
    """
    with store.engine.connect() as conn:
        up = conn.execute(select(U).where(U.c.id == upload_id)).first()
        if up is None:
            raise NotFound(f"no upload {upload_id}")
        doc = conn.execute(
            select(D.c.id, D.c.status, D.c.errors, D.c.timings, R.c.id.label("report_id"))
            .select_from(D.outerjoin(R, R.c.document_id == D.c.id)).where(D.c.sha256 == up.sha256)
        ).first()
        state = up.state
        if doc is None and state in ("done", "duplicate"):
            # a duplicate of an upload still pending: its state; done without a document: failed
            first = conn.execute(select(U.c.state).where(U.c.sha256 == up.sha256, U.c.state.in_(("queued", "running")))
                                 .order_by(U.c.id).limit(1)).scalar()
            state = first or state
    out = {"id": up.id, "name": up.name, "sha256": up.sha256, "size": up.size, "status": state,
           "duplicate": up.state == "duplicate", "report_id": None, "errors": [], "timings": {},
           "uploaded_by": up.uploaded_by, "created_at": _iso(up.created_at), "started_at": _iso(up.started_at),
           "finished_at": _iso(up.finished_at)}
    if doc is not None:
        out.update(status=doc.status, report_id=doc.report_id, errors=list(doc.errors or []), timings=dict(doc.timings or {}))
    elif state in ("done", "duplicate"):
        out.update(status="failed", errors=[{"stage": "service", "code": "lost", "message": up.error or "no result stored", "fatal": True}])
    return out


# --- the report list -------------------------------------------------------------------------------


@dataclass
class ReportFilters:
    agency: str | None = None  # an agency's full name, else part of it: ``agency_condition``
    year: int | None = None
    layout: str | None = None
    status: str | None = None  # ok | review
    has_review: bool | None = None  # fields still to review or broken relations
    sort: str = "id"
    desc: bool = False

    def conditions(self, to_review, broken) -> list:
        conds = []
        if self.agency:
            conds.append(agency_condition(self.agency))
        if self.year is not None:
            conds.append(R.c.year == self.year)
        if self.layout:
            conds.append(R.c.layout == self.layout)
        if self.status:
            conds.append(D.c.status == self.status)
        if self.has_review is True:
            conds.append(or_(to_review > 0, broken > 0))
        elif self.has_review is False:
            conds.append(and_(to_review == 0, broken == 0))
        return conds


def agency_condition(query: str):
    """Which reports an ``agency`` filter selects: the agency of exactly that name when one is
    stored (``朝阳市民政局`` is that agency, not also ``朝阳市民政局机关党委``), else every agency
    whose name contains it (``民政`` — which also matches ``人民政府``: give a full name for one
    agency). Spaces (ASCII and full-width) at either end are ignored."""
    from sqlalchemy import exists

    q = query.strip().strip("\u3000").strip()
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    other = R.alias("named_agency")
    named = exists().where(other.c.agency == q)
    return or_(R.c.agency == q, and_(~named, R.c.agency.like(like, escape="\\")))


def _subqueries():
    to_review = (select(func.count()).where(F.c.report_id == R.c.id, F.c.status == "review",
                                            F.c.reviewed_by.is_(None)).scalar_subquery())
    broken = (select(func.count()).where(C.c.report_id == R.c.id, C.c.status == "broken",
                                         C.c.severity == "error").scalar_subquery())
    name = (select(U.c.name).where(U.c.sha256 == D.c.sha256).order_by(U.c.id).limit(1).scalar_subquery())
    return to_review, broken, name


def list_reports(store: Store, f: ReportFilters, *, page: int = 1, per_page: int = 50) -> dict:
    """``{"items": [...], "total": int, "page", "per_page"}``: one page of reports, filtered and sorted."""
    to_review, broken, name = _subqueries()
    conds = f.conditions(to_review, broken)
    base = R.join(D, D.c.id == R.c.document_id)
    order = SORTS.get(f.sort, R.c.id)
    order = order.desc() if f.desc else order.asc()
    q = (select(R.c.id, R.c.document_id, R.c.agency, R.c.year, R.c.layout, R.c.title, D.c.status, D.c.sha256,
                D.c.path, D.c.pages, D.c.updated_at, name.label("name"), to_review.label("fields_to_review"),
                broken.label("broken_relations"))
         .select_from(base).where(*conds).order_by(order, R.c.id.desc() if f.desc else R.c.id.asc())
         .limit(per_page).offset((page - 1) * per_page))
    with store.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(base).where(*conds)).scalar() or 0
        rows = conn.execute(q).all()
    items = [{
        "id": r.id, "document_id": r.document_id, "name": r.name or os.path.basename(r.path or "") or None,
        "agency": r.agency, "year": r.year, "layout": r.layout, "title": r.title, "status": r.status,
        "pages": r.pages, "sha256": r.sha256, "fields_to_review": r.fields_to_review,
        "broken_relations": r.broken_relations, "has_review": bool(r.fields_to_review or r.broken_relations),
        "updated_at": r.updated_at.isoformat() if r.updated_at else None,
    } for r in rows]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def report_ids(store: Store, f: ReportFilters) -> list[int]:
    to_review, broken, _ = _subqueries()
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(
            select(R.c.id).select_from(R.join(D, D.c.id == R.c.document_id)).where(*f.conditions(to_review, broken))
            .order_by(R.c.id))]


def agencies(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(R.c.agency).where(R.c.agency.is_not(None)).distinct().order_by(R.c.agency))]


def layouts(store: Store) -> list[str]:
    with store.engine.connect() as conn:
        return [r[0] for r in conn.execute(select(R.c.layout).where(R.c.layout.is_not(None)).distinct().order_by(R.c.layout))]


# --- one report ----------------------------------------------------------------------------------


def _plain(v):
    return float(v) if isinstance(v, Decimal) else v


def report_json(store: Store, report_id: int) -> dict:
    """The extract JSON of a stored report, reviewed values applied (``printed`` kept beside)."""
    ex = store.load_extraction(report_id, reviewed=True)
    out = ex.to_output()
    infos = {fi.key: fi for fi in store.fields_of(report_id)}
    for key, f in out.get("fields", {}).items():
        fi = infos.get(key)
        if fi is None:
            continue
        f["printed"] = _plain(fi.value)
        f["reviewed_by"] = fi.reviewed_by
        f["reviewed_at"] = fi.reviewed_at.isoformat() if fi.reviewed_at else None
        f["field_id"] = fi.id
    out["report_id"] = report_id
    return out


# --- exports -------------------------------------------------------------------------------------


class _Only:
    """The store seen through a set of report ids (what ``store.export`` reads)."""

    def __init__(self, store: Store, ids: set[int]):
        self._store = store
        self._ids = ids

    def iter_report_rows(self, **kw):
        for rep, frows, audit in self._store.iter_report_rows(**kw):
            if rep.id in self._ids:
                yield rep, frows, audit

    def __getattr__(self, name):
        return getattr(self._store, name)


def export_file(store: Store, ids: list[int], fmt: ExportFormat, *, long: bool = False) -> str:
    """Write the reports ``ids`` as ``fmt`` to a temporary file (the caller deletes it); its path.

    csv/xlsx/parquet come from ``extractor.store.export`` (the same files as ``govreport export``);
    json is the same rows as a JSON array.
    """
    from extractor.store import export as E

    view = _Only(store, set(ids))
    fd, path = tempfile.mkstemp(prefix="govreport-export-", suffix=f".{fmt}")
    os.close(fd)
    try:
        if fmt == "json":
            rows = E.long_rows(view) if long else E.wide_rows(view)
            with open(path, "w", encoding="utf-8") as fh:
                fh.write("[")
                for i, row in enumerate(rows):
                    fh.write(("," if i else "") + "\n" + json.dumps({k: _plain(v) for k, v in row.items()}, ensure_ascii=False))
                fh.write("\n]\n")
        else:
            E.export(view, path, fmt, long=long)
    except BaseException:
        os.unlink(path)
        raise
    return path
