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


def test_a_strip_of_an_image_is_no_report_not_an_internal_error(tmp_path):
    """20 × 60000 px (a long screenshot's margin): every downscale keeps a side of at least
    1 px (a zero width used to reach OpenCV as an assertion, an internal error)."""
    import cv2
    import numpy as np

    strip = tmp_path / "strip.png"
    cv2.imwrite(str(strip), np.full((60000, 20), 255, np.uint8))
    result = extract(strip)
    fatal = result.fatal_error
    assert fatal is not None and fatal.code == "no_table", result.errors
    assert not [e for e in result.errors if e.code == "internal_error"], result.errors
