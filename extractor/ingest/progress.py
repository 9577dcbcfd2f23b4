"""The ingest progress bar (rich): documents done, docs/s, pages/s, ETA and failures so far; each
failed document's one line (its name and the reason) printed above the bar as it fails."""

from __future__ import annotations

import time

from rich.console import Console
from rich.text import Text
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from extractor.ingest.runner import Reporter
from models.extraction import DocumentStatus, Extraction


class RichReporter(Reporter):
    def __init__(self, console: Console | None = None):
        self.console = console or Console(stderr=True)
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[docs_s]:.1f} docs/s"),
            TextColumn("{task.fields[pages_s]:.1f} pages/s"),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=self.console,
            transient=False,
        )
        self.task = None
        self.t0 = 0.0
        self.pages = 0
        self.done = 0
        self.failed = 0

    def stage(self, text: str) -> None:
        self.finish()  # stages come before and after the documents, never during
        self.console.print(f"[dim]{text}…[/dim]")

    def start(self, total: int, skipped: int) -> None:
        if skipped:
            self.console.print(f"[dim]{skipped} document(s) already stored: skipped[/dim]")
        self.progress.start()
        self.t0 = time.perf_counter()
        self.task = self.progress.add_task("ingesting", total=total, docs_s=0.0, pages_s=0.0, failed=0)

    def advance(self, name: str, extraction: Extraction) -> None:
        self.done += 1
        self.pages += extraction.report.pages or 0
        if extraction.status == DocumentStatus.FAILED:
            self.failed += 1
            self.progress.console.print(failure_line(name, extraction), soft_wrap=True)
        dt = max(time.perf_counter() - self.t0, 1e-6)
        self.progress.update(
            self.task, advance=1, docs_s=self.done / dt, pages_s=self.pages / dt, failed=self.failed
        )

    def finish(self) -> None:
        if self.task is not None:
            self.progress.stop()
            self.task = None


def failure_line(name: str, extraction: Extraction) -> Text:
    """``failed: <name>: <message> (<code>)`` on one line (the name once), as plain text: a
    file name or a message holding ``[red]`` or a newline is printed as it is, never read as
    markup or as a second line."""
    issue = extraction.fatal_error or next(iter(extraction.errors), None)
    if issue is None:
        line = f"failed: {name}"
    elif name in issue.message:  # the message names the file already
        line = f"failed: {issue.message} ({issue.code})"
    else:
        line = f"failed: {name}: {issue.message} ({issue.code})"
    line = " ".join(line.split())
    return Text(line[:500], style="red")
