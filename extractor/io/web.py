"""Open a web page or a Word file as a ``DocumentSource`` whose one page is already read.

``kind`` is what the first bytes said: ``html``; ``zip`` (a ``.docx`` if it holds
``word/document.xml``, otherwise refused: a renamed archive is not a report); ``ole`` or ``rtf``
(``.doc``/``.wps``/RTF, and OpenDocument ``.odt``: converted to ``.docx`` by LibreOffice, see
``extractor.io.convert``).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path

from extractor.errors import UnreadableFile
from extractor.io.structured import StructuredContent


def open_structured(path: Path, kind: str, size: int):
    from extractor.io.document import DocumentSource, PageSource, _open_images, file_sha256
    from extractor.io.html import ImagePage

    try:
        content = read_structured(path, kind)
    except ImagePage as page:  # 图片版: the saved images are the report's pages, read as a scan
        source = _open_images(path, page.images, size)
        source.sha256 = file_sha256(path)
        source.title_hint = page.title
        return source
    page = content.page()
    return DocumentSource(
        path=path, kind="html" if content.kind == "html" else "docx",
        pages=[PageSource(number=1, width=page.width, height=page.height)],
        sha256=file_sha256(path), size=size, content=[page], encoding=content.encoding,
    )


def read_structured(path: Path, kind: str) -> StructuredContent:
    if kind == "html":
        from extractor.io.html import read_html

        return read_html(path)
    if kind == "zip" and _is_odt(path):
        kind = "odt"  # OpenDocument text (WPS and LibreOffice save it): converted like a .doc
    elif kind == "zip":
        _require_docx(path)
        from extractor.io.docx import read_docx

        return read_docx(path)
    if kind in ("ole", "rtf", "odt"):
        from extractor.io.convert import to_docx
        from extractor.io.docx import read_docx

        with tempfile.TemporaryDirectory(prefix="govreport-doc-") as tmp:
            converted = to_docx(path, Path(tmp))
            return read_docx(converted, shown_as=path)
    raise UnreadableFile(f"{path}: not a web page or a Word file", code="unknown_format")


def _is_odt(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as zf:
            return "mimetype" in zf.namelist() and zf.read("mimetype")[:64].strip() == b"application/vnd.oasis.opendocument.text"
    except (zipfile.BadZipFile, OSError, ValueError, KeyError):
        return False


def _require_docx(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableFile(f"{path}: a broken zip container, not a readable Word file ({e})",
                             code="corrupt_docx") from None
    if "word/document.xml" in names:
        return
    what = _zip_kind(names)
    if path.suffix.lower() in (".docx", ".docm", ".dotx", ".wps", ".doc"):
        raise UnreadableFile(
            f"{path}: named {path.suffix} but is {what} ({len(names)} member(s), no word/document.xml), "
            f"not a Word document", code="not_docx",
        )
    if what == "a zip archive":
        raise UnreadableFile(
            f"{path}: is a zip archive, not a report; to extract the reports inside it, "
            f"use `govreport ingest {path}`", code="is_archive",
        )
    raise UnreadableFile(f"{path}: is {what}, not a report (PDF, image, web page or Word file)", code="unknown_format")


def _zip_kind(names: list[str]) -> str:
    if "xl/workbook.xml" in names:
        return "an Excel workbook"
    if "ppt/presentation.xml" in names:
        return "a PowerPoint file"
    if "content.xml" in names and "mimetype" in names:
        return "an OpenDocument file"
    if "[Content_Types].xml" in names:
        return "an Office package of another kind"
    return "a zip archive"
