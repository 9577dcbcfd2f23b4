"""Bad input: every kind gets a specific message and exit code, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from extractor import extract
from extractor.errors import ExitCode, exit_code_for
from helpers_badfiles import make_encrypted_pdf, make_letter_pdf, make_png
from models import DocumentStatus

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def bad_files(tmp_path):
    letter = make_letter_pdf(tmp_path / "letter.pdf")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    truncated = tmp_path / "truncated.pdf"
    data = letter.read_bytes()
    truncated.write_bytes(data[: len(data) // 3])
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "notes.txt").write_text("no pages here")
    return {
        "empty": (empty, "empty_file", ExitCode.UNREADABLE, "empty"),
        "truncated": (truncated, "corrupt_pdf", ExitCode.UNREADABLE, "corrupt or truncated"),
        "encrypted": (make_encrypted_pdf(tmp_path / "locked.pdf"), "encrypted", ExitCode.UNREADABLE, "encrypted"),
        "letter": (letter, "no_table", ExitCode.NOT_A_REPORT, "no table 三"),
        "png_as_pdf": (make_png(tmp_path / "picture.pdf"), "misnamed_image", ExitCode.UNREADABLE, "PNG image"),
        "directory": (folder, "is_directory", ExitCode.UNREADABLE, "directory"),
        "missing": (tmp_path / "nope.pdf", "not_found", ExitCode.UNREADABLE, "no such file"),
    }


@pytest.mark.parametrize("kind", ["empty", "truncated", "encrypted", "letter", "png_as_pdf", "directory", "missing"])
def test_bad_input_is_a_failed_result_not_an_exception(bad_files, kind):
    path, code, exit_code, words = bad_files[kind]
    result = extract(path)
    assert result.status == DocumentStatus.FAILED
    fatal = result.fatal_error
    assert fatal is not None and fatal.code == code, result.errors
    assert words in fatal.message
    assert exit_code_for(fatal.code) == exit_code


@pytest.mark.parametrize("kind", ["empty", "truncated", "encrypted", "letter", "png_as_pdf", "directory"])
def test_cli_exit_code_and_one_line_reason(bad_files, kind):
    path, _code, exit_code, words = bad_files[kind]
    proc = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "extract", str(path)], capture_output=True, text=True, cwd=ROOT
    )
    assert proc.returncode == exit_code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_cli_usage_error_exits_2():
    proc = subprocess.run([sys.executable, "-m", "extractor.cli", "extract"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == ExitCode.USAGE
    proc = subprocess.run(
        [sys.executable, "-m", "extractor.cli", "extract", "x.pdf", "--format", "yaml"],
        capture_output=True, text=True, cwd=ROOT,
    )
    assert proc.returncode == ExitCode.USAGE


def test_a_strip_of_an_image_is_refused_in_one_line_never_an_internal_error(tmp_path):
    """A strip of an image is no report page: 20 × 60000 px (an OpenCV assertion, an internal
    error; at 50 dpi with a band of ink it took 23 GB before the kernel stopped it; 60000 px
    across is past OpenCV's 32767 for a remap) is refused by its shape, in one line naming
    the file (exit 3); a strip just inside the limits is read (no table), every downscale
    keeping a side of at least 1 px."""
    import cv2
    import numpy as np

    for name, shape, dpi in (("tall.png", (60000, 20), 300), ("wide.png", (20, 60000), 50)):
        strip = tmp_path / name
        ink = np.full(shape, 255, np.uint8)
        ink[shape[0] // 3 : shape[0] // 3 + max(1, shape[0] // 10), :] = 0
        cv2.imwrite(str(strip), ink)
        from PIL import Image

        Image.open(strip).save(strip, dpi=(dpi, dpi))
        result = extract(strip)
        fatal = result.fatal_error
        assert fatal is not None and fatal.code == "image_not_a_page" and str(strip) in fatal.message, result.errors
        assert exit_code_for(fatal.code) == ExitCode.UNREADABLE
    narrow = tmp_path / "narrow.png"
    cv2.imwrite(str(narrow), np.full((24000, 600), 255, np.uint8))
    result = extract(narrow)
    assert result.fatal_error is not None and result.fatal_error.code == "no_table", result.errors
    assert not [e for e in result.errors if e.code == "internal_error"], result.errors


def test_an_image_header_dpi_that_makes_no_page_of_paper_is_not_believed(tmp_path):
    """A 200 dpi A4 scan whose header says 3600 dpi (a 0.6-inch page: every kernel sized for
    3600 dpi, 4.4 GB before a memory cap stopped it) or 72 (a 32-inch page) is read as the
    default 200 dpi: the same fields as the page tagged 200 (a fresh user's probe, 2026-12-01)."""
    import pypdfium2 as pdfium
    from PIL import Image

    from extractor.io.images import plausible_dpi

    assert not plausible_dpi(1655, 2339, 3600) and not plausible_dpi(1655, 2339, 72)
    assert plausible_dpi(1655, 2339, 200) and plausible_dpi(595, 842, 72)  # a 72 dpi A4 screenshot
    pdf = pdfium.PdfDocument(str(ROOT / "samples" / "gen-2021-break-dash.pdf"))
    page = pdf[1].render(scale=200 / 72).to_pil().convert("RGB")
    pdf.close()
    read = {}
    for dpi in (200, 3600, 72):
        path = tmp_path / f"page-{dpi}.png"
        page.save(path, dpi=(dpi, dpi))
        result = extract(path)
        assert not [e for e in result.errors if e.code == "internal_error"], result.errors
        read[dpi] = {k: (f.value, f.status) for k, f in result.fields.items()}
    assert read[200] and read[3600] == read[200] and read[72] == read[200]
