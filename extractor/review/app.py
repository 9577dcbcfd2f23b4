"""The review app factory: ``create_app(db)`` → a FastAPI app.

Login: a signed session cookie (Starlette's ``SessionMiddleware``; the key is made once and
kept in the database, ``review_settings.session_secret``), holding the user's name and a CSRF
token. Every route but ``/login`` and ``/static/*`` (the app's own CSS/JS, no data) needs a
login: pages redirect to ``/login`` (``/docs`` too), the API answers 401. ``/openapi.json`` (the
API's description: routes, roles, limits, no stored data) is public, so scripts can read the
contract before they hold a token; each operation in it states its own auth.
Every POST must carry the session's CSRF token: the ``csrf_token`` form field or the
``X-CSRF-Token`` header (403 otherwise) — the login form included.

The OpenAPI schema covers the JSON API under ``/api``; ``/docs`` renders it as a plain page
(FastAPI's Swagger UI loads its scripts from a CDN, which this app must not need).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.middleware.sessions import SessionMiddleware

from extractor.review import auth
from extractor.review.crop import CropRenderer, default_cache_dir
from extractor.limits import Limits
from extractor.limits import current as current_limits
from extractor.review.queue import CLAIM_TTL
from extractor.review.throttle import LoginThrottle
from extractor.store import Store, open_store

HERE = Path(__file__).resolve().parent
SESSION_HOURS = 12


class LoginRequired(Exception):
    pass


class CsrfFailed(Exception):
    pass


class Forbidden(Exception):
    pass


def _is_api(request: Request) -> bool:
    p = request.url.path
    return p.startswith("/api/") or p == "/api" or p == "/openapi.json"


def create_app(
    db: str | Store,
    *,
    cache_dir: str | Path | None = None,
    claim_ttl: timedelta = CLAIM_TTL,
    secure_cookies: bool = False,
    limits: Limits | None = None,
    service=None,
) -> FastAPI:
    """The review app over the store at ``db`` (a URL or an open ``Store``)."""
    store = db if isinstance(db, Store) else open_store(db)
    app = FastAPI(
        title="govreport review",
        version="1",
        description=(
            "The review queue of govreport: fields the extractor is not sure of and the fields of broken "
            "relations (勾稽关系), for people to accept or correct. Every endpoint needs a login session "
            "(POST /login); every POST needs the session's CSRF token in the X-CSRF-Token header "
            "(GET /api/me returns it)."
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # served (public, with each route's auth) by routes.py
    )
    app.state.store = store
    app.state.crops = CropRenderer(cache_dir or default_cache_dir(store.url))
    app.state.claim_ttl = claim_ttl
    app.state.throttle = LoginThrottle(limits or current_limits())
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["csrf_field"] = auth.CSRF_FIELD
    app.state.templates = templates

    @app.exception_handler(LoginRequired)
    async def _login_required(request: Request, exc: LoginRequired):
        if _is_api(request):
            return JSONResponse({"detail": "login required"}, status_code=401, headers={"WWW-Authenticate": "Session"})
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(CsrfFailed)
    async def _csrf_failed(request: Request, exc: CsrfFailed):
        msg = "missing or wrong CSRF token: reload the page and try again"
        if _is_api(request) or "application/json" in request.headers.get("accept", ""):
            return JSONResponse({"detail": msg}, status_code=403)
        return templates.TemplateResponse(
            request, "error.html", {"title": "Refused", "message": msg, "user": None}, status_code=403
        )

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden):
        return JSONResponse({"detail": str(exc) or "forbidden"}, status_code=403)

    from extractor.review import routes
    from extractor.service.app import install

    # uploads, browsing, tokens (``service``: an ``extractor.service.settings.ServiceSettings``, else
    # from the environment); before the review routes: its /reports/{id} page is the fuller one
    install(app, store, service)
    app.include_router(routes.public)
    app.include_router(routes.pages)
    app.include_router(routes.api)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    # outermost: the session must exist before the routes' login and CSRF checks
    app.add_middleware(
        SessionMiddleware,
        secret_key=auth.session_secret(store),
        session_cookie="govreport_session",
        max_age=SESSION_HOURS * 3600,
        same_site="lax",
        https_only=secure_cookies,
    )
    return app
