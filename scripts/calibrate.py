"""Fit the field-confidence coefficients (extractor/validate/calibration.json) on generated documents.

Documents: random consistent value sets (``extractor.validate.simulate``), read either by a
simulated recogniser (per-cell misreads of the single-typo kinds, per-character scores,
alternatives) or from a text layer (some with an author's wrong total); both with occasional
mapping (structure) errors. Each field gives one example: its confidence features after the
checks and the repair search, labelled 1 when its value is what the document prints.
A logistic regression (Newton / IRLS, small L2) is fitted and written as JSON.

Real scans (``--scans N``, default 54): generated reports scanned with the harder kinds of
``scripts.samplegen.scan`` (perspective, curl, uneven light, faded, fax-like, grey, low JPEG
quality, a stamp over numbers, pen ticks, broken/doubled/faint/missing rules, 150 dpi) and made
by ``scan_sources`` (shaded headers, narrow label columns, long fees, a header split by a page
break, LibreOffice's PDF of a DOCX), each read by the
real pipeline up to the validation stage and labelled against its truth. Simulated documents
are plentiful but only as hard as the simulation; the scans bring the recogniser's real score
distribution and the structure's real doubts. Their examples are weighted to ``--scan-share``
of the fit. The written file records, for the scans, how many wrong fields the fitted model
would pass at the review threshold (before the hard rules: doubted structure, unsupported
fields), next to the coefficients it replaced.

    .venv/bin/python scripts/calibrate.py [--docs 600] [--seed 1] [--scans 54] [--scan-seed 5000]
        [--scan-share 0.3] [--out extractor/validate/calibration.json]
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
from extractor.validate.stage import prepare, shaky_fields, supports  # noqa: E402


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
        sup = supports(checks, rep.error_probability, shaky_fields(ex))
        for key, f in ex.fields.items():
            x = features(f, sup.get(key, ArithmeticSupport()))
            X.append([x[k] for k in FEATURES])
            y.append(1.0 if f.value == doc.truth[key] else 0.0)
    return np.asarray(X, dtype=float), np.asarray(y, dtype=float)


SCAN_KINDS: tuple[tuple[str, ...], ...] = (
    (), ("perspective",), ("curl",), ("uneven_light",), ("faded",), ("fax",), ("jpeg_low",), ("stamp_numbers",),
    ("pen_tick",), ("missing_rule",), ("doubled_rule",), ("faint_rule",), ("missing_hrule",),
    ("perspective", "curl"), ("faded", "pen_tick"), ("grey",), ("grey", "stamp_numbers"), ("missing_label_rule",),
    ("missing_header_rule",), ("missing_t4_rule",), ("shaded_header",), ("narrow_labels",), ("long_fee",),
    ("header_break",), ("soffice",), ("jpeg_low", "faded"), ("fax", "pen_tick"),
)  # scan kinds (``scripts.samplegen.scan``) and source kinds (``scan_sources``); every third at 150 dpi


def scan_examples(n: int, first_seed: int, folder: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Feature rows and labels of every field of ``n`` generated scans (seeds ``first_seed`` …),
    the kinds cycling through ``SCAN_KINDS``, every third at 150 dpi; read by the pipeline up to
    (not including) validation. Returns X, y and one line per scan."""
    from extractor.pipeline import STAGES, Run, run_stages
    from extractor.settings import Settings
    from models.extraction import Extraction, ReportMeta
    from scripts.samplegen.scan_sources import SofficeMissing, write_kind_scan

    stages = [(name, st) for name, st in STAGES if name != "validate"]
    settings = Settings()
    engine = None
    X, y, log = [], [], []
    for i in range(n):
        seed = first_seed + i
        kinds = SCAN_KINDS[i % len(SCAN_KINDS)]
        try:
            scan = write_kind_scan(seed, kinds, folder, name=f"cal-{seed}", dpi=150 if i % 3 == 2 else None)
        except SofficeMissing as e:  # no LibreOffice on this machine: that kind is left out
            print(f"seed {seed} {'+'.join(kinds)}: skipped ({e})", file=sys.stderr)
            continue
        truth = json.loads(scan.with_suffix(".truth.json").read_text(encoding="utf-8"))["fields"]
        run = Run(path=scan, settings=settings, result=Extraction(report=ReportMeta()))
        run.ocr_engine = engine
        ex = run_stages(run, stages)
        engine = run.ocr_engine
        prepare(ex)
        checks = run_checks(ex)
        rep = localise(ex, checks)
        sup = supports(checks, rep.error_probability, shaky_fields(ex))
        wrong = 0
        for key, f in ex.fields.items():
            if key not in truth:
                continue
            x = features(f, sup.get(key, ArithmeticSupport()))
            X.append([x[k] for k in FEATURES])
            value = float(f.value) if f.value is not None and not isinstance(f.value, (int, str)) else f.value
            ok = value == truth[key]
            y.append(1.0 if ok else 0.0)
            wrong += not ok
        log.append(f"seed {seed} {'+'.join(kinds) or 'plain'}: {len(ex.fields)} fields, {wrong} wrong")
        print(log[-1], file=sys.stderr)
    return np.asarray(X, dtype=float), np.asarray(y, dtype=float), log


