"""A server stopped (killed) with uploads pending finishes them when it starts again, and nothing
is processed twice: uploads done before the stop are not extracted again, nor is one whose result
was saved just before the stop (the upload not yet marked done)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


from store_testlib import variant_copies
from test_review_support import add_users

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "samples" / "seed_chaoyang-minzheng-2023.pdf"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(url: str, port: int, upload_dir: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "GOVREPORT_UPLOAD_DIR": str(upload_dir), "GOVREPORT_WORKERS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "extractor.cli", "serve", "--db", url, "--port", str(port)],
                            cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    _kill(proc)
    raise AssertionError("the server did not start in 60 s")


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)  # the server and its extraction workers: no clean shutdown
        proc.wait(10)


def _uploads(store) -> dict[int, dict]:
    from sqlalchemy import select

    from extractor.store.schema import Upload

    with store.engine.connect() as conn:
        return {r.id: dict(r._mapping) for r in conn.execute(select(Upload.__table__))}


def _doc_times(store) -> dict[str, object]:
    from sqlalchemy import select

    from extractor.store.schema import Document

    D = Document.__table__
    with store.engine.connect() as conn:
        return {r.sha256: r.updated_at for r in conn.execute(select(D.c.sha256, D.c.updated_at))}


def test_pending_uploads_finish_after_restart_and_nothing_runs_twice(tmp_path):
    import httpx

    from extractor.service.tokens import create_token
    from extractor.store import open_store

    url = f"sqlite:///{tmp_path / 'svc.db'}"
    store = open_store(url)
    add_users(store, "alice")
    headers = {"Authorization": f"Bearer {create_token(store, 'alice')}"}
    files = variant_copies(PDF, tmp_path / "in", 5)
    log = tmp_path / "server.log"
    up = tmp_path / "uploads"

    port = _free_port()
    a = _serve(url, port, up, log)
    try:
        base = f"http://127.0.0.1:{port}"
        r = httpx.post(f"{base}/api/documents", headers=headers,
                       files=[("files", (files[0].name, files[0].read_bytes(), "application/pdf"))], timeout=30)
        assert r.status_code == 202
        first = r.json()["documents"][0]["id"]
        deadline = time.monotonic() + 120
        while httpx.get(f"{base}/api/documents/{first}", headers=headers).json()["status"] not in ("ok", "review"):
            assert time.monotonic() < deadline, "the first upload was not extracted in 120 s"
            time.sleep(0.2)
        r = httpx.post(f"{base}/api/documents", headers=headers, timeout=30,
                       files=[("files", (p.name, p.read_bytes(), "application/pdf")) for p in files[1:]])
        assert r.status_code == 202
    finally:
        _kill(a)

    before = _uploads(store)
    assert before[first]["state"] == "done" and before[first]["attempts"] == 1
    pending = [i for i, u in before.items() if u["state"] != "done"]
    assert pending, "every upload finished before the kill: nothing was left to resume"
    done_before = {i for i, u in before.items() if u["state"] == "done"}
    # as if the server died between saving the first result and marking its upload done
    from sqlalchemy import update

    from extractor.store.schema import Upload

    with store.engine.begin() as conn:
        conn.execute(update(Upload.__table__).where(Upload.__table__.c.id == first).values(state="running"))
    times = _doc_times(store)

    port = _free_port()
    b = _serve(url, port, up, log)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 180
        while True:
            docs = [httpx.get(f"{base}/api/documents/{i}", headers=headers).json() for i in sorted(before)]
            if all(d["status"] in ("ok", "review", "failed") for d in docs):
                break
            assert time.monotonic() < deadline, f"not finished after the restart: {docs}"
            time.sleep(0.3)
    finally:
        _kill(b)

    assert all(d["status"] == "ok" and d["report_id"] for d in docs), docs
    after = _uploads(store)
    assert all(u["state"] == "done" for u in after.values())
    # nothing done before the stop was extracted again: same attempts, same stored rows
    for i in done_before:
        assert after[i]["attempts"] == before[i]["attempts"] == 1, (i, after[i])
        assert _doc_times(store)[after[i]["sha256"]] == times[after[i]["sha256"]]
    # what was pending ran at most once more (twice only if it was in the worker at the kill)
    for i in pending:
        assert 1 <= after[i]["attempts"] <= before[i]["attempts"] + 1, (i, before[i], after[i])
    # one document per content
    assert len(_doc_times(store)) == len(files)
    store.close()
