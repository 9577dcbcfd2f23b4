"""``govreport extract``: one file in, its fields out."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from extractor.errors import exit_code_for
from extractor.settings import OcrBackend, Settings


class OutputFormat(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"


def extract_command(
    file: Annotated[Path, typer.Argument(help="A report: PDF, image, multi-page TIFF, a folder of page images, a web page (.html/.htm/.shtml/.xhtml or a saved page folder), or a Word file (.docx; .doc/.wps need LibreOffice)")],
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="json, csv or table")] = OutputFormat.json,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="Write here instead of stdout")] = None,
    ocr: Annotated[OcrBackend, typer.Option(help="OCR backend for scanned pages")] = OcrBackend.rapidocr,
    paddle_models: Annotated[Optional[Path], typer.Option(help="Folder of PaddleOCR model folders")] = None,
    dpi: Annotated[int, typer.Option(help="Render dpi for scanned PDF pages")] = 200,
    force_ocr: Annotated[bool, typer.Option(help="OCR every page, ignoring the text layer")] = False,
    review_threshold: Annotated[float, typer.Option(help="Confidence under which a field goes to review")] = 0.9,
) -> None:
    """Extract every canonical field of one report.

    Exit codes: 0 extracted; 2 usage; 3 unreadable file; 4 not a report (no table 三).
    """
    from extractor import extract
    from extractor.commands.dpi import checked_dpi
    from extractor.limits import safe_reason
    from extractor.render import render_tables, to_csv, to_json

    checked_dpi(dpi)
    settings = Settings(
        ocr_backend=ocr.value, paddle_model_dir=paddle_models, dpi=dpi, force_ocr=force_ocr,
        review_threshold=review_threshold,
    )
    result = extract(file, settings)
    for issue in result.errors:  # library texts (an internal error's too): no file bytes, printable, bounded
        issue.message = safe_reason(issue.message, 500)
    fatal = result.fatal_error
    if fatal is not None:
        # one line, naming the file; a library's text sanitised (no file bytes, printable, bounded)
        message = safe_reason((fatal.message.strip().splitlines() or [fatal.code])[0], 500)
        if str(file) not in message:
            message = f"{file}: {message}"
        sys.stderr.write(f"govreport: {message}\n")
        raise typer.Exit(int(exit_code_for(fatal.code)))
    if format == OutputFormat.table:
        from rich.console import Console

        if output:
            with output.open("w", encoding="utf-8") as fh:
                Console(file=fh, width=200).print(render_tables(result))
        else:
            Console(width=max(160, Console().width)).print(render_tables(result))
        return
    text = to_json(result) if format == OutputFormat.json else to_csv(result)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def register(app: typer.Typer) -> None:
    app.command("extract")(extract_command)
