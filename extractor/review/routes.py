"""The review app's routes: the login page, the HTML pages and the JSON API.

Pages (server-rendered, a little vanilla JS in ``static/review.js`` for the keyboard):
``/queue`` the queue grouped by report, with filters · ``/items/{id}`` one item (opening it
claims it) · ``/docs`` the API. A report's page (``/reports/{id}``) is the service's
(``extractor.service.pages``).

API (JSON, in the OpenAPI schema at ``/openapi.json``): ``/api/me``, ``/api/queue``,
``/api/next``, ``/api/items/{id}`` (+ ``/claim``, ``/release``, ``/review``, ``/crop.png``),
``/api/reports/{id}/audit``, ``/api/reports/{id}/relations``.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from extractor.review import auth
from extractor.review import queue as Q
from extractor.review.app import CsrfFailed, Forbidden, LoginRequired
from extractor.review.crop import CropUnavailable
from extractor.review.schemas import (
    AuditOut,
    ErrorOut,
    ItemOut,
    QueueItem,
    QueueOut,
    RelationNow,
    ReviewIn,
    ReviewOut,
    State,
)
from extractor.store import ClaimedByOther, NotFound, StaleVersion, Store
from models.relations import RULES

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
MAX_ID = 2**63 - 1  # ids and versions are 64-bit database integers: larger ones are a 422, not a 500
FieldId = Annotated[int, Path(ge=1, le=MAX_ID, description="a field id")]
ReportId = Annotated[int, Path(ge=1, le=MAX_ID, description="a report id")]
YearQ = Annotated[int | None, Query(ge=1900, le=9999, description="report year")]
# filters are bounded: a 50,000-character agency made SQLite's LIKE fail (500), and the queue
# page keeps its filters in the session cookie, which browsers drop past 4 KB (logged out)
MAX_FILTER_CHARS = 200
MAX_SKIPPED = 50  # skipped items remembered in the cookie (ids up to 19 digits each)
AgencyQ = Annotated[str | None, Query(max_length=MAX_FILTER_CHARS, description="part of the agency name")]
RuleQ = Annotated[str | None, Query(max_length=64, description="a rule id")]


# --- dependencies ----------------------------------------------------------------------------


def store_of(request: Request) -> Store:
    return request.app.state.store


def current_user(request: Request) -> auth.User:
    """The logged-in user: a Bearer token's (``extractor.service.tokens``), or the session's,
    which must carry the user's current epoch (revocation)."""
    if (api_user := getattr(request.state, "api_user", None)) is not None:
        return api_user
    store = store_of(request)
    user = auth.get_user(store, request.session.get("user"))
    if user is None or user.disabled or request.session.get("epoch") != auth.session_epoch(store, user):
        request.session.clear()
        raise LoginRequired()
    return user


async def csrf_protect(request: Request) -> None:
    """Every unsafe request carries the session's token: header, or the form field."""
    if request.method in SAFE_METHODS or getattr(request.state, "api_user", None) is not None:
        return  # a Bearer token is no cookie: no cross-site request can carry it
    token = request.headers.get(auth.CSRF_HEADER)
    if not token:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            token = form.get(auth.CSRF_FIELD)
    if not auth.csrf_ok(request.session, token):
        raise CsrfFailed()


User = Annotated[auth.User, Depends(current_user)]

public = APIRouter(include_in_schema=False)
pages = APIRouter(include_in_schema=False, dependencies=[Depends(current_user), Depends(csrf_protect)])
api = APIRouter(
    prefix="/api",
    tags=["review"],
    dependencies=[Depends(current_user), Depends(csrf_protect)],
    responses={401: {"model": ErrorOut, "description": "not logged in"},
               403: {"model": ErrorOut, "description": "missing or wrong CSRF token"}},
)


# --- helpers ---------------------------------------------------------------------------------


def _render(request: Request, name: str, ctx: dict, status_code: int = 200, headers: dict | None = None):
    ctx = {
        "user": ctx.get("user"),
        "csrf": auth.csrf_token(request.session),
        "flashes": request.session.pop("flash", []),
        **ctx,
    }
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status_code, headers=headers)


