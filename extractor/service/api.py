"""The service's JSON API (in the OpenAPI schema, each route with the roles it needs).

``POST /api/documents``             reviewer, admin   multipart ``files`` → 202 ``{"documents": [...]}``
``GET  /api/documents/{id}``        any role          an upload's status, report id, errors, timings
``GET  /api/documents?ids=1,2``     any role          several at once (the upload page polls this)
``GET  /api/reports``               any role          filters, paging, sorting → ``{"items", "total"}``
``GET  /api/reports/{id}``          any role          the extract JSON, reviewed values applied
``GET  /api/reports/{id}/export``   any role          one report as csv | xlsx | parquet | json
``GET  /api/export``                any role          the filtered reports as csv | xlsx | parquet | json

Auth: ``Authorization: Bearer <token>`` (``govreport users token NAME``) or the login session
(then a POST needs the ``X-CSRF-Token`` header). No auth: 401; a reader uploading: 403.
"""

from __future__ import annotations

import os
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Security
from fastapi.responses import FileResponse, JSONResponse
from fastapi.security import APIKeyCookie, HTTPBearer
from pydantic import BaseModel
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from extractor.review import auth
from extractor.review.routes import csrf_protect, current_user
from extractor.service import browse
from extractor.service.tokens import WRITE_ROLES
from extractor.service.uploads import UploadRefused, accept
from extractor.store import NotFound

bearer_scheme = HTTPBearer(auto_error=False, scheme_name="token",
                           description="An API token from `govreport users token NAME`")
cookie_scheme = APIKeyCookie(name="govreport_session", auto_error=False, scheme_name="session",
                             description="The login session of the web pages (POST /login); POSTs also need X-CSRF-Token")


def principal(request: Request, _b=Security(bearer_scheme), _c=Security(cookie_scheme)) -> auth.User:
    """Any user: a Bearer token or the login session."""
    return current_user(request)


def writer(user: Annotated[auth.User, Depends(principal)]) -> auth.User:
    """A user who may upload: reviewer or admin (a reader gets 403)."""
    if user.role not in WRITE_ROLES:
        raise HTTPException(403, f"uploads need the reviewer or admin role; {user.name} is a {user.role}")
    return user


Reader = Annotated[auth.User, Depends(principal)]
Writer = Annotated[auth.User, Depends(writer)]


class ErrorOut(BaseModel):
    detail: str


class DocumentIn(BaseModel):
    id: int
    name: str
    sha256: str
    status: Literal["queued", "duplicate"]


class DocumentsIn(BaseModel):
    documents: list[DocumentIn]


class DocumentOut(BaseModel):
    id: int
    name: str
    sha256: str
    size: int
    status: Literal["queued", "running", "ok", "review", "failed"]
    duplicate: bool
    report_id: int | None
    errors: list[dict]
    timings: dict
    uploaded_by: str | None = None
    created_at: str | None = None  # UTC, ISO 8601
    started_at: str | None = None  # when extraction began (the last attempt)
    finished_at: str | None = None


class ReportItem(BaseModel):
    id: int
    document_id: int
    name: str | None
    agency: str | None
    year: int | None
    layout: str | None
    title: str | None
    status: str
    pages: int | None
    sha256: str
    fields_to_review: int
    broken_relations: int
    has_review: bool
    updated_at: str | None


class ReportList(BaseModel):
    items: list[ReportItem]
    total: int
    page: int
    per_page: int


ANY_ROLE = "Auth: a token (`Authorization: Bearer …`) or a login session; any role (reader, reviewer, admin)."
WRITE_ROLE = ("Auth: a token (`Authorization: Bearer …`) or a login session with the `X-CSRF-Token` header; "
              "role reviewer or admin (a reader gets 403).")

api = APIRouter(
    prefix="/api", tags=["service"],
    responses={401: {"model": ErrorOut, "description": "no token or session, or a revoked token"}},
)

Fmt = Annotated[Literal["csv", "xlsx", "parquet", "json"], Query(description="csv, xlsx, parquet or json")]


