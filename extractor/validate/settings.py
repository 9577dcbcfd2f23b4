"""Settings of the validation stage."""

from __future__ import annotations

from pydantic import BaseModel


class ValidateSettings(BaseModel):
    """What the validation stage does and how strict it is."""

    review_threshold: float = 0.9  # a field whose confidence is under this goes to review
    max_error_cells: int = 4  # Fellegi–Holt search: largest set of cells changed per cluster
    search_nodes: int = 20000  # node budget of the depth-first search for 3+ changed cells
    max_suggestions: int = 3  # ranked repairs kept per localised error (per cluster of broken relations)
    source_error_rate: float = 0.002  # prior: a text-layer cell prints a wrong number (author error)
    min_ocr_error_rate: float = 0.001  # prior floor: an OCR cell is misread even at score 1.0
    calibration: str | None = None  # path of a coefficients JSON; None: the packaged calibration.json