def _flash(request: Request, kind: str, message: str) -> None:
    request.session.setdefault("flash", [])
    request.session["flash"] = request.session["flash"] + [[kind, message]]


def _int_or_none(v: str | None) -> int | None:
    if v is None or str(v).strip() == "":
        return None
    t = str(v).strip()
    if not t.isascii() or not t.isdigit() or len(t) > 4:  # a year filter: never a huge int
        return None
    return int(t)


def _filters(request: Request, state: str = "open") -> Q.Filters:
    f = request.session.get("filters") or {}
    rule = f.get("rule") if f.get("rule") in RULES else None
    agency = f.get("agency") if isinstance(f.get("agency"), str) else None
    return Q.Filters(agency=(agency or "")[:MAX_FILTER_CHARS] or None, year=_int_or_none(f.get("year")), rule=rule, state=state)


def _field_or_404(store: Store, field_id: int):
    try:
        return store.field(field_id)
    except NotFound:
        raise HTTPException(404, f"no field {field_id}") from None


def _next_after(request: Request, store: Store, who: str, exclude: set[int]) -> str:
    skipped = set(request.session.get("skipped", []))
    nxt = Q.claim_next(store, who, _filters(request), exclude=exclude | skipped, ttl=request.app.state.claim_ttl)
    if nxt is None and skipped:  # only skipped items are left: offer them again
        request.session["skipped"] = []
        nxt = Q.claim_next(store, who, _filters(request), exclude=exclude, ttl=request.app.state.claim_ttl)
    if nxt is None:
        _flash(request, "info", "Nothing open in the queue with these filters.")
        return "/queue"
    return f"/items/{nxt.id}"


def _describe_save(saved, how: str, relations: list[RelationNow]) -> str:
    verb = {"accept": "accepted", "suggestion": "took the suggestion", "typed": "corrected"}[how]
    parts = [f"{saved.key}: {verb} → {saved.reviewed_value}"]
    for r in relations:
        parts.append(f"{r.id} {'holds' if r.status == 'ok' else r.status} ({r.lhs} = {r.rhs})")
    return "; ".join(parts)


def _stale_message(store: Store, field_id: int) -> str:
    fi = store.field(field_id)
    who = f" by {fi.reviewed_by}" if fi.reviewed_by else ""
    return (
        f"Not saved: {fi.key} was changed{who} while you were looking at it (now {fi.effective_value}, "
        f"version {fi.version}). Check the current value below and save again if it is still wrong."
    )


# --- login -----------------------------------------------------------------------------------


@public.get("/login")
def login_page(request: Request, next: str = "/queue"):
    try:
        current_user(request)
        return RedirectResponse(_safe_next(next), status_code=303)
    except LoginRequired:
        pass
    return _render(request, "login.html", {"next": _safe_next(next), "error": None, "title": "Log in"})


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or target.startswith("/login"):
        return "/queue"
    return target


@public.post("/login", dependencies=[Depends(csrf_protect)])
def login(
    request: Request,
    name: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2048)] = "/queue",
):
    throttle = request.app.state.throttle
    address = request.client.host if request.client else None
    wait = throttle.retry_after(name.strip(), address)
    if wait:  # refused before the password is hashed
        return _render(
            request, "login.html",
            {"next": _safe_next(next), "error": f"Too many failed logins: try again in {wait} s.", "title": "Log in"},
            status_code=429, headers={"Retry-After": str(wait)},
        )
    store = store_of(request)
    user = auth.authenticate(store, name, password)
    if user is None:
        throttle.failed(name.strip(), address)
        return _render(
            request, "login.html", {"next": _safe_next(next), "error": "Wrong name or password.", "title": "Log in"},
            status_code=401,
        )
    throttle.succeeded(user.name)
    request.session.clear()
    request.session["user"] = user.name
    request.session["epoch"] = auth.session_epoch(store, user)
    auth.csrf_token(request.session)  # a fresh token for the logged-in session
    return RedirectResponse(_safe_next(next), status_code=303)