def _filters(agency, year, layout, status, has_review, sort="id", order="asc") -> browse.ReportFilters:
    return browse.ReportFilters(agency=agency or None, year=year, layout=layout or None, status=status or None,
                                has_review=has_review, sort=sort, desc=order == "desc")


UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["files"],
            "properties": {"files": {"type": "array", "items": {"type": "string", "format": "binary"},
                                     "description": "one or more reports (PDF, images, …) or zip archives of them"}},
        }}},
    }
}


@api.post(
    "/documents", status_code=202, response_model=DocumentsIn, openapi_extra=UPLOAD_BODY,
    dependencies=[Depends(principal), Depends(csrf_protect)],  # 401 before a CSRF 403
    summary="Submit reports for extraction (multipart field `files`)",
    description=WRITE_ROLE + " Files are stored before the answer and extracted in the background; "
    "content already stored (same sha256) is answered `duplicate` and not extracted again. Zips are "
    "unpacked into one document per report member.",
    responses={400: {"model": ErrorOut, "description": "no files, or not multipart"},
               403: {"model": ErrorOut, "description": "a reader, or a session POST without its CSRF token"},
               411: {"model": ErrorOut, "description": "no Content-Length"},
               413: {"model": ErrorOut, "description": "larger than max_upload_bytes or more than max_files_per_upload"},
               429: {"model": ErrorOut, "description": "more than uploads_per_minute accepted uploads by this user in a minute (refused ones do not count)"}},
)
async def post_documents(request: Request, user: Writer):
    return await receive_upload(request, user)


async def receive_upload(request: Request, user: auth.User) -> JSONResponse:
    from starlette.concurrency import run_in_threadpool

    svc = request.app.state.service
    s = svc.settings
    length = request.headers.get("content-length")
    if length is None:
        raise HTTPException(411, "send a Content-Length")
    try:
        if int(length) > s.max_upload_bytes + 64 * 1024:  # room for the multipart framing
            raise HTTPException(413, f"the upload is larger than the limit of {s.max_upload_bytes // (1024 * 1024)} MiB")
    except ValueError:
        raise HTTPException(400, "bad Content-Length") from None
    wait = svc.limiter.wait(user.name)  # counted below, once the upload is accepted
    if wait is not None:
        raise HTTPException(429, f"more than {s.uploads_per_minute} accepted uploads a minute: try again in {wait:.0f} s",
                            headers={"Retry-After": str(int(wait) + 1)})
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise HTTPException(400, "send multipart/form-data with one or more `files`")
    try:
        form = await request.form(max_files=s.max_files_per_upload, max_part_size=1 << 20)
    except StarletteHTTPException as e:
        if "files" in str(e.detail).lower():
            raise HTTPException(413, f"more than {s.max_files_per_upload} files in one upload") from None
        raise
    files = [(f.filename, f.file) for f in form.getlist("files") if hasattr(f, "file")]
    try:
        accepted = await run_in_threadpool(accept, svc.store, svc.upload_dir, files, user=user.name,
                                           max_bytes=s.max_upload_bytes, max_files=s.max_files_per_upload)
    except UploadRefused as e:
        raise HTTPException(e.status, str(e)) from None
    finally:
        await form.close()
    svc.limiter.count(user.name)
    svc.wake()
    return JSONResponse({"documents": [
        {"id": a.id, "name": a.name, "sha256": a.sha256, "status": a.status} for a in accepted]}, status_code=202)


@api.get("/documents/{upload_id}", response_model=DocumentOut, summary="One submitted document: status, report, errors",
         description=ANY_ROLE + " `status` is queued or running until extracted, then ok, review or failed; "
         "`report_id` is set once a report was read.",
         responses={404: {"model": ErrorOut, "description": "no such upload"}})
def get_document(request: Request, user: Reader, upload_id: int):
    try:
        return browse.upload_status(request.app.state.store, upload_id)
    except NotFound as e:
        raise HTTPException(404, str(e)) from None


