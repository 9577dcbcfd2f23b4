"""One settings object steers the whole pipeline (as pdfplumber's table settings steer its finder)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Literal

from pydantic import BaseModel


class OcrBackend(StrEnum):
    """The recognisers a user can pick (``Settings.ocr_backend``)."""

    rapidocr = "rapidocr"
    paddle = "paddle"


class Settings(BaseModel):
    # page kind
    min_text_chars: int = 20  # fewer real characters than this on a page: treat it as a scan
    force_ocr: bool = False  # OCR every page, ignoring any text layer
    # scans
    dpi: int = 200  # render dpi for scanned PDF pages
    scan_max_dpi: int = 300  # page images made finer are read at this dpi (time and memory; 0: never shrink)
    ocr_backend: Literal["rapidocr", "paddle"] = "rapidocr"
    paddle_model_dir: Path | None = None  # folder with PaddleOCR model folders (det/rec)
    ocr_threads: int = 1  # onnxruntime intra-op threads per worker (workers are the parallelism)
    # text outside the tables on scans: "needed" reads in full only what the pipeline uses (page
    # 1's title and opening lines, the section headings, section 六 with the 信息处理费) and only
    # the start of every other paragraph (to spot headings); "all" reads every line (slower:
    # narrative checks then see the whole prose)
    ocr_prose: Literal["needed", "all"] = "needed"
    # text-layer grids
    snap_tolerance: float = 3.0  # points: rules closer than this are one rule
    join_tolerance: float = 3.0
    intersection_tolerance: float = 3.0
    # validation
    review_threshold: float = 0.9  # confidence under this sends a field to review