def passed_wrong(X: np.ndarray, y: np.ndarray, w: np.ndarray, threshold: float) -> tuple[int, int]:
    """(wrong fields the model gives confidence ≥ ``threshold``, right fields under it)."""
    p = 1 / (1 + np.exp(-np.clip(X @ w, -35, 35)))
    return int(((p >= threshold) & (y == 0)).sum()), int(((p < threshold) & (y == 1)).sum())


def fit_logistic(X: np.ndarray, y: np.ndarray, l2: float = 1e-2, iters: int = 50,
                 weights: np.ndarray | None = None) -> np.ndarray:
    """Newton–Raphson (IRLS) with an L2 penalty (not on the bias, column 0); ``weights`` per example."""
    sw = np.ones(len(y)) if weights is None else weights
    w = np.zeros(X.shape[1])
    reg = np.full(X.shape[1], l2)
    reg[0] = 0.0
    for _ in range(iters):
        z = np.clip(X @ w, -35, 35)
        p = 1.0 / (1.0 + np.exp(-z))
        grad = X.T @ (sw * (p - y)) + reg * w
        h = (X * (sw * p * (1 - p))[:, None]).T @ X + np.diag(reg) + 1e-9 * np.eye(X.shape[1])
        step = np.linalg.solve(h, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return w


def coefficients_before(path: Path) -> dict[str, float]:
    """The coefficients the new fit replaces (the file at ``path``, else the packaged fallback)."""
    from extractor.validate.confidence import DEFAULT_COEFFICIENTS

    try:
        return json.loads(path.read_text(encoding="utf-8"))["coefficients"]
    except (OSError, ValueError, KeyError):
        return dict(DEFAULT_COEFFICIENTS)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--error-rate", type=float, default=0.01)
    ap.add_argument("--scans", type=int, default=2 * len(SCAN_KINDS),
                    help="generated scans of the harder kinds read for real (0: none)")
    ap.add_argument("--scan-seed", type=int, default=5000)
    ap.add_argument("--scan-share", type=float, default=0.3, help="share of the fit's weight the scans carry")
    ap.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = ap.parse_args(argv)

    rng = random.Random(args.seed)
    docs = generate(rng, args.docs, error_rate=args.error_rate)
    X, y = examples(docs)
    weights = np.ones(len(y))
    scans: dict = {}
    if args.scans > 0:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="calibrate-scans-") as tmp:
            Xs, ys, log = scan_examples(args.scans, args.scan_seed, Path(tmp))
        share = min(0.9, max(0.0, args.scan_share))
        ws = share / (1 - share) * len(y) / max(1, len(ys))  # scans carry `share` of the total weight
        old = np.array([coefficients_before(args.out).get(k, 0.0) for k in FEATURES])
        X, y = np.vstack([X, Xs]), np.concatenate([y, ys])
        weights = np.concatenate([weights, np.full(len(ys), ws)])
    w = fit_logistic(X, y, weights=weights)
    z = np.clip(X @ w, -35, 35)
    p = 1 / (1 + np.exp(-z))
    eps = 1e-12
    nll = float(np.sum(weights * -(y * np.log(p + eps) + (1 - y) * np.log(1 - p + eps))) / np.sum(weights))
    if args.scans > 0:
        threshold = ValidateSettings().review_threshold
        new_pass, new_held = passed_wrong(Xs, ys, w, threshold)
        old_pass, old_held = passed_wrong(Xs, ys, old, threshold)
        scans = {
            "scans": args.scans, "first_seed": args.scan_seed, "share": args.scan_share,
            "kinds": ["+".join(k) or "plain" for k in SCAN_KINDS], "fields": int(len(ys)),
            "wrong_fields": int((1 - ys).sum()),
            "wrong_passed_by_confidence": {"before": old_pass, "after": new_pass},
            "right_held_by_confidence": {"before": old_held, "after": new_held},
        }
    data = {
        "coefficients": {k: round(float(v), 6) for k, v in zip(FEATURES, w)},
        "fitted_on": {
            "docs": args.docs,
            "seed": args.seed,
            "fields": int(len(y)),
            "wrong_fields": int((1 - y).sum()),
            "ocr_error_rate": args.error_rate,
            "log_loss": round(nll, 6),
            **({"scans": scans} if scans else {}),
        },
        "script": "scripts/calibrate.py",
    }
    args.out.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
