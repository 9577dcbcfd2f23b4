"""The benchmarks' worker runner: a worker that dies before it answers ends the run with its
exit code instead of leaving the parent waiting on the queue for ever (a verifier's first
bench_ocr run hung: its worker failed to import a dev dependency)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))


def test_a_worker_that_dies_ends_the_run():
    import bench_ocr

    with pytest.raises(SystemExit, match="died"):
        bench_ocr._run(os._exit, 3)  # the worker calls os._exit(3, q): a TypeError, exit code 1
