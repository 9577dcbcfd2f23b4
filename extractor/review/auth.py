"""Reviewers, passwords (argon2), the session secret and CSRF tokens.

Two tables of the store (``extractor.store.schema``, migration 0003) hold them:

``review_users``     name (unique), role (``reviewer`` | ``admin``), argon2 hash, created_at
``review_settings``  key/value; holds ``session_secret``, the key that signs session cookies,
                     and ``session_epoch:<user id>``, each user's current session epoch
Sessions are revocable on the server: a login stores the user's epoch in the (signed) cookie
and every request compares it with the stored one. Logging out, changing the password or
disabling the user (``govreport users disable NAME``) draws a new epoch, which ends every
session of that user at once, copied cookies included.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from extractor.store import Store
from extractor.store.schema import ReviewSetting, ReviewUser

ROLES = ("reader", "reviewer", "admin")  # reader: browse and export only (extractor.service.tokens)

users_table = ReviewUser.__table__
settings_table = ReviewSetting.__table__

_hasher = PasswordHasher()
# verified against when the user does not exist, so a wrong name costs as long as a wrong password
_DUMMY_HASH = _hasher.hash("not a password: only here to spend the same time")


class UserError(Exception):
    pass


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    disabled: bool = False

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def add_user(store: Store, name: str, password: str, role: str = "reviewer") -> User:
    name = name.strip()
    if not name:
        raise UserError("a user needs a name")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters")
    try:
        with store.engine.begin() as conn:
            uid = conn.execute(
                insert(users_table).values(
                    name=name, role=role, password_hash=_hasher.hash(password), disabled=False,
                    created_at=datetime.now(timezone.utc),
                )
            ).inserted_primary_key[0]
    except IntegrityError:
        raise UserError(f"a user named {name!r} exists already") from None
    return User(uid, name, role)


def set_password(store: Store, name: str, password: str) -> None:
    """A new password; every session of the user ends."""
    if len(password) < 8:
        raise UserError("the password must have at least 8 characters")
    with store.engine.begin() as conn:
        n = conn.execute(
            update(users_table).where(users_table.c.name == name).values(password_hash=_hasher.hash(password))
        ).rowcount
    if n == 0:
        raise UserError(f"no user named {name!r}")
    end_sessions(store, name)


def set_disabled(store: Store, name: str, disabled: bool = True) -> None:
    """Disable (or enable again) a user; disabling ends every session of the user at once."""
    with store.engine.begin() as conn:
        n = conn.execute(update(users_table).where(users_table.c.name == name).values(disabled=disabled)).rowcount
    if n == 0:
        raise UserError(f"no user named {name!r}")
    if disabled:
        end_sessions(store, name)


# --- server-side session epochs --------------------------------------------------------------


def _epoch_key(user_id: int) -> str:
    return f"session_epoch:{user_id}"


def session_epoch(store: Store, user: "User") -> str:
    """The user's current session epoch ("0" until the first revocation)."""
    with store.engine.connect() as conn:
        v = conn.execute(select(settings_table.c.value).where(settings_table.c.key == _epoch_key(user.id))).scalar()
    return v or "0"


def end_sessions(store: Store, name: str) -> None:
    """End every session of ``name``: a new epoch, so every cookie issued before is refused."""
    user = get_user(store, name)
    if user is None:
        return
    key, value = _epoch_key(user.id), secrets.token_urlsafe(12)
    with store.engine.begin() as conn:
        n = conn.execute(update(settings_table).where(settings_table.c.key == key).values(value=value)).rowcount
        if n == 0:
            try:
                with conn.begin_nested():
                    conn.execute(insert(settings_table).values(key=key, value=value))
            except IntegrityError:  # made meanwhile by another process
                conn.execute(update(settings_table).where(settings_table.c.key == key).values(value=value))


def get_user(store: Store, name: str | None) -> User | None:
    if not name:
        return None
    with store.engine.connect() as conn:
        r = conn.execute(select(users_table).where(users_table.c.name == name)).first()
    if r is None:
        return None
    return User(r.id, r.name, r.role, bool(r.disabled))


def list_users(store: Store) -> list[User]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(users_table).order_by(users_table.c.name)).all()
    return [User(r.id, r.name, r.role, bool(r.disabled)) for r in rows]


def authenticate(store: Store, name: str, password: str) -> User | None:
    """The user if ``password`` is right (and the account is enabled), else None."""
    with store.engine.connect() as conn:
        r = conn.execute(select(users_table).where(users_table.c.name == name.strip())).first()
    if r is None:
        try:
            _hasher.verify(_DUMMY_HASH, password)
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(r.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if r.disabled:
        return None
    if _hasher.check_needs_rehash(r.password_hash):
        with store.engine.begin() as conn:
            conn.execute(update(users_table).where(users_table.c.id == r.id).values(password_hash=_hasher.hash(password)))
    return User(r.id, r.name, r.role, False)


def session_secret(store: Store) -> str:
    """The key that signs session cookies: made once, kept in ``review_settings``."""
    with store.engine.connect() as conn:
        v = conn.execute(select(settings_table.c.value).where(settings_table.c.key == "session_secret")).scalar()
    if v:
        return v
    try:
        with store.engine.begin() as conn:
            conn.execute(insert(settings_table).values(key="session_secret", value=secrets.token_urlsafe(48)))
    except IntegrityError:  # another process made it first
        pass
    with store.engine.connect() as conn:
        return conn.execute(select(settings_table.c.value).where(settings_table.c.key == "session_secret")).scalar()


# --- CSRF ------------------------------------------------------------------------------------

CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"


def csrf_token(session: dict) -> str:
    """The session's CSRF token (made on first use)."""
    tok = session.get("csrf")
    if not tok:
        tok = secrets.token_urlsafe(32)
        session["csrf"] = tok
    return tok


def csrf_ok(session: dict, presented: str | None) -> bool:
    expected = session.get("csrf")
    return bool(expected and presented and hmac.compare_digest(str(expected), str(presented)))
