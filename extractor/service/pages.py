"""The service's pages (server-rendered; a little vanilla JS for the upload page's progress).

``/upload``                    drop files or a zip; per-file progress, polled from /api/documents
``/reports``                   the stored reports: filters, paging, sorting, export links
``/reports/{id}``              one report: tables as printed with flagged cells linked to their
                               review item, broken relations with their sums, page thumbnails with
                               the table boxes (PDFs and scans only: a web page or Word file has no
                               pages), errors, source checks (a page vs its own attachment),
                               cross-year checks, audit history; a file uploaded again is named once
``/reports/{id}/pages/{n}.png``  a page thumbnail with the boxes of tables 二, 三, 四
``/agencies/{name}``           an agency's reports, one row per year (other stored copies of that
                               year linked beside it), an SVG chart of the main series, cross-year
                               checks and source checks apart
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader

from extractor.review import auth
from extractor.review.routes import csrf_protect, current_user
from extractor.service import browse
from extractor.service.api import receive_upload
from extractor.service.chart import SERIES, series_value, svg_chart
from extractor.service.tokens import WRITE_ROLES
from extractor.store import NotFound, Store

HERE = Path(__file__).resolve().parent
REVIEW_TEMPLATES = HERE.parent / "review" / "templates"
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.loader = ChoiceLoader([FileSystemLoader(str(HERE / "templates")), FileSystemLoader(str(REVIEW_TEMPLATES))])
templates.env.globals["csrf_field"] = auth.CSRF_FIELD

User = Annotated[auth.User, Depends(current_user)]
pages = APIRouter(include_in_schema=False, dependencies=[Depends(current_user), Depends(csrf_protect)])

TABLE_OF = {"active": "二", "applications": "三", "review": "四", "litigation_direct": "四", "litigation_after_review": "四"}
BOX_COLOURS = {"二": (31, 119, 180), "三": (214, 39, 40), "四": (44, 160, 44)}
THUMB_WIDTH = 360


def _store(request: Request) -> Store:
    return request.app.state.store


def _render(request: Request, name: str, ctx: dict, status_code: int = 200):
    ctx = {"csrf": auth.csrf_token(request.session), "flashes": request.session.pop("flash", []), **ctx}
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def _int(v) -> int | None:
    try:
        return int(str(v).strip()) if v not in (None, "") else None
    except ValueError:
        return None


def _bool(v) -> bool | None:
    return {"1": True, "true": True, "yes": True, "0": False, "false": False, "no": False}.get(str(v or "").lower())


# --- upload ------------------------------------------------------------------------------------


@pages.get("/upload")
def upload_page(request: Request, user: User, ids: str = ""):
    s = request.app.state.service.settings
    return _render(request, "upload.html", {
        "user": user, "title": "Upload", "can_upload": user.role in WRITE_ROLES, "settings": s,
        "ids": [i for i in (_int(x) for x in ids.split(",")) if i is not None],
        "max_mb": s.max_upload_bytes // (1024 * 1024),
    })


@pages.post("/upload")
async def upload_form(request: Request, user: User):
    """The form without JavaScript: store, then show the same page with the ids to follow."""
    if user.role not in WRITE_ROLES:
        raise HTTPException(403, "uploads need the reviewer or admin role")
    resp = await receive_upload(request, user)
    import json

    ids = ",".join(str(d["id"]) for d in json.loads(resp.body)["documents"])
    return RedirectResponse(f"/upload?ids={ids}", status_code=303)


# --- reports -----------------------------------------------------------------------------------


@pages.get("/reports")
def reports_page(request: Request, user: User, agency: str = "", year: str = "", layout: str = "", status: str = "",
                 has_review: str = "", sort: str = "id", order: str = "desc", page: str = "1", per_page: str = "50"):
    store = _store(request)
    sort = sort if sort in browse.SORTS else "id"
    order = "asc" if order == "asc" else "desc"
    status = status if status in ("ok", "review") else ""
    pg = max(1, _int(page) or 1)
    pp = min(500, max(1, _int(per_page) or 50))
    f = browse.ReportFilters(agency=agency or None, year=_int(year), layout=layout or None, status=status or None,
                             has_review=_bool(has_review), sort=sort, desc=order == "desc")
    res = browse.list_reports(store, f, page=pg, per_page=pp)
    query = {k: v for k, v in dict(agency=agency, year=year, layout=layout, status=status, has_review=has_review).items() if v}
    pages_n = max(1, -(-res["total"] // pp))

    def link(**kw) -> str:
        return "/reports?" + urlencode({**query, "sort": sort, "order": order, "per_page": pp, "page": pg, **kw})

    def sort_link(col: str) -> str:
        return link(sort=col, order="asc" if (sort != col or order == "desc") else "desc", page=1)

    return _render(request, "reports.html", {
        "user": user, "title": "Reports", "res": res, "q": dict(agency=agency, year=year, layout=layout, status=status,
                                                               has_review=has_review),
        "sort": sort, "order": order, "page": pg, "pages_n": pages_n, "per_page": pp, "link": link,
        "sort_link": sort_link, "layouts": browse.layouts(store), "agencies": browse.agencies(store),
        "export_query": urlencode(query),
    })


def _boxes(fields) -> dict[int, dict[str, list[float]]]:
    """page → table (二/三/四) → [x0, top, x1, bottom] in PDF points, the union of its fields' boxes."""
    out: dict[int, dict[str, list[float]]] = {}
    for f in fields:
        t = TABLE_OF.get(f.key.split(".")[0])
        if t is None or f.page is None or f.bbox is None:
            continue
        b = f.bbox
        cur = out.setdefault(f.page, {}).get(t)
        out[f.page][t] = [b.x0, b.top, b.x1, b.bottom] if cur is None else [
            min(cur[0], b.x0), min(cur[1], b.top), max(cur[2], b.x1), max(cur[3], b.bottom)]
    return out