@pages.post("/logout")
def logout(request: Request, user: User):
    """Log out: every session of the user ends (copied cookies included)."""
    Q.release_others(store_of(request), user.name)
    auth.end_sessions(store_of(request), user.name)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


# --- pages -----------------------------------------------------------------------------------


@pages.get("/")
def home():
    return RedirectResponse("/queue", status_code=303)


@pages.get("/queue")
def queue_page(
    request: Request,
    user: User,
    agency: AgencyQ = None,
    year: str | None = None,  # a bad year is ignored here (only a valid one is kept in the cookie)
    rule: RuleQ = None,
    state: str = "open",
):
    if state not in ("open", "claimed", "done", "all"):
        state = "open"
    rule = rule if rule in RULES else None
    year = year if _int_or_none(year) is not None else None
    request.session["filters"] = {"agency": agency or "", "year": year or "", "rule": rule or ""}
    filters = Q.Filters(agency=agency or None, year=_int_or_none(year), rule=rule, state=state)
    store = store_of(request)
    q = Q.queue(store, filters, who=user.name, limit=500)
    return _render(request, "queue.html", {
        "user": user, "title": "Review queue", "q": q, "filters": filters, "year": year or "",
        "rules": [r for r in RULES.values() if not r.cross_document], "states": ("open", "claimed", "done", "all"),
    })


@pages.post("/next")
def next_page(request: Request, user: User):
    return RedirectResponse(_next_after(request, store_of(request), user.name, set()), status_code=303)


@pages.get("/items/{field_id}")
def item_page(request: Request, user: User, field_id: FieldId):
    store = store_of(request)
    fi = _field_or_404(store, field_id)
    held_by = None
    if fi.reviewed_by is None and user.role != "reader":  # a reader looks, never holds
        try:
            Q.claim(store, field_id, user.name, ttl=request.app.state.claim_ttl, admin=user.is_admin)
        except ClaimedByOther as e:
            held_by = e
        except Q.NotPermitted as e:  # shown, not held: saving is refused with the reason
            _flash(request, "info", str(e))
    it = Q.item(store, field_id, user.name, _filters(request))
    rep = store.report(fi.report_id)  # web pages and Word files: the source table, not a crop
    source_table = _source_tables(request).table_for(rep.path, rep.sha256, fi.page, fi.bbox)
    return _render(request, "item.html", {
        "user": user, "title": f"{it.item.key} · {it.agency or ''} {it.year or ''}", "it": it, "held_by": held_by,
        "source_table": source_table,
    })


def _source_tables(request: Request):
    from extractor.review.source_table import SourceTables

    state = request.app.state
    if getattr(state, "source_tables", None) is None:
        state.source_tables = SourceTables()
    return state.source_tables


@pages.post("/items/{field_id}")
def save_page(
    request: Request,
    user: User,
    field_id: FieldId,
    version: Annotated[int, Form(ge=0, le=MAX_ID)],
    how: Annotated[str | None, Form()] = None,
    value: Annotated[str | None, Form(max_length=200)] = None,
    take: Annotated[int | None, Form(ge=1, le=3)] = None,
    confirm_out_of_range: Annotated[bool, Form()] = False,
):
    store = store_of(request)
    _field_or_404(store, field_id)
    if take is not None:  # a suggestion button: its number decides, not the correction box
        how, value = "suggestion", None
    how = how or "typed"
    try:
        saved = Q.save(store, field_id, user.name, how, value, expected_version=version, suggestion=take,
                       admin=user.is_admin, confirm_out_of_range=confirm_out_of_range)
    except StaleVersion:
        _flash(request, "error", _stale_message(store, field_id))
        return RedirectResponse(f"/items/{field_id}", status_code=303)
    except ClaimedByOther as e:
        _flash(request, "error", f"Not saved: {e.claimed_by} holds this item until {e.expires:%H:%M:%S} UTC.")
        return RedirectResponse(f"/items/{field_id}", status_code=303)
    except Q.ReviewError as e:
        _flash(request, "error", f"Not saved: {e}")
        return RedirectResponse(f"/items/{field_id}", status_code=303)
    _flash(request, "ok", _describe_save(saved, how, Q.relations_now(store, saved.report_id, saved.key)))
    return RedirectResponse(_next_after(request, store, user.name, {field_id}), status_code=303)


