"""Errors that end one document's extraction, each with a stable code and an exit status.

A bulk run records the code and message and moves on; the CLI maps them to exit codes.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    USAGE = 2
    UNREADABLE = 3
    NOT_A_REPORT = 4


class ExtractionFailure(Exception):
    """The document cannot be extracted. ``code`` is stable; ``message`` is for people."""

    code = "failed"
    exit_code = ExitCode.UNREADABLE

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class UnreadableFile(ExtractionFailure):
    """The file cannot be opened as a document: missing, empty, corrupt, encrypted, a folder."""

    code = "unreadable"
    exit_code = ExitCode.UNREADABLE


class NotAReport(ExtractionFailure):
    """The file opens, but it is not an annual report (no table 三 found)."""

    code = "not_a_report"
    exit_code = ExitCode.NOT_A_REPORT


class BackendUnavailable(ExtractionFailure):
    """A configured OCR backend is not installed or its models are not on disk."""

    code = "backend_unavailable"
    exit_code = ExitCode.USAGE




def exit_code_for(code: str) -> ExitCode:
    """The CLI exit status for an error code recorded on an Extraction."""
    if code.startswith("not_a_report") or code in {"no_table", "no_tables"}:
        return ExitCode.NOT_A_REPORT
    if code.startswith("backend"):
        return ExitCode.USAGE
    return ExitCode.UNREADABLE
