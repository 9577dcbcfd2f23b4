"""The calibration script: weighted fit, and examples taken from real reads of generated scans."""

from __future__ import annotations

import sys

import numpy as np

from conftest import ROOT

sys.path.insert(0, str(ROOT))


def test_a_weight_counts_like_repeating_the_example():
    from scripts.calibrate import fit_logistic

    rng = np.random.default_rng(3)
    X = np.column_stack([np.ones(40), rng.normal(size=40)])
    y = (X[:, 1] + rng.normal(scale=0.8, size=40) > 0).astype(float)
    weights = np.where(np.arange(40) < 10, 3.0, 1.0)
    repeated = np.vstack([X] + [X[:10]] * 2)
    y_repeated = np.concatenate([y] + [y[:10]] * 2)
    assert np.allclose(fit_logistic(X, y, weights=weights), fit_logistic(repeated, y_repeated), atol=1e-6)


def test_scan_examples_label_every_truth_field_of_a_real_read(tmp_path):
    from extractor.validate.confidence import FEATURES
    from scripts.calibrate import scan_examples

    X, y, log = scan_examples(1, 5003, tmp_path)  # the first of the kinds: a plain scan
    assert X.shape[1] == len(FEATURES) and len(y) == X.shape[0] >= 150
    assert log[0].startswith("seed 5003 plain")
    assert y.mean() > 0.95  # labelled against the truth: most of a clean-ish scan is right
    assert (X[:, FEATURES.index("is_text")] == 0).all()  # read by the recogniser, not a text layer