@pages.post("/items/{field_id}/skip")
def skip_page(request: Request, user: User, field_id: FieldId):
    store = store_of(request)
    _field_or_404(store, field_id)
    store.release(field_id, user.name)
    request.session["skipped"] = (request.session.get("skipped", []) + [field_id])[-MAX_SKIPPED:]
    return RedirectResponse(_next_after(request, store, user.name, {field_id}), status_code=303)


@pages.get("/items/{field_id}/crop.png")
def crop_png(request: Request, user: User, field_id: FieldId, full: bool = False):
    return _crop(request, field_id, full)


def _crop(request: Request, field_id: int, full: bool) -> Response:
    store = store_of(request)
    fi = _field_or_404(store, field_id)
    rep = store.report(fi.report_id)
    try:
        png = request.app.state.crops.crop_png(
            rep.path, rep.sha256, fi.page, fi.bbox, bbox_px=fi.bbox_px, dpi=fi.dpi, full=full
        )
    except CropUnavailable as e:
        return Response(str(e), status_code=404, media_type="text/plain")
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@public.get("/openapi.json")
def openapi_json(request: Request):
    """The API's description, public: it holds routes, parameters, roles and limits, never a
    stored value, and a script (or a client generator) should be able to read the contract before
    it has a token. Every route it describes still needs its auth (each operation's ``security``
    and ``x-roles``)."""
    return JSONResponse(request.app.openapi())


@pages.get("/docs")
def docs_page(request: Request, user: User):
    schema = request.app.openapi()
    ops = []
    for path, methods in schema.get("paths", {}).items():
        for method, op in methods.items():
            params = [
                f"{p['name']} ({p['in']}{', required' if p.get('required') else ''})" for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            ops.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "description": op.get("description", ""), "params": params,
                "body": body.get("$ref", "").rsplit("/", 1)[-1],
                "responses": {k: v.get("description", "") for k, v in op.get("responses", {}).items()},
            })
    return _render(request, "docs.html", {
        "user": user, "title": "API", "ops": ops, "info": schema.get("info", {}),
        "schemas": schema.get("components", {}).get("schemas", {}),
    })


# --- the JSON API ----------------------------------------------------------------------------


class Me(BaseModel):
    name: str
    role: str
    csrf_token: str


class Released(BaseModel):
    released: bool