@pages.get("/reports/{report_id}")
def report_page(request: Request, user: User, report_id: int):
    from extractor.review import queue as Q
    from extractor.service.tables import render_html

    store = _store(request)
    try:
        rep = store.report(report_id)
    except NotFound:
        raise HTTPException(404, f"no report {report_id}") from None
    doc = store.document(rep.document_id)
    ex = store.load_extraction(report_id, reviewed=True)
    infos = store.fields_of(report_id)
    by_key = {f.key: f for f in infos}
    rendered = render_html(ex, field_ids={f.key: f.id for f in infos}, printed={f.key: f.value for f in infos},
                           reviewed_by={f.key: f.reviewed_by for f in infos})
    relations = Q.relations_now(store, report_id)
    # thumbnails only for sources that have pages (PDF, scans): a web page or Word file has none,
    # its tables are shown as printed at the left (and on each review item)
    boxes = _boxes(infos) if has_pages(doc.path) else {}
    names = _upload_names(store, rep.sha256)
    cross = [{"previous": prev_id, "check": c} for prev_id, c in store.cross_checks_of(report_id)
             if c.rule not in store.SOURCE_RULES]
    sources = [{"other": other, "check": c} for other, c in store.source_checks_of(report_id)]
    return _render(request, "service_report.html", {
        "user": user, "title": f"{rep.agency or '?'} {rep.year or ''}", "report": rep, "document": doc, "ex": ex,
        "rendered": rendered, "relations": relations, "broken": [r for r in relations if r.status == "broken"],
        "reviewed": [f for f in infos if f.reviewed_by is not None], "labels": {k: Q.label_of(k) for k in by_key},
        "audit": Q.history(store, report_id), "thumbs": sorted(boxes), "boxes": boxes, "names": names,
        "cross": cross, "sources": sources, "field_ids": {f.key: f.id for f in infos}, "colours": BOX_COLOURS,
        "paged": has_pages(doc.path),
    })


PAGELESS_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".docx", ".doc", ".wps"}


def has_pages(path: str | None) -> bool:
    """Whether a stored document has pages to draw (a PDF or an image); web pages and Word files
    do not (their provenance is a table cell, not a box on a page)."""
    return Path(str(path or "")).suffix.lower() not in PAGELESS_SUFFIXES


