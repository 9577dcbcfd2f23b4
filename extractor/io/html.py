"""Read a saved report web page (``.html``, ``.htm``, ``.shtml``, ``.xhtml``; a browser's
single-file ``.mht``/``.mhtml`` save) into tables and prose.

Steps: decode (``encoding.decode_page``), parse with lxml's HTML parser (forgiving, as browsers
are), find the report's tables — the innermost ``<table>`` elements whose text names rows of the
format (a layout table wrapping the page is never one) — and the article around them: their
nearest common ancestor, widened while the wider block is still mostly text rather than links
(menus, search boxes and footers are link lists). The title comes from
``<meta name="ArticleTitle">`` (TRS and most government CMSs), an ``og:title``, an ``<h1>``,
``<title>`` without its ``_栏目_站点`` suffix, then lesser headings — the first that names a year
and a report. The prose (for the title year, the agency and the 信息处理费 sentence) is the article's
block text with the tables left out.

Errors: undecodable text → ``UnreadableFile`` (exit 3); no report table → ``NotAReport``
(``no_table``, exit 4) saying whether the page shows its tables as images (图片版).
"""

from __future__ import annotations

import re
from pathlib import Path

from extractor.errors import NotAReport, UnreadableFile
from extractor.grid.html_grid import SKIP_TAGS, _hidden, _tag, cell_text, html_grid
from extractor.grid.structured import clean_text, grid_height, join_continued
from extractor.io.encoding import decode_page
from extractor.io.structured import StructuredContent
from extractor.mapping.labels import normalize_label

HTML_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml", ".mht", ".mhtml"}
# words that only the format's tables print; two of them make a table a report table
TABLE_WORDS = ("本年新收", "上年结转", "予以公开", "不予公开", "自然人", "行政复议", "行政诉讼", "规范性文件",
               "行政许可", "行政处罚", "维持", "纠正", "结转下年度", "本年制发", "处理决定")
BLOCK_TAGS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "tr", "section", "article", "center",
              "blockquote", "pre", "ul", "ol", "dd", "dt", "hr"}
TITLE_SPLIT = re.compile(r"\s*(?:[_|｜]|--|—|\s-\s)\s*")
YEAR_REPORT = re.compile(r"(19|20)\d{2}.*报告")
MAX_LINK_DENSITY = 0.3
MAX_PAGE_BYTES = 64 << 20  # the largest real report page seen is under 1 MB; a saved page with inline images a few MB


def is_mhtml(head: bytes) -> bool:
    """A browser's single-file save (``.mht``/``.mhtml``): a MIME message of the page and its parts."""
    h = head.lstrip().lower()
    return (h.startswith((b"from:", b"mime-version:", b"subject:", b"date:", b"content-type: multipart/related"))
            and b"multipart/related" in h)


def mhtml_page(data: bytes, path: Path) -> bytes:
    """The HTML part of an MHTML file, transfer-decoded, as bytes in its own charset (declared to
    the decoder by a ``<meta charset>`` put in front when the part names one)."""
    import email
    from email import policy

    msg = email.message_from_bytes(data, policy=policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/html":
            body = part.get_payload(decode=True) or b""
            charset = part.get_content_charset()
            if charset and not re.search(rb"<meta[^>]+charset", body[:4096], re.IGNORECASE):
                body = f'<meta charset="{charset}">'.encode("ascii", "ignore") + body
            return body
    raise UnreadableFile(f"{path}: a single-file web page (MHTML) with no HTML part", code="corrupt_html")


def looks_like_html(head: bytes) -> bool:
    """The first bytes look like markup (any ASCII-compatible encoding, BOM allowed) or an MHTML save."""
    if is_mhtml(head):
        return True
    h = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return h.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<!--", b"<body", b"<table",
                         b"<div", b"<p")) or b"<html" in h[:1024]


def read_html(path: Path) -> StructuredContent:
    """The page's report tables as grids, its title and prose. See the module doc for errors."""
    size = path.stat().st_size
    if size > MAX_PAGE_BYTES:
        raise UnreadableFile(f"{path}: {size / 2**20:.0f} MB is too large for a report's web page "
                             f"(limit {MAX_PAGE_BYTES >> 20} MB)", code="too_large")
    data = path.read_bytes()
    if is_mhtml(data[:4096]):
        data = mhtml_page(data, path)
    decoded = decode_page(data, path)
    root = _parse(decoded.text, path)
    leaves = [t for t in root.iter("table") if not any(True for _ in t.iterdescendants("table"))]
    report_tables = [t for t in leaves if _table_score(t) >= 2]
    title = find_title(root, opening=_opening_blocks(report_tables))
    if not report_tables:
        local = local_images(root, path)
        if local:  # 图片版: the tables are pictures saved with the page
            raise ImagePage(path, local, title)
        images = len(_article_images(root))
        why = (f"its tables are {images} image(s) (图片版); give the saved page folder with the images"
               if images else "not an annual report page")
        raise NotAReport(
            f"{path}: no report table in the web page ({len(leaves)} table(s), none with the format's rows"
            f"{'; title ' + repr(title) if title else ''}); {why}",
            code="no_table",
        )
    anchor = _common_ancestor(report_tables)
    article = _widen(anchor)
    tables = [t for t in leaves if _inside(t, anchor) or t in report_tables]
    grids, blank, top = [], [], 0.0
    gaps = blank_gaps(root, tables)
    for i, t in enumerate(tables):
        g = html_grid(t, index=i, top=top)
        if g.n_rows and g.n_cols:
            grids.append(g)
            blank.append(gaps[i])
            top += grid_height(g)
    grids = join_continued(grids, blank)
    return StructuredContent(kind="html", title=title, paragraphs=block_texts(article, skip=tables), grids=grids,
                             encoding=decoded.encoding)


class ImagePage(Exception):
    """The page shows its report as images (图片版) and the saved folder holds them: read them as a
    scan. ``images`` in page order; ``title`` from the page."""

    def __init__(self, path: Path, images: list[Path], title: str | None):
        super().__init__(f"{path}: {len(images)} image(s)")
        self.path, self.images, self.title = path, images, title


MIN_IMAGE_BYTES = 20_000  # icons, logos and spacers are smaller than a page of a report


def local_images(root, page: Path) -> list[Path]:
    """The page's ``<img>`` files that were saved with it (beside it or in a sub-folder), large
    enough to be a page of the report, in page order, each once."""
    from urllib.parse import unquote, urlsplit

    base = page.parent.resolve()
    out: list[Path] = []
    for img in _article_images(root):
        src = unquote(urlsplit(img.get("src") or "").path)
        if not src or src.startswith("/"):
            src = Path(src).name  # a site-absolute path: the saved copy sits beside the page
        try:
            f = (base / src).resolve()
        except (OSError, ValueError):
            continue
        if base not in f.parents or not f.is_file() or f in out:  # never outside the saved folder
            continue
        if f.stat().st_size >= MIN_IMAGE_BYTES and _page_shaped(f):
            out.append(f)
    return out


def _page_shaped(f: Path) -> bool:
    """Whether the saved image could be a page: a banner or a divider strip (sides over
    ``max_image_aspect`` to one, one under ``min_image_side`` or over ``max_image_side``, the
    limits ``images.ImageFrames`` refuses a page by) is page chrome, left out
    rather than refusing the report. An image whose size cannot be read is kept: opening it
    says what is wrong with it."""
    from PIL import Image

    from extractor.io.images import page_shaped
    from extractor.limits import current

    lim = current()
    try:
        with Image.open(f) as im:
            w, h = im.size
    except Exception:  # noqa: BLE001 - any reader error: ImageFrames reports it in one line
        return True
    return min(w, h) >= lim.min_image_side and page_shaped(w, h, lim)


def blank_gaps(root, tables: list) -> list[bool]:
    """For each table, whether only blank text (spaces, nbsp) stands between it and the table
    before it (False for the first)."""
    elems = [el for el in root.iter()]
    start = {id(el): i for i, el in enumerate(elems)}
    end: dict[int, int] = {}
    for el in reversed(elems):
        last = start[id(el)]
        for child in el:
            last = max(last, end[id(child)])
        end[id(el)] = last
    out = [False]
    for a, b in zip(tables, tables[1:]):
        sa, ea, sb = start[id(a)], end[id(a)], start[id(b)]
        if sb <= ea:  # nested or out of order: not a continuation
            out.append(False)
            continue
        ancestors = {id(x) for x in b.iterancestors()}
        parts = [a.tail or ""]
        for el in elems[ea + 1 : sb]:
            if isinstance(el.tag, str) and _tag(el) not in SKIP_TAGS:
                parts.append(el.text or "")
            if id(el) not in ancestors and end[id(el)] < sb:
                parts.append(el.tail or "")
        for anc in a.iterancestors():  # tails of a's ancestors that close before b
            if id(anc) in ancestors:
                break
            parts.append(anc.tail or "")
        out.append(not clean_text("".join(parts)))
    return out


def _parse(text: str, path: Path):
    import lxml.html
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # lxml refuses str input with an encoding declaration
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as e:
        raise UnreadableFile(f"{path}: the web page cannot be parsed ({e})", code="corrupt_html") from None


def _table_score(table) -> int:
    text = normalize_label("".join(cell_text(td) for td in table.iter("td", "th")))
    return sum(1 for w in TABLE_WORDS if w in text)


def _inside(el, ancestor) -> bool:
    return any(a is ancestor for a in el.iterancestors())


def _common_ancestor(elements: list):
    chains = [[el, *el.iterancestors()][::-1] for el in elements]
    common = None
    for level in zip(*chains):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    if common is None or common in elements and len(elements) == 1:
        common = elements[0].getparent()
    return common


def _text_len(el) -> int:
    return sum(len(t.strip()) for t in el.itertext())


def _link_len(el) -> int:
    return sum(_text_len(a) for a in el.iter("a"))


def _widen(el):
    """The widest ancestor of ``el`` still mostly text (not a menu or a footer of links)."""
    best = el
    cur = el.getparent()
    while cur is not None and _tag(cur) not in ("body", "html"):
        total = _text_len(cur)
        if total and _link_len(cur) / total > MAX_LINK_DENSITY:
            break
        best = cur
        cur = cur.getparent()
    return best


def block_texts(article, skip: list = ()) -> list[str]:
    """The article's text split at block elements; the tables in ``skip`` (read as grids),
    nested ones and hidden parts left out. Layout tables around the article are walked."""
    skipped = set(map(id, skip))
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        t = clean_text("".join(buf))
        if t:
            out.append(t)
        buf.clear()

    def walk(el) -> None:
        t = _tag(el)
        if t in SKIP_TAGS or id(el) in skipped or (isinstance(el.tag, str) and _hidden(el)):
            flush()
            if el.tail:
                buf.append(el.tail)
            return
        block = t in BLOCK_TAGS
        if block:
            flush()
        if el.text and isinstance(el.tag, str):
            buf.append(el.text)
        for child in el:
            walk(child)
        if block:
            flush()
        if el.tail:
            buf.append(el.tail)

    if article.text:
        buf.append(article.text)
    for child in article:
        walk(child)
    flush()
    return out


def _opening_blocks(report_tables: list) -> list[str]:
    """The first blocks of the article (where a title printed as paragraphs stands)."""
    if not report_tables:
        return []
    return block_texts(_widen(_common_ancestor(report_tables)), skip=report_tables)[:4]


def opening_title(blocks: list[str]) -> str | None:
    """A title printed as the article's first short paragraphs (agency / year line), joined."""
    for n in range(1, min(3, len(blocks)) + 1):
        parts = blocks[:n]
        if any(len(p) > 40 for p in parts):
            break
        joined = "".join(parts)
        if YEAR_REPORT.search(joined) and ("公开" in joined or "政务" in joined):
            return joined
    return None


def find_title(root, opening: list[str] = ()) -> str | None:
    """The report's title: meta ArticleTitle, og:title, an ``<h1>``, the article's opening
    paragraphs, ``<title>``, lesser headings — the first naming a year and a report; ``None``
    when none does (the prose is searched then, as for a PDF)."""
    candidates: list[str] = []
    for name in ("ArticleTitle", "articletitle", "title", "Title"):
        candidates += [m.get("content", "") for m in root.iter("meta") if m.get("name") == name]
    candidates += [m.get("content", "") for m in root.iter("meta") if m.get("property") == "og:title"]
    candidates += [cell_text(h) for h in root.iter("h1")]
    candidates += [t for t in [opening_title(list(opening))] if t]
    # <title> before lesser headings: a sidebar's h3 may name another year's report
    head_title = next((t.text_content() for t in root.iter("title")), "")
    candidates += [p for p in TITLE_SPLIT.split(head_title)] + [head_title]
    for tag in ("h2", "h3"):
        candidates += [cell_text(h) for h in root.iter(tag)]
    candidates += [cell_text(el) for el in root.iter() if isinstance(el.tag, str)
                   and "title" in (el.get("class") or "").lower() and len(cell_text(el)) < 80]
    candidates = [clean_text(c) for c in candidates if c and clean_text(c)]
    for c in candidates:
        if YEAR_REPORT.search(c) and ("公开" in c or "政务" in c):
            return c
    return None


def _article_images(root) -> list:
    return [img for img in root.iter("img") if (img.get("src") or "").lower().split("?")[0].endswith(
        (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp"))]


def find_page_file(folder: Path) -> Path | None:
    """A saved page folder's page: ``index.html``/``page.html`` or the largest HTML file in it."""
    pages = [p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in HTML_SUFFIXES]
    if not pages:
        return None
    for name in ("page.html", "index.html", "index.htm", "page.htm"):
        for p in pages:
            if p.name.lower() == name:
                return p
    return max(pages, key=lambda p: p.stat().st_size)
