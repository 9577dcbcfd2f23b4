"""``install(app, store, settings)``: the service's middleware, routes, runner and OpenAPI notes
on the review app (``extractor.review.app.create_app`` calls it)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from extractor.service.jobs import JobRunner
from extractor.service.settings import ServiceSettings
from extractor.service.tokens import ReaderGuard, TokenAuth
from extractor.service.uploads import RateLimiter
from extractor.store import Store

HERE = Path(__file__).resolve().parent


@dataclass
class Service:
    store: Store
    settings: ServiceSettings
    upload_dir: Path
    limiter: RateLimiter
    runner: JobRunner | None

    def wake(self) -> None:
        if self.runner is not None:
            self.runner.wake()


def install(app: FastAPI, store: Store, settings: ServiceSettings | None = None, extract_settings=None) -> Service:
    """Add the service to ``app``. Call before the review routes are included (the service's
    ``/reports/{id}`` page replaces the review app's) and before the session middleware is added
    (token auth and the reader guard run inside it)."""
    settings = settings or ServiceSettings.from_env()
    svc = Service(
        store=store, settings=settings, upload_dir=settings.resolved_upload_dir(store.url),
        limiter=RateLimiter(settings.uploads_per_minute),
        runner=JobRunner(store, settings, extract_settings) if settings.run_jobs else None,
    )
    app.state.service = svc
    app.add_middleware(ReaderGuard, store=store)
    app.add_middleware(TokenAuth, store=store)  # outside the guard: the guard sees the token's user

    from extractor.service import api, pages

    app.include_router(api.api)
    app.include_router(pages.pages)
    app.mount("/service-static", StaticFiles(directory=str(HERE / "static")), name="service-static")

    if svc.runner is not None:
        app.router.on_startup.append(svc.runner.start)
        app.router.on_shutdown.append(svc.runner.stop)
    _document_auth(app)
    return svc


ROLE_NOTE = {
    "service": None,  # the service's routes say it in their descriptions
    "review": "Auth: a token (`Authorization: Bearer …`) or a login session (POSTs: `X-CSRF-Token`); "
              "reading needs any role, saving a review reviewer or admin.",
}


def _document_auth(app: FastAPI) -> None:
    """Every operation in the schema gets its security (token or session) and a line on roles."""

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=(
            (app.description or "") + "\n\nAuth: `Authorization: Bearer <token>` (make one with `govreport users token "
            "NAME`; revoke with `--revoke`) or the login session cookie. Roles: reader (browse, export), reviewer "
            "(also upload and review), admin. No auth: 401; a role that may not: 403."), routes=app.routes)
        comps = schema.setdefault("components", {}).setdefault("securitySchemes", {})
        comps.setdefault("token", {"type": "http", "scheme": "bearer", "description": "An API token from `govreport users token NAME`"})
        comps.setdefault("session", {"type": "apiKey", "in": "cookie", "name": "govreport_session",
                                     "description": "The login session (POST /login); POSTs also need X-CSRF-Token"})
        for path, methods in schema.get("paths", {}).items():
            for method, op in methods.items():
                op.setdefault("security", [{"token": []}, {"session": []}])
                tag = (op.get("tags") or ["review"])[0]
                note = ROLE_NOTE.get(tag)
                if note and "Auth:" not in op.get("description", ""):
                    op["description"] = (note + " " + op.get("description", "")).strip()
                write = method.lower() not in ("get", "head", "options")
                op["x-roles"] = ["reviewer", "admin"] if write else ["reader", "reviewer", "admin"]
        app.openapi_schema = schema
        return schema

    app.openapi = openapi
