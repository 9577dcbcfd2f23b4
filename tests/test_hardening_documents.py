"""Issue 14, defects 3 and 11: images read one frame at a time with a page cap; bad files and
broken databases give one line naming the file, with the right exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from conftest import SAMPLES, sec_case, SHARED
from extractor.errors import UnreadableFile
from extractor.limits import Limits

GOVREPORT = str(Path(sys.executable).with_name("govreport"))



def _limits(monkeypatch, **kw) -> Limits:
    import extractor.io.document as document

    lim = Limits(**kw)
    monkeypatch.setattr(document, "current_limits", lambda: lim)
    return lim


def _cli(*args, env_extra: dict | None = None) -> subprocess.CompletedProcess:
    import os

    env = {**os.environ, **(env_extra or {})}
    env.pop("GOVREPORT_DEBUG", None)
    return subprocess.run([GOVREPORT, *args], capture_output=True, text=True, timeout=300, env=env)


# --- defect 3: TIFF pages streamed, a page cap ---------------------------------------------------


def test_tiff300_is_refused_over_the_page_cap_in_one_line():
    tif = sec_case("tiff300.tif")
    r = _cli("extract", str(tif))
    assert r.returncode == 3
    assert r.stderr.strip().splitlines() == [f"govreport: {tif}: 300 pages, more than the 200 a report may have (max_pages)"]


def test_tiff_frames_are_decoded_one_at_a_time(monkeypatch):
    from extractor.io.document import open_document

    tif = sec_case("tiff300.tif")
    _limits(monkeypatch, max_pages=400)
    tracemalloc.start()
    try:
        doc = open_document(tif)
        opened = tracemalloc.get_traced_memory()[1]
        assert len(doc.pages) == 300
        tracemalloc.reset_peak()
        one = doc.pages[0].render(200).nbytes
        for page in doc.pages[::25] + doc.pages[-3:]:
            page.render(200)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # all 300 frames decoded at once would be 300 × one frame; streaming holds about two
    assert opened < 4 * one + (8 << 20), (opened, one)
    assert peak < 4 * one + (8 << 20), (peak, one)


def test_a_generated_multipage_tiff_over_the_cap(tmp_path, monkeypatch):
    from PIL import Image

    from extractor.io.document import open_document

    frames = [Image.new("L", (200, 280), 255) for _ in range(12)]
    path = tmp_path / "many.tif"
    frames[0].save(path, save_all=True, append_images=frames[1:], compression="tiff_deflate")
    _limits(monkeypatch, max_pages=10)
    with pytest.raises(UnreadableFile) as e:
        open_document(path)
    assert e.value.code == "too_many_pages" and str(path) in e.value.message
    _limits(monkeypatch, max_pages=12)
    assert len(open_document(path).pages) == 12


# --- defect 11: one-line reasons --------------------------------------------------------------------


def test_a_1x1_image_is_a_clear_reason(tmp_path):
    from extractor.io.document import open_document

    px1 = sec_case("px1.png")
    with pytest.raises(UnreadableFile) as e:
        open_document(px1)
    assert e.value.code == "image_too_small" and "1 × 1 pixels" in e.value.message and str(px1) in e.value.message
    r = _cli("extract", str(px1))
    assert r.returncode == 3
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(px1) in lines[0] and "OpenCV" not in lines[0]
    # the same kind, made here: a 3 × 5000 sliver
    from PIL import Image

    p = tmp_path / "sliver.png"
    Image.new("RGB", (3, 5000), "white").save(p)
    with pytest.raises(UnreadableFile, match="too small"):
        open_document(p)


def test_a_decompression_bomb_image_names_the_file(tmp_path, monkeypatch):
    from PIL import Image

    from extractor.io.document import open_document

    p = tmp_path / "bomb.png"
    Image.new("1", (3000, 3000), 1).save(p)  # 9 Mpx in a few KB
    _limits(monkeypatch, max_image_pixels=4_000_000)
    with pytest.raises(UnreadableFile) as e:
        open_document(p)
    assert e.value.code == "image_too_large" and str(p) in e.value.message and "max_image_pixels" in e.value.message
    assert len(e.value.message.splitlines()) == 1


def test_library_warnings_stay_off_the_terminal(tmp_path):
    """pdfminer logs a warning for every bad operand of a damaged PDF; the CLI prints one line."""
    from reportlab.pdfgen import canvas

    p = tmp_path / "damaged.pdf"
    c = canvas.Canvas(str(p))
    c._code.append("/P0 g")  # an operand pdfminer cannot read as a gray level
    c.drawString(72, 720, "hello")
    c.save()
    r = _cli("extract", str(p))
    assert r.returncode == 4
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Cannot set" not in r.stderr


def test_database_disk_full_is_one_line_and_keeps_what_was_stored(tmp_path, monkeypatch, capsys):
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from extractor import cli
    from extractor.store import open_store
    from extractor.store.store import Store

    folder = tmp_path / "in"
    folder.mkdir()
    pdf = next(p for p in sorted(SAMPLES.glob("gen-2021-*.pdf")) if "scan" not in p.name)
    (folder / "a.pdf").write_bytes(pdf.read_bytes())
    url = f"sqlite:///{tmp_path / 'full.db'}"
    with open_store(url) as store:
        store.record_failure("0" * 64, "earlier.pdf", "unreadable", "kept")

    def full(self, *a, **k):
        raise OperationalError("INSERT INTO fields …", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(Store, "save_extraction", full)
    monkeypatch.setattr(sys, "argv", ["govreport", "ingest", str(folder), "--db", url, "--workers", "1", "--quiet"])
    monkeypatch.delenv("GOVREPORT_DEBUG", raising=False)
    with pytest.raises(SystemExit) as e:
        cli.main()
    assert e.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["govreport: the database refused a write or a read (database or disk is full); what was stored "
                   "before is kept, run the command again once it is fixed"]
    monkeypatch.undo()
    with open_store(url) as store:
        assert [d.path for d in store.documents()] == ["earlier.pdf"]