def _api_errors(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except NotFound as e:
        raise HTTPException(404, str(e)) from None
    except StaleVersion as e:
        raise HTTPException(409, f"stale: {e}; reload the item and save again") from None
    except ClaimedByOther as e:
        raise HTTPException(423, f"{e.claimed_by} holds this item until {e.expires.isoformat()}") from None
    except Q.NotPermitted as e:
        raise HTTPException(403, str(e)) from None
    except Q.ReviewError as e:
        raise HTTPException(422, str(e)) from None


@api.get("/me", response_model=Me, summary="Who is logged in, and the CSRF token for POSTs")
def api_me(request: Request, user: User):
    return Me(name=user.name, role=user.role, csrf_token=auth.csrf_token(request.session))


@api.get("/queue", response_model=QueueOut, summary="The queue grouped by report, most urgent first")
def api_queue(
    request: Request,
    user: User,
    agency: AgencyQ = None,
    year: YearQ = None,
    rule: Annotated[str | None, Query(max_length=64, description=f"one of {', '.join(RULES)}")] = None,
    state: State = "open",
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
):
    if rule is not None and rule not in RULES:
        raise HTTPException(422, f"unknown rule {rule!r}")
    return Q.queue(store_of(request), Q.Filters(agency=agency, year=year, rule=rule, state=state), who=user.name, limit=limit)


@api.post("/next", response_model=ItemOut, summary="Claim the most urgent open item",
          responses={404: {"model": ErrorOut, "description": "nothing open"}})
def api_next(
    request: Request, user: User, agency: AgencyQ = None, year: YearQ = None, rule: RuleQ = None
):
    store = store_of(request)
    f = Q.Filters(agency=agency, year=year, rule=rule if rule in RULES else None)
    fi = Q.claim_next(store, user.name, f, ttl=request.app.state.claim_ttl)
    if fi is None:
        raise HTTPException(404, "nothing open in the queue")
    return Q.item(store, fi.id, user.name, f, crop_url=f"/api/items/{fi.id}/crop.png")


@api.get("/items/{field_id}", response_model=ItemOut, summary="One item: value, relations now, suggestions, history")
def api_item(request: Request, user: User, field_id: FieldId):
    return _api_errors(Q.item, store_of(request), field_id, user.name, crop_url=f"/api/items/{field_id}/crop.png")


@api.get("/items/{field_id}/crop.png", summary="The page cropped around the cell, its box drawn (PNG)",
         response_class=Response, responses={200: {"content": {"image/png": {}}}})
def api_crop(request: Request, user: User, field_id: FieldId, full: bool = False):
    return _crop(request, field_id, full)


@api.post("/items/{field_id}/claim", response_model=QueueItem, summary="Hold an item (expires after 10 minutes)",
          responses={423: {"model": ErrorOut, "description": "held by someone else"},
                     403: {"model": ErrorOut, "description": "reviewers: not an unreviewed item of the queue"}})
def api_claim(request: Request, user: User, field_id: FieldId):
    store = store_of(request)
    fi = _api_errors(Q.claim, store, field_id, user.name, ttl=request.app.state.claim_ttl, admin=user.is_admin)
    return Q.queue_item(store, fi)


@api.post("/items/{field_id}/release", response_model=Released,
          summary="Give an item back (your own claim; an admin may release anyone's)")
def api_release(request: Request, user: User, field_id: FieldId):
    store = store_of(request)
    fi = _api_errors(store.field, field_id)
    if fi.claimed_by is None:
        return Released(released=False)
    if fi.claimed_by != user.name and not user.is_admin:
        raise Forbidden(f"{fi.claimed_by} holds this item; only an admin may release it")
    store.release(field_id, fi.claimed_by)
    return Released(released=True)


@api.post("/items/{field_id}/review", response_model=ReviewOut,
          summary="Save a review: accept, take a suggestion, or type a correction",
          responses={409: {"model": ErrorOut, "description": "stale: the field changed since `version`; nothing saved"},
                     422: {"model": ErrorOut, "description": "the value does not fit the field"},
                     403: {"model": ErrorOut, "description": "reviewers: an item you do not hold, or reviewed by someone else"},
                     423: {"model": ErrorOut, "description": "held by someone else"}})
def api_review(request: Request, user: User, field_id: FieldId, body: ReviewIn):
    store = store_of(request)
    saved = _api_errors(
        Q.save, store, field_id, user.name, body.how, body.value, expected_version=body.version,
        suggestion=body.suggestion, admin=user.is_admin, confirm_out_of_range=body.confirm_out_of_range,
    )
    _, next_id = Q.neighbours(store, field_id, user.name)
    broken = sum(1 for c in store.checks_of(saved.report_id) if c.status == "broken" and c.severity == "error")
    return ReviewOut(item=Q.queue_item(store, saved), relations=Q.relations_now(store, saved.report_id, saved.key),
                     broken_relations_in_report=broken, next_id=next_id)


@api.get("/reports/{report_id}/audit", response_model=list[AuditOut], summary="Every change made to a report, oldest first")
def api_audit(request: Request, user: User, report_id: ReportId):
    store = store_of(request)
    _api_errors(store.report, report_id)
    return Q.history(store, report_id)


@api.get("/reports/{report_id}/relations", response_model=list[RelationNow],
         summary="A report's relations now, reviewed values applied")
def api_relations(request: Request, user: User, report_id: ReportId):
    store = store_of(request)
    _api_errors(store.report, report_id)
    return Q.relations_now(store, report_id)
