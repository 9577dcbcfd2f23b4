"""govreport: extract the fixed tables of government information-disclosure annual reports.

    from extractor import extract
    result = extract("report.pdf")
    result.fields["applications.received.total"].value
"""

from extractor.pipeline import Extractor, extract
from extractor.settings import Settings

__all__ = ["Extractor", "extract", "Settings"]
