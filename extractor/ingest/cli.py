"""``govreport ingest``, ``govreport status`` and ``govreport export``."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from extractor.commands.db import DbOpt, checked_dpi, checked_url
from extractor.settings import OcrBackend
from extractor.store.engine import DEFAULT_URL


class EngineKind(StrEnum):
    local = "local"
    ray = "ray"


class ExportFormat(StrEnum):
    csv = "csv"
    parquet = "parquet"
    xlsx = "xlsx"


def ingest_command(
    paths: Annotated[list[Path], typer.Argument(help="Files, folders (recursive), .zip archives or manifest .csv files")],
    db: DbOpt = DEFAULT_URL,
    workers: Annotated[Optional[int], typer.Option("--workers", "-w", min=1, help="Worker processes (default: CPU count)")] = None,
    engine: Annotated[EngineKind, typer.Option("--engine", help="local (process pool) or ray (actor pool)")] = EngineKind.local,
    ray_address: Annotated[Optional[str], typer.Option("--ray-address", help="Ray cluster address (default: a local Ray)")] = None,
    reprocess: Annotated[bool, typer.Option("--reprocess", help="Redo documents stored by an older extractor version")] = False,
    retry_failed: Annotated[bool, typer.Option("--retry-failed", help="Redo documents that failed before")] = False,
    timeout: Annotated[float, typer.Option("--timeout", help="Seconds one document may take before it is given up")] = 600.0,
    ocr: Annotated[OcrBackend, typer.Option(help="OCR backend for scanned pages")] = OcrBackend.rapidocr,
    paddle_models: Annotated[Optional[Path], typer.Option(help="Folder of PaddleOCR model folders")] = None,
    dpi: Annotated[int, typer.Option(help="Render dpi for scanned PDF pages")] = 200,
    force_ocr: Annotated[bool, typer.Option(help="OCR every page, ignoring the text layer")] = False,
    review_threshold: Annotated[float, typer.Option(help="Confidence under which a field goes to review")] = 0.9,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar, no summary")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout (for scripts)")] = False,
    allow_outside: Annotated[bool, typer.Option("--allow-outside", help="Let manifest rows and folder links name files outside their folder")] = False,
) -> None:
    """Extract many reports into a database: idempotent (keyed by content sha256) and crash-safe.

    A re-run skips what is stored; a killed run is finished by running it again. Bad files are
    recorded as failed documents with their reason. Exit code 0 even when some documents failed
    (see the summary); 2 on usage errors (e.g. Ray not installed).
    """
    from extractor.ingest.engines import EngineUnavailable
    from extractor.ingest.runner import Reporter, ingest
    from extractor.settings import Settings

    checked_url(db)
    checked_dpi(dpi)
    settings = Settings(
        ocr_backend=ocr.value, paddle_model_dir=paddle_models, dpi=dpi, force_ocr=force_ocr,
        review_threshold=review_threshold,
    )

    reporter = Reporter()
    if not quiet:
        from extractor.ingest.progress import RichReporter

        reporter = RichReporter()
    try:
        summary = ingest(
            [str(p) for p in paths], db=db, workers=workers, engine=engine.value, ray_address=ray_address,
            reprocess=reprocess, retry_failed=retry_failed, timeout=timeout, reporter=reporter, settings=settings,
            allow_outside=allow_outside,
        )
    except (EngineUnavailable, ValueError) as e:  # Ray missing, a bad URL
        sys.stderr.write(f"govreport: {e}\n")
        raise typer.Exit(2)
    if as_json:
        sys.stdout.write(json.dumps(summary.to_dict(), ensure_ascii=False) + "\n")
    if not quiet:
        _print_summary(summary, to_stderr=as_json)


def _print_summary(s, *, to_stderr: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from rich.markup import escape

    console = Console(stderr=to_stderr)
    t = Table(title=f"ingest summary ({s.db})", show_header=False)
    t.add_row("found", f"{s.inputs} file(s), {s.documents} distinct, {s.duplicates} duplicate(s)")
    t.add_row("skipped (already stored)", str(s.skipped))
    t.add_row("processed", f"{s.processed} in {s.seconds:.1f} s — {s.docs_per_s:.2f} docs/s, {s.pages_per_s:.2f} pages/s")
    t.add_row("[green]ok", str(s.ok))
    t.add_row("[yellow]needs review", str(s.review))
    t.add_row("[red]failed", str(s.failed))
    for code, n in s.failed_by_reason.items():
        t.add_row(f"  {code}", str(n))
    t.add_row("cross-year pairs checked", str(s.cross_year_pairs))
    t.add_row("pages linked to their attachment", str(s.source_pairs) + (f" ({escape(s.source_pairs_error)})" if s.source_pairs_error else ""))
    if s.cross_year_error:
        t.add_row("[yellow]cross-year", s.cross_year_error)
    console.print(t)


def status_command(
    db: DbOpt = DEFAULT_URL,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
) -> None:
    """Counts in a database: documents by status, failures by reason, reports by layout and year."""
    from extractor.store import open_store

    checked_url(db)

    with open_store(db) as store:
        s = store.status_summary()
    if as_json:
        sys.stdout.write(json.dumps(s, ensure_ascii=False, default=str) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(f"[bold]{store.url}[/bold]: {s['documents']} document(s), {s['pages']} page(s), "
                  f"{s['reports']} report(s); {s['fields_to_review']} field(s) to review, "
                  f"{s['fields_reviewed']} reviewed")
    for title, data in (
        ("documents by status", s["by_status"]),
        ("failed by reason", s["failed_by_reason"]),
        ("reports by layout", s["by_layout"]),
        ("reports by year", s["by_year"]),
        ("documents by extractor version", s["by_extractor_version"]),
        ("broken checks by rule", s["broken_checks_by_rule"]),
        ("cross-year checks", s["cross_checks"]),
    ):
        if not data:
            continue
        t = Table(title=title, title_justify="left", min_width=40)
        t.add_column("")
        t.add_column("count", justify="right")
        for k, v in data.items():
            t.add_row(str(k), str(v))
        console.print(t)


def export_command(
    db: DbOpt = DEFAULT_URL,
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="csv, parquet or xlsx")] = ExportFormat.csv,
    long: Annotated[bool, typer.Option("--long", help="One row per field with provenance and review history")] = False,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Output file (default: govreport-{wide,long}.FORMAT)")] = None,
    extracted: Annotated[bool, typer.Option("--extracted", help="Wide: the extracted values, ignoring reviewed ones")] = False,
) -> None:
    """Export the stored reports: wide (one row per report, one column per field) or --long."""
    from extractor.store import open_store
    from extractor.store.export import export

    checked_url(db)
    out = output or Path(f"govreport-{'long' if long else 'wide'}.{format.value}")
    with open_store(db) as store:
        n = export(store, out, format.value, long=long, reviewed=not extracted)
    sys.stderr.write(f"wrote {n} row(s) to {out}\n")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest_command)
    app.command("status")(status_command)
    app.command("export")(export_command)
