"""Fit the field-confidence coefficients (extractor/validate/calibration.json) on generated documents.

Documents: random consistent value sets (``extractor.validate.simulate``), read either by a
simulated recogniser (per-cell misreads of the single-typo kinds, per-character scores,
alternatives) or from a text layer (some with an author's wrong total); both with occasional
mapping (structure) errors. Each field gives one example: its confidence features after the
checks and the repair search, labelled 1 when its value is what the document prints.
A logistic regression (Newton / IRLS, small L2) is fitted and written as JSON.

    .venv/bin/python scripts/calibrate.py [--docs 600] [--seed 1] [--out extractor/validate/calibration.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.fields import Layout  # noqa: E402

from extractor.validate.checks import run_checks  # noqa: E402
from extractor.validate.confidence import CALIBRATION_FILE, FEATURES, ArithmeticSupport, features  # noqa: E402
from extractor.validate.repair import localise  # noqa: E402
from extractor.validate.settings import ValidateSettings  # noqa: E402
from extractor.validate.simulate import SimDoc, author_error, consistent_values, simulate  # noqa: E402
from extractor.validate.stage import prepare, supports  # noqa: E402


def generate(rng: random.Random, n_docs: int, *, error_rate: float = 0.01) -> list[SimDoc]:
    """The mixed population of calibration: 70 % scans, 30 % text layer (10 % of those with an author error)."""
    docs = []
    for _ in range(n_docs):
        layout = Layout.L2021 if rng.random() < 0.7 else Layout.L2019
        truth = consistent_values(rng, layout)
        if rng.random() < 0.7:
            docs.append(simulate(rng, truth, layout, ocr=True, error_rate=error_rate))
        else:
            if rng.random() < 0.1:
                truth, _ = author_error(rng, truth, layout)
            docs.append(simulate(rng, truth, layout, ocr=False))
    return docs


def examples(docs: list[SimDoc], settings: ValidateSettings | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix (rows: fields) and labels (1: value is what the document prints)."""
    X, y = [], []
    for doc in docs:
        ex = doc.extraction
        prepare(ex)
        checks = run_checks(ex)
        rep = localise(ex, checks, settings)
        sup = supports(checks, rep.error_probability)
        for key, f in ex.fields.items():
            x = features(f, sup.get(key, ArithmeticSupport()))
            X.append([x[k] for k in FEATURES])
            y.append(1.0 if f.value == doc.truth[key] else 0.0)
    return np.asarray(X, dtype=float), np.asarray(y, dtype=float)


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50) -> np.ndarray:
    """Newton–Raphson (IRLS) with an L2 penalty (not on the bias, column 0)."""
    w = np.zeros(X.shape[1])
    reg = np.full(X.shape[1], l2)
    reg[0] = 0.0
    for _ in range(iters):
        z = np.clip(X @ w, -35, 35)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = X.T @ (p - y) + reg * w
        h = (X * (p * (1 - p))[:, None]).T @ X + np.diag(reg) + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(h, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--error-rate", type=float, default=0.01)
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    docs = generate(rng, args.docs, error_rate=args.error_rate)
    X, y = examples(docs)
    w = fit_logistic(X, y)
    z = np.clip(X @ w, -35, 35)
    p = 1 / (1 + np.exp(-z))
    eps = 1e-12
    nll = float(-np.mean(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps)))
    data = {
        "coefficients": {k: round(float(v), 6) for k, v in zip(FEATURES, w)},
        "fitted_on": {
            "docs": args.docs,
            "seed": args.seed,
            "fields": int(len(y)),
            "wrong_fields": int((1 - y).sum()),
            "ocr_error_rate": args.error_rate,
            "log_loss": round(nll, 6),
        },
        "script": "scripts/calibrate.py",
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