def _upload_names(store: Store, sha256: str) -> list[dict]:
    from sqlalchemy import select

    from extractor.store.schema import Upload

    U = Upload.__table__
    with store.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(
            select(U.c.id, U.c.name, U.c.uploaded_by, U.c.created_at).where(U.c.sha256 == sha256).order_by(U.c.id))]
    # the same file uploaded again (a duplicate) is one name: the first upload, with the count
    out: dict[tuple, dict] = {}
    for r in rows:
        key = (r["name"], r["uploaded_by"])
        if key in out:
            out[key]["times"] += 1
        else:
            out[key] = {**r, "times": 1}
    return list(out.values())


@pages.get("/reports/{report_id}/pages/{page}.png")
def page_thumbnail(request: Request, user: User, report_id: int, page: int):
    from PIL import ImageDraw

    from extractor.review.crop import CropUnavailable

    store = _store(request)
    try:
        rep = store.report(report_id)
    except NotFound:
        raise HTTPException(404, f"no report {report_id}") from None
    infos = store.fields_of(report_id)
    try:
        img, per_pt = request.app.state.crops._page_image(rep.path, rep.sha256, page)
    except CropUnavailable as e:
        return Response(str(e), status_code=404, media_type="text/plain")
    img = img.copy()
    draw = ImageDraw.Draw(img)
    for table, b in _boxes(infos).get(page, {}).items():
        pad = 4 * per_pt
        draw.rectangle([b[0] * per_pt - pad, b[1] * per_pt - pad, b[2] * per_pt + pad, b[3] * per_pt + pad],
                       outline=BOX_COLOURS[table], width=max(3, int(3 * per_pt)))
    scale = THUMB_WIDTH / img.width
    img = img.resize((THUMB_WIDTH, max(1, int(img.height * scale))))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return Response(buf.getvalue(), media_type="image/png", headers={"Cache-Control": "private, max-age=600"})


# --- agencies ----------------------------------------------------------------------------------


@pages.get("/agencies/{agency:path}")
def agency_page(request: Request, user: User, agency: str):
    store = _store(request)
    reports = sorted(store.reports(agency=agency), key=lambda r: (r.year or 0, r.id))
    if not reports:
        raise HTTPException(404, f"no reports of {agency!r}")
    series_keys = {k for _n, _l, keys, _c in SERIES for k in keys}
    rows, points = [], []
    for year, copies in _one_row_per_report(store, reports):
        r = copies[0]
        values = {f.key: f.effective_value for f in store.fields_of(r.id) if f.key in series_keys}
        series = {name: series_value(values, keys) for name, _l, keys, _c in SERIES}
        others = []
        for o in copies[1:]:
            ov = {f.key: f.effective_value for f in store.fields_of(o.id) if f.key in series_keys}
            oseries = {name: series_value(ov, keys) for name, _l, keys, _c in SERIES}
            others.append({"report": o, "differs": oseries != series})
        rows.append({"report": r, "series": series, "others": others})
        if year is not None:
            points.append((year, values))
    by_year: dict[int, dict] = dict(points)
    cross, sources = [], []
    for r in reports:
        for prev_id, c in store.cross_checks_of(r.id):
            (sources if c.rule in store.SOURCE_RULES else cross).append({"report": r, "previous": prev_id, "check": c})
    return _render(request, "agency.html", {
        "user": user, "title": agency, "agency": agency, "rows": rows, "series": SERIES,
        "chart": svg_chart(sorted(by_year.items())) if by_year else None, "cross": cross, "sources": sources,
    })


def _one_row_per_report(store: Store, reports) -> list[tuple[int | None, list]]:
    """An agency's reports as one row per year: several stored documents of one year (the same
    report as a PDF, a page and a Word file, or re-published copies) are copies of that year's
    report. The row shows the first that is not a page's attachment (a second source), the
    others are listed beside it — and marked where their main series differ."""
    attachments = store.attachment_report_ids()
    by_year: dict = {}
    for r in reports:
        by_year.setdefault(r.year if r.year is not None else ("?", r.id), []).append(r)
    out = []
    for year, group in by_year.items():
        group.sort(key=lambda r: (r.id in attachments, r.id))
        out.append((year if isinstance(year, int) else None, group))
    return out
