"""Calibrated field confidence: P(value equals what the document prints).

A logistic combination of
- the recogniser's score (``evidence['ocr']``; 1.0 on the text layer),
- the structure certainty (``evidence['structure']``) and the label-match score (``evidence['label']``),
- arithmetic support: how many relations with the field hold exactly, how many are broken, and the
  probability the repair search gives to the field being the error.

The coefficients live in ``calibration.json`` next to this module, written by
``scripts/calibrate.py`` (a logistic regression on generated documents with simulated OCR,
structure and label errors). ``DEFAULT_COEFFICIENTS`` is used when the file is absent.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from models.extraction import Field

from extractor.validate.evidence import evidence_of

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")

FEATURES: tuple[str, ...] = (
    "bias",
    "ocr_logit",  # logit of the recogniser score, 0 on the text layer
    "ocr_logit_unsupported",  # the same when no relation with the field holds
    "ocr_deficit",  # 1 − recogniser score (OCR only): linear in the score, where the logit saturates
    "is_text",
    "structure_logit",
    "label_logit",
    "n_ok",  # relations holding with this field (capped at 2)
    "n_broken_ocr",  # broken relations with this OCR field (capped at 3)
    "n_broken_text",  # the same for a text-layer field (the document itself may be inconsistent)
    "error_prob_ocr",  # P(this OCR cell is the error) from the repair search
    "error_prob_text",  # the same for a text-layer cell
    "no_relation",  # the field is in no evaluable relation: no arithmetic support
)

# hand-set fallback, same scale as the fitted ones
DEFAULT_COEFFICIENTS: dict[str, float] = {
    "bias": 2.0,
    "ocr_logit": 0.9,
    "ocr_logit_unsupported": 0.5,
    "ocr_deficit": -5.0,
    "is_text": 5.0,
    "structure_logit": 0.8,
    "label_logit": 0.8,
    "n_ok": 3.0,
    "n_broken_ocr": -1.0,
    "n_broken_text": -0.5,
    "error_prob_ocr": -6.0,
    "error_prob_text": -2.0,
    "no_relation": -0.5,
}

_CLAMP = 0.005  # evidence scores are read in [0.005, 0.995]: logits in ±5.3


def logit(p: float) -> float:
    p = min(1.0 - _CLAMP, max(_CLAMP, p))
    return math.log(p / (1.0 - p))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class ArithmeticSupport:
    n_ok: int = 0
    n_broken: int = 0
    error_prob: float = 0.0


def features(field: Field, support: ArithmeticSupport) -> dict[str, float]:
    ev = evidence_of(field)
    return {
        "bias": 1.0,
        "ocr_logit": logit(ev.ocr) if ev.is_ocr else 0.0,
        "ocr_logit_unsupported": logit(ev.ocr) if ev.is_ocr and support.n_ok == 0 else 0.0,
        "ocr_deficit": 1.0 - ev.ocr if ev.is_ocr else 0.0,
        "is_text": 0.0 if ev.is_ocr else 1.0,
        "structure_logit": logit(ev.structure),
        "label_logit": logit(ev.label),
        "n_ok": float(min(support.n_ok, 2)),
        "n_broken_ocr": float(min(support.n_broken, 3)) if ev.is_ocr else 0.0,
        "n_broken_text": 0.0 if ev.is_ocr else float(min(support.n_broken, 3)),
        "error_prob_ocr": float(min(1.0, support.error_prob)) if ev.is_ocr else 0.0,
        "error_prob_text": 0.0 if ev.is_ocr else float(min(1.0, support.error_prob)),
        "no_relation": 1.0 if support.n_ok + support.n_broken == 0 else 0.0,
    }


@cache
def _load(path: str | None) -> dict[str, float]:
    p = Path(path) if path else CALIBRATION_FILE
    if p.exists():
        data = json.loads(p.read_text(encoding="utf-8"))
        coefs = data.get("coefficients", data)
        return {k: float(coefs.get(k, 0.0)) for k in FEATURES}
    return dict(DEFAULT_COEFFICIENTS)


def coefficients(path: str | None = None) -> dict[str, float]:
    return _load(path)


def confidence(field: Field, support: ArithmeticSupport, coefs: dict[str, float] | None = None) -> float:
    """The calibrated probability that ``field.value`` is what the document prints."""
    if field.value is None or field.value == "":
        return 0.0
    coefs = coefs or coefficients()
    x = features(field, support)
    return sigmoid(sum(coefs.get(k, 0.0) * v for k, v in x.items()))