@api.get("/documents", response_model=list[DocumentOut], summary="Several submitted documents at once",
         description=ANY_ROLE + " `ids`: comma-separated upload ids (at most 500); unknown ids are left out.")
def get_documents(request: Request, user: Reader, ids: Annotated[str, Query(description="e.g. 1,2,3")]):
    try:
        wanted = [int(x) for x in ids.split(",") if x.strip()][:500]
    except ValueError:
        raise HTTPException(422, "ids: comma-separated integers") from None
    out = []
    for i in wanted:
        try:
            out.append(browse.upload_status(request.app.state.store, i))
        except NotFound:
            pass
    return out


@api.get("/reports", response_model=ReportList, summary="Stored reports: filtered, paged, sorted",
         description=ANY_ROLE + " `agency`: an agency's full name selects that agency alone; otherwise it matches part of the name (`民政` also matches `人民政府`); `has_review`: fields still to review or broken relations.")
def get_reports(
    request: Request, user: Reader,
    agency: str | None = None, year: int | None = None, layout: str | None = None,
    status: Annotated[Literal["ok", "review"] | None, Query()] = None,
    has_review: bool | None = None,
    sort: Annotated[Literal["id", "agency", "year", "layout", "status"], Query()] = "id",
    order: Annotated[Literal["asc", "desc"], Query()] = "asc",
    page: Annotated[int, Query(ge=1)] = 1, per_page: Annotated[int, Query(ge=1, le=500)] = 50,
):
    return browse.list_reports(request.app.state.store, _filters(agency, year, layout, status, has_review, sort, order),
                               page=page, per_page=per_page)


@api.get("/reports/{report_id}", summary="One report as `govreport extract --format json` prints it, reviewed values applied",
         description=ANY_ROLE + " Each field's `value` is the reviewed value where a person gave one; `printed` "
         "is the value as extracted from the document, `reviewed_by` who changed it, `field_id` its review item.",
         responses={404: {"model": ErrorOut, "description": "no such report"}})
def get_report(request: Request, user: Reader, report_id: int):
    try:
        return browse.report_json(request.app.state.store, report_id)
    except NotFound as e:
        raise HTTPException(404, str(e)) from None


def _send(path: str, fmt: str, filename: str) -> FileResponse:
    return FileResponse(path, media_type=browse.MEDIA[fmt], filename=filename,
                        background=BackgroundTask(os.unlink, path))


@api.get("/reports/{report_id}/export", summary="Export one report (csv, xlsx, parquet, json)",
         description=ANY_ROLE + " Wide (one row, a column per field) or `long=true` (a row per field with its "
         "provenance and review history); reviewed values applied.",
         responses={200: {"content": {m: {} for m in browse.MEDIA.values()}, "description": "the file"},
                    404: {"model": ErrorOut, "description": "no such report"}})
def export_report(request: Request, user: Reader, report_id: int, format: Fmt = "csv", long: bool = False):
    store = request.app.state.store
    try:
        store.report(report_id)
    except NotFound as e:
        raise HTTPException(404, str(e)) from None
    return _send(browse.export_file(store, [report_id], format, long=long), format, f"report-{report_id}.{format}")


@api.get("/export", summary="Export the reports matching the filters (csv, xlsx, parquet, json)",
         description=ANY_ROLE + " The same filters as GET /api/reports (no paging: every match).",
         responses={200: {"content": {m: {} for m in browse.MEDIA.values()}, "description": "the file"}})
def export_reports(
    request: Request, user: Reader, format: Fmt = "csv", long: bool = False,
    agency: str | None = None, year: int | None = None, layout: str | None = None,
    status: Annotated[Literal["ok", "review"] | None, Query()] = None, has_review: bool | None = None,
):
    store = request.app.state.store
    ids = browse.report_ids(store, _filters(agency, year, layout, status, has_review))
    return _send(browse.export_file(store, ids, format, long=long), format, f"reports.{format}")
