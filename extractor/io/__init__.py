"""Opening inputs into pages: PDFs (text layer and/or scans), image files, folders of page images."""

from extractor.io.document import DocumentSource, PageSource, open_document, sniff

__all__ = ["DocumentSource", "PageSource", "open_document", "sniff"]
