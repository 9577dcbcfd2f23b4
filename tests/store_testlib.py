"""Helpers for the store and ingest tests: database URLs (SQLite file, PostgreSQL schema) and
inputs made on the fly (copies of one PDF with distinct contents, and bad files)."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from helpers_badfiles import make_encrypted_pdf, make_letter_pdf

PG_HOST = os.environ.get("GOVREPORT_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("GOVREPORT_TEST_PG_PORT", "5432"))
PG_DB = os.environ.get("GOVREPORT_TEST_PG_DB", "test")
_pg_state: dict = {}


def pg_user() -> str | None:
    """The PostgreSQL user that can connect (postgres or root), or None (with the reason kept)."""
    if "user" in _pg_state:
        return _pg_state["user"]
    import psycopg

    reasons = []
    for user in ("postgres", "root"):
        try:
            with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=user, connect_timeout=3) as c:
                c.execute("SELECT 1")
            _pg_state["user"] = user
            return user
        except Exception as e:  # unreachable, auth refused, no such database
            reasons.append(f"{user}: {type(e).__name__}: {str(e).strip().splitlines()[0] if str(e).strip() else ''}")
    _pg_state["user"] = None
    _pg_state["reason"] = "; ".join(reasons)
    return None


def pg_url_or_skip() -> tuple[str, str]:
    """``(url, schema)``: a URL whose tables live in a fresh schema of their own."""
    user = pg_user()
    if user is None:
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT}/{PG_DB} is unreachable ({_pg_state.get('reason')})")
    schema = f"gr_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    return f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{PG_DB}?schema={schema}", schema


def drop_pg_schema(schema: str) -> None:
    import psycopg

    with psycopg.connect(host=PG_HOST, port=PG_PORT, dbname=PG_DB, user=pg_user(), autocommit=True) as c:
        c.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def db_url(kind: str, tmp_path: Path, request) -> str:
    """A fresh database of ``kind`` (sqlite or postgres), removed after the test."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    url, schema = pg_url_or_skip()
    request.addfinalizer(lambda: drop_pg_schema(schema))
    return url


def variant_copies(src: Path, out: Path, n: int, prefix: str = "r") -> list[Path]:
    """``n`` copies of a PDF, each with a different comment appended after %%EOF (distinct sha256,
    the same document to a PDF reader)."""
    out.mkdir(parents=True, exist_ok=True)
    data = src.read_bytes()
    paths = []
    for i in range(n):
        p = out / f"{prefix}{i:04d}.pdf"
        p.write_bytes(data + f"\n% copy {i}\n".encode())
        paths.append(p)
    return paths


def bad_files(out: Path, good_pdf: Path) -> dict[str, Path]:
    """Five bad inputs, each with distinct content: {expected error code: path}."""
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    empty = out / "bad-empty.pdf"
    empty.write_bytes(b"")
    files["empty_file"] = empty
    trunc = out / "bad-truncated.pdf"
    trunc.write_bytes(good_pdf.read_bytes()[:3000])
    files["corrupt_pdf"] = trunc
    junk = out / "bad-junk.pdf"
    junk.write_bytes(b"this is not a pdf at all\n" * 50)
    files["unknown_format"] = junk
    files["encrypted"] = make_encrypted_pdf(out / "bad-encrypted.pdf")
    files["no_table"] = make_letter_pdf(out / "bad-not-a-report.pdf")
    return files


def copy_tree(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst
