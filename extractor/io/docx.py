"""Read a Word ``.docx`` report into tables and prose with python-docx.

The body is walked in reading order, content controls (``w:sdt``) and text boxes
(``w:txbxContent``; a report table pasted into a text box is read where the box is anchored)
included; the duplicate VML copy a text box carries for old readers (``mc:Fallback``) is skipped.
Tables are the innermost ``w:tbl`` (laid out by ``extractor.grid.docx_grid``). The title is the
opening paragraphs in the largest type (run size, else the paragraph style's, else a Title or
Heading style), or the first paragraph naming a year and a report when every size is the same.

Errors: a package python-docx cannot open → ``UnreadableFile`` (``corrupt_docx``, exit 3); no
tables → ``NotAReport`` (``no_table``, exit 4).
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from extractor.errors import NotAReport, UnreadableFile
from extractor.grid.docx_grid import docx_grid, q, xml_text, xp
from extractor.grid.structured import clean_text, grid_height, join_continued
from extractor.io.structured import StructuredContent

YEAR_REPORT = re.compile(r"(19|20)\d{2}.*报告")
DEFAULT_SIZE = 10.5  # Word's 五号
TITLE_LOOKAHEAD = 8


def read_docx(path: Path, *, shown_as: Path | None = None) -> StructuredContent:
    """The document's tables as grids, its title and prose. ``shown_as``: the name to put in
    messages (a converted ``.doc``'s original)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    name = shown_as or path
    try:
        document = _open(path)
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile, OSError) as e:
        raise UnreadableFile(f"{name}: the Word file is corrupt or not a Word document ({type(e).__name__}: {e})",
                             code="corrupt_docx") from None
    except Exception as e:  # lxml XMLSyntaxError and the like from a damaged part
        raise UnreadableFile(f"{name}: the Word file is corrupt ({type(e).__name__}: {e})",
                             code="corrupt_docx") from None
    body = document.element.body
    tables = [t for t in xp(body, ".//w:tbl[not(ancestor::mc:Fallback)]")
              if not xp(t, ".//w:tbl")]
    if not tables:
        raise NotAReport(f"{name}: no table in the Word document; not an annual report", code="no_table")
    grids, blank, top = [], [], 0.0
    for i, tbl in enumerate(tables):
        where = "txbx" if xp(tbl, "ancestor::w:txbxContent") else "body"
        g = docx_grid(tbl, index=i, top=top, path=f"{where}/tbl[{i + 1}]")
        if g.n_rows and g.n_cols:
            grids.append(g)
            blank.append(i > 0 and _blank_between(tables[i - 1], tbl))
            top += grid_height(g)
    grids = join_continued(grids, blank)
    paragraphs = [p for p in xp(body, ".//w:p[not(ancestor::w:tbl)][not(ancestor::mc:Fallback)]")]
    styles = _styles(document)
    texts = [(clean_text(xml_text(p)), _size(p, styles)) for p in paragraphs]
    texts = [(t, s) for t, s in texts if t]
    return StructuredContent(kind="docx", title=_title(texts), paragraphs=[t for t, _ in texts],
                             sizes=[sz for _, sz in texts], grids=grids)


DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
OTHER_MAINS = (  # Word files python-docx refuses by their content type only: same markup
    b"application/vnd.ms-word.document.macroEnabled.main+xml",  # .docm
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",  # .dotx
    b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",  # .dotm
)
STRICT_NS = b"http://purl.oclc.org/ooxml/wordprocessingml/main"


def _open(path: Path):
    """python-docx's ``Document``; a macro-enabled file or a template is opened as the document
    it is (its main part's content type swapped in memory; macros are never run or read).
    Strict Open XML (another namespace python-docx cannot read) is refused with the reason."""
    import io

    import docx

    with zipfile.ZipFile(path) as zf:
        types = zf.read("[Content_Types].xml") if "[Content_Types].xml" in zf.namelist() else b""
        if "word/document.xml" in zf.namelist() and STRICT_NS in zf.read("word/document.xml")[:4096]:
            raise ValueError("saved as Strict Open XML; save it as a Word Document (.docx) or convert it")
        if not any(t in types for t in OTHER_MAINS):
            return docx.Document(str(path))
        patched = io.BytesIO()
        with zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as out:
            for info in zf.infolist():
                data = zf.read(info)
                if info.filename == "[Content_Types].xml":
                    for t in OTHER_MAINS:
                        data = data.replace(t, DOCX_MAIN)
                out.writestr(info, data)
    patched.seek(0)
    return docx.Document(patched)


def _blank_between(a, b) -> bool:
    """``b`` follows ``a`` in the same container with only empty paragraphs between them."""
    if a.getparent() is not b.getparent():
        return False
    el = a.getnext()
    while el is not None and el is not b:
        if el.tag != q("p") or clean_text(xml_text(el)):
            return False
        el = el.getnext()
    return el is b


def _size(p, styles: dict) -> float:
    """The paragraph's type size in points: its largest run, else its style's, else Word's default."""
    sizes = []
    for sz in xp(p, "./w:r/w:rPr/w:sz | ./w:hyperlink/w:r/w:rPr/w:sz"):
        try:
            sizes.append(int(sz.get(q("val"))) / 2)
        except (TypeError, ValueError):
            pass
    if sizes:
        return max(sizes)
    style_id = xp(p, "string(./w:pPr/w:pStyle/@w:val)")
    style = styles.get(style_id)
    style_name = ((style.name or "") if style is not None else "").lower()
    while style is not None:
        if style.font is not None and style.font.size is not None:
            return style.font.size.pt
        style = style.base_style
    if style_name == "title" or style_name.startswith("heading") or style_name.startswith("标题"):
        return 16.0
    return DEFAULT_SIZE


def _styles(document) -> dict:
    try:
        return {s.style_id: s for s in document.styles}
    except Exception:  # a damaged styles part: sizes fall back to the default
        return {}


def _title(texts: list[tuple[str, float]]) -> str | None:
    """A run of opening paragraphs in large type (largest first), or the opening short
    paragraphs, or one of the first paragraphs — the first that names a year and a report; else ``None`` (then the
    paragraphs, with their sizes, are searched as a PDF's lines are)."""
    from extractor.io.html import opening_title

    head = texts[:TITLE_LOOKAHEAD]
    if not head:
        return None
    runs: list[tuple[float, list[str]]] = []  # consecutive paragraphs in one type size
    for t, s in head:
        if runs and abs(runs[-1][0] - s) < 0.5:
            runs[-1][1].append(t)
        else:
            runs.append((s, [t]))
    larger = sorted((r for r in runs if r[0] > min(s for _, s in head)), key=lambda r: -r[0])
    # a run in large type (the title, not a red 文件 head above it), then the opening short lines
    for candidate in [*("".join(r[1]) for r in larger), opening_title([t for t, _ in head]), *(t for t, _ in head)]:
        if candidate and YEAR_REPORT.search(candidate) and ("公开" in candidate or "政务" in candidate):
            return candidate
    return None
