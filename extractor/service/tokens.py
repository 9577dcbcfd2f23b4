"""API tokens and roles: who a request is, for scripts (Bearer) and browsers (the session).

A token is ``grt_`` + 40 random URL-safe characters (≈240 bits), printed once by
``govreport users token NAME``; the store keeps only its sha256 (a slow hash buys nothing for a
random secret of that size) and its first 8 characters to tell tokens apart. A token acts as
its user with the user's role; a disabled user's tokens are refused; ``--revoke`` revokes all of
a user's tokens.

Roles (``extractor.review.auth.ROLES``): ``reader`` browses and exports; ``reviewer`` also
uploads and reviews; ``admin`` everything. ``ReaderGuard`` (an ASGI middleware) refuses every
unsafe request (POST …) of a reader with 403, so the review app's own routes need no change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import datetime, timezone

from sqlalchemy import insert, select, update

from extractor.review import auth
from extractor.store import Store
from extractor.store.schema import ApiToken

PREFIX = "grt_"
WRITE_ROLES = ("reviewer", "admin")
LAST_USED_EVERY_S = 60  # how stale ``api_tokens.last_used_at`` may get
tokens_table = ApiToken.__table__
users_table = auth.users_table


class TokenError(Exception):
    pass


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(store: Store, name: str) -> str:
    """A new token for user ``name`` (printed once; only its hash is kept). Raises ``TokenError``."""
    user = auth.get_user(store, name)
    if user is None:
        raise TokenError(f"no user named {name!r}: add one with `govreport users add {name} --role reader`")
    token = PREFIX + secrets.token_urlsafe(30)
    with store._write() as conn:
        conn.execute(insert(tokens_table).values(
            user_id=user.id, token_hash=_digest(token), prefix=token[:8], created_at=datetime.now(timezone.utc)))
    return token


def revoke_tokens(store: Store, name: str) -> int:
    """Revoke every live token of ``name``; the number revoked. Raises ``TokenError`` for no such user."""
    user = auth.get_user(store, name)
    if user is None:
        raise TokenError(f"no user named {name!r}")
    with store._write() as conn:
        return conn.execute(
            update(tokens_table).where(tokens_table.c.user_id == user.id, tokens_table.c.revoked_at.is_(None))
            .values(revoked_at=datetime.now(timezone.utc))
        ).rowcount


def user_for_token(store: Store, token: str) -> auth.User | None:
    """The (enabled) user a live token belongs to, else None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    digest = _digest(token)
    with store.engine.connect() as conn:
        r = conn.execute(
            select(tokens_table.c.id, tokens_table.c.token_hash, tokens_table.c.revoked_at, tokens_table.c.last_used_at,
                   users_table.c.name)
            .select_from(tokens_table.join(users_table, users_table.c.id == tokens_table.c.user_id))
            .where(tokens_table.c.token_hash == digest)
        ).first()
    if r is None or r.revoked_at is not None or not hmac.compare_digest(r.token_hash, digest):
        return None
    user = auth.get_user(store, r.name)
    if user is None or user.disabled:
        return None
    now = datetime.now(timezone.utc)
    last = r.last_used_at
    if last is not None and last.tzinfo is None:
        last = last.replace(tzinfo=timezone.utc)
    if last is None or (now - last).total_seconds() > LAST_USED_EVERY_S:  # not a write per request
        with store._write() as conn:
            conn.execute(update(tokens_table).where(tokens_table.c.id == r.id).values(last_used_at=now))
    return user


def bearer_of(headers) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (None when there is no such header)."""
    value = headers.get("authorization") or ""
    scheme, _, rest = value.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return rest.strip()


# --- middleware --------------------------------------------------------------------------------


async def _json(send, status: int, detail: str, headers: list | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class TokenAuth:
    """ASGI middleware: a request with ``Authorization: Bearer`` is authenticated by its token
    alone (401 if the token is unknown, revoked or its user disabled); the user is put in
    ``scope["state"]["api_user"]`` and the session is not used (nor is a CSRF token needed:
    a token is never sent by a browser on its own). Runs inside the session middleware."""

    def __init__(self, app, store: Store):
        self.app = app
        self.store = store

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        from starlette.datastructures import Headers

        token = bearer_of(Headers(scope=scope))
        if token is None:
            return await self.app(scope, receive, send)
        user = user_for_token(self.store, token)
        if user is None:
            return await _json(send, 401, "invalid or revoked API token", [(b"www-authenticate", b'Bearer error="invalid_token"')])
        scope.setdefault("state", {})["api_user"] = user
        await self.app(scope, receive, send)


SAFE = ("GET", "HEAD", "OPTIONS")
READER_POSTS = ("/login", "/logout")


class ReaderGuard:
    """ASGI middleware: a ``reader`` (by token or session) may not change anything: 403."""

    def __init__(self, app, store: Store):
        self.app = app
        self.store = store

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in SAFE or scope["path"] in READER_POSTS:
            return await self.app(scope, receive, send)
        user = (scope.get("state") or {}).get("api_user")
        if user is None:
            name = (scope.get("session") or {}).get("user")
            user = auth.get_user(self.store, name) if name else None
        if user is not None and user.role not in WRITE_ROLES:
            return await _json(send, 403, f"the {user.role} role may browse and export only")
        await self.app(scope, receive, send)
