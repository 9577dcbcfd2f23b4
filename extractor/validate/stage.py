"""The validation stage: checks, repair suggestions, calibrated confidence and review status."""

from __future__ import annotations

from models.extraction import UNMAPPED, Check, CheckStatus, DocumentStatus, Extraction, FieldStatus, Source
from models.relations import relations

from extractor.validate.checks import layout_of, run_checks
from extractor.validate.confidence import ArithmeticSupport, coefficients, confidence
from extractor.validate.evidence import evidence_of
from extractor.validate.narrative import narrative_checks
from extractor.validate.plausibility import implausible
from extractor.validate.repair import localise
from extractor.validate.settings import ValidateSettings

STRUCTURE_REVIEW = 0.35  # an OCR field whose structure evidence is under this is reviewed
# a scanned value the recogniser read at under this score is shaky: a relation holding among two
# or more shaky values vouches for none of its values (``supports``). Two misreads of one kind
# agree with each other: a / under a seal's thin arc read 1 (0.64) and its row's total, crossed
# too, read 1 (0.74) — the row's sum held, both wrong values were ok (grey seed 7609, a verifier's
# thin ring). Set where it costs almost no right values: on a verifier's 42 scans 0.8 moved
# the review share 8.3 -> 8.4 %, 0.9 to 9.8 % (on 39 of them: a stamp over numbers leaves them at 0.8-0.9)
SHAKY_OCR = 0.8


def prose_lines(pages: list) -> list[str]:
    """Text lines of the pages (``models.page.PageContent``) that lie outside every table cell."""
    out: list[str] = []
    for page in pages or []:
        boxes = [c.bbox for g in getattr(page, "grids", []) for c in g.cells if c.page == page.number]
        for line in getattr(page, "lines", []):
            b = line.bbox
            cx, cy = (b.x0 + b.x1) / 2, (b.top + b.bottom) / 2
            if any(bb.x0 <= cx <= bb.x1 and bb.top <= cy <= bb.bottom for bb in boxes):
                continue
            out.append(line.text)
    return out


def shaky_fields(extraction: Extraction) -> set[str]:
    """Keys of the scanned values read at a recogniser score under ``SHAKY_OCR``."""
    return {k for k, f in extraction.fields.items() if (ev := evidence_of(f)).is_ocr and ev.ocr < SHAKY_OCR}


def supports(checks: list[Check], error_probability: dict[str, float],
             shaky: set[str] | frozenset[str] = frozenset()) -> dict[str, ArithmeticSupport]:
    """The arithmetic support of every field named by a check: relations holding, broken, P(error).
    A relation that holds with two or more ``shaky`` values in it (``SHAKY_OCR``) is counted for
    none of its values: their agreement is no independent evidence."""
    n_ok: dict[str, int] = {}
    n_broken: dict[str, int] = {}
    for c in checks:
        if c.status == CheckStatus.OK and len(set(c.fields) & shaky) >= 2:
            continue
        target = n_ok if c.status == CheckStatus.OK else n_broken if c.status == CheckStatus.BROKEN else None
        if target is not None:
            for k in set(c.fields):
                target[k] = target.get(k, 0) + 1
    keys = set(n_ok) | set(n_broken) | set(error_probability)
    return {
        k: ArithmeticSupport(n_ok=n_ok.get(k, 0), n_broken=n_broken.get(k, 0), error_prob=error_probability.get(k, 0.0))
        for k in keys
    }


def prepare(extraction: Extraction) -> None:
    """An OCR field's recogniser score, when extraction gave none as evidence, is its incoming
    confidence: record it so that validating twice gives the same result."""
    for f in extraction.fields.values():
        if f.source == Source.OCR and "ocr" not in f.evidence and not f.char_scores:
            f.evidence["ocr"] = float(f.confidence)


def validate(
    extraction: Extraction,
    settings: ValidateSettings | None = None,
    *,
    review_threshold: float | None = None,
    pages: list | None = None,
    prose: list[str] | None = None,
) -> Extraction:
    """Fill ``checks``, ``suggestions``, every field's ``confidence`` and ``status``, and the document
    ``status`` (ok / review; a failed document stays failed). Never changes a field's value or raw.

    ``review_threshold`` overrides ``settings.review_threshold``. Prose for the narrative checks
    comes from ``prose`` (lines of text) or else from the text lines of ``pages`` outside tables.
    Returns the same ``extraction`` object, updated in place.
    """
    settings = settings or ValidateSettings()
    if review_threshold is not None:
        settings = settings.model_copy(update={"review_threshold": review_threshold})

    prepare(extraction)
    checks = run_checks(extraction)
    repair = localise(extraction, checks, settings)
    support_of = supports(checks, repair.error_probability, shaky_fields(extraction))
    coefs = coefficients(settings.calibration)
    checked = {k for r in relations(layout_of(extraction)) for k in r.keys}
    for key, f in extraction.fields.items():
        support = support_of.get(key, ArithmeticSupport())
        f.confidence = round(confidence(f, support, coefs), 6)
        f.evidence["arithmetic"] = round(1.0 - min(1.0, support.error_prob), 6) if support.n_broken else 1.0
        # review: low confidence, a localised error candidate, or in a broken relation with no
        # holding relation to vouch for it (the localisation cannot clear it)
        unsupported = support.n_broken > 0 and support.n_ok == 0
        if implausible(f):
            f.confidence = min(f.confidence, 0.5)
            f.evidence["plausible"] = 0.0
            unsupported = True
        # mapping's verdict stands: a doubtful row label or column title, an amount with no unit;
        # and the parser's: a value it did not take as printed (digits that may be two numbers,
        # ``3 5``; a 0 read as O; the recogniser's next reading; out of range)
        doubtful = f.evidence.get("mapped", 1.0) < 1.0 or f.evidence.get("parsed", 1.0) < 1.0
        # a scanned value whose cell was inferred, not seen (a cut merge, stray ink): a person
        # looks, whatever the relations say (extractor.ocr.structure)
        doubted = f.source == Source.OCR and (
            f.evidence.get("structure", 1.0) < STRUCTURE_REVIEW
            # a scanned value the relations should check, none of which could be evaluated (the
            # cells beside it unreadable): nothing vouches for what the recogniser says
            or (key in checked and support.n_ok == 0 and support.n_broken == 0))
        review = (f.confidence < settings.review_threshold or key in repair.candidates or unsupported
                  or doubtful or doubted)
        f.status = FieldStatus.REVIEW if review else FieldStatus.OK

    lines = prose if prose is not None else prose_lines(pages) if pages else []
    if lines:
        checks.extend(narrative_checks(extraction, lines))

    extraction.checks = checks
    extraction.suggestions = repair.suggestions
    if extraction.status != DocumentStatus.FAILED:
        needs_review = any(
            c.severity == "error" and c.status != CheckStatus.OK for c in checks
        ) or any(f.status == FieldStatus.REVIEW for f in extraction.fields.values()) or any(
            e.code == UNMAPPED for e in extraction.errors  # a printed column or row the format does not know
        )
        extraction.status = DocumentStatus.REVIEW if needs_review else DocumentStatus.OK
    return extraction
