"""Sample report generator: synthetic 2021-format annual reports with truth files.

Modules: ``content`` (numbers, labels, prose and truth), ``tables`` (the three fixed tables as
cell grids), ``fonts`` (embeddable CJK fonts from the dev extras), ``render`` (text-layer PDFs
with fpdf2), ``scan`` (image-only degraded copies) and ``seed`` (the seed report rebuilt from
its text). ``scripts/make_samples.py`` is the command line.
"""

from .content import Report, Style, generate_report, relation_failures, truth_dict, write_truth
from .render import render_pdf
from .scan import make_scan
from .seed import build_seed_report

__all__ = [
    "Report",
    "Style",
    "build_seed_report",
    "generate_report",
    "make_scan",
    "relation_failures",
    "render_pdf",
    "truth_dict",
    "write_truth",
]
