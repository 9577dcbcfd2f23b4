"""Validation: arithmetic checks (勾稽关系), ranked repair suggestions, calibrated confidence.

    from extractor.validate import validate
    validate(extraction)            # fills checks, suggestions, confidence, status
    cross_checks(this_year, last_year)
    narrative_checks(extraction, prose_lines)

The relations are read from ``models.relations``; nothing here restates them.
"""

from extractor.validate.checks import run_checks
from extractor.validate.confidence import confidence
from extractor.validate.cross import cross_checks, normalize_agency, same_agency
from extractor.validate.narrative import narrative_checks
from extractor.validate.repair import localise, suggest
from extractor.validate.settings import ValidateSettings
from extractor.validate.stage import validate

__all__ = [
    "ValidateSettings",
    "confidence",
    "cross_checks",
    "localise",
    "narrative_checks",
    "normalize_agency",
    "run_checks",
    "same_agency",
    "suggest",
    "validate",
]
