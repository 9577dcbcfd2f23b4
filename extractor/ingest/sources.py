"""One report, two sources: a saved web page and its own attachment (PDF, DOCX, DOC).

Portals publish the report as an article page with the same report attached. When both are
ingested they are stored as two documents and linked as one report's two sources: the page's
report is the report, the attachment's is its second source (the wide export has one row for
them). A field both print differently is a broken ``sources-agree`` check, and goes to review
in both — one of the two is wrong, and a person must say which.

Which attachment is the page's own: a document in the page's folder (or below it) whose file
name is the last part of a link in the page (``<a href>``, ``<iframe>``/``<embed>``/``<object>``
to a .pdf/.doc/.docx/.wps); failing that, the only page and the only attachment of one folder
when both name the same agency and year (for archive members, the only way: the folder is the
member's folder inside the archive).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

from models.extraction import Check, CheckStatus, Extraction

PAGE_SUFFIXES = {".html", ".htm", ".shtml", ".xhtml"}
ATTACHMENT_SUFFIXES = {".pdf", ".doc", ".docx", ".wps"}
SAME_REPORT = "same-report"
SOURCES_AGREE = "sources-agree"
MAX_PAGE_BYTES = 20 << 20


def attachment_names(page: Path) -> set[str]:
    """File names the page links to that could be its report as an attachment."""
    import lxml.html

    from extractor.io.encoding import decode_page

    try:
        if page.stat().st_size > MAX_PAGE_BYTES:
            return set()
        text = decode_page(page.read_bytes(), page).text
        import re

        root = lxml.html.document_fromstring(re.sub(r"^\s*<\?xml[^>]*\?>", "", text))
    except Exception:  # an unreadable page links nothing: its extraction already says why
        return set()
    names = set()
    for el in root.iter("a", "iframe", "embed", "object"):
        ref = el.get("href") or el.get("src") or el.get("data") or ""
        name = Path(unquote(urlsplit(ref).path)).name
        if Path(name).suffix.lower() in ATTACHMENT_SUFFIXES:
            names.add(name.lower())
    return names


def _plain(v):
    return float(v) if isinstance(v, Decimal) else v


def compare_sources(page: Extraction, attachment: Extraction, attachment_name: str) -> list[Check]:
    """The link (an ``ok`` check) and a broken ``sources-agree`` check per field both print
    differently (fields one of them lacks are not compared)."""
    checks = [Check(relation=SAME_REPORT, rule=SAME_REPORT, severity="info", status=CheckStatus.OK, fields=[],
                    values={}, description=f"the page and its attachment {attachment_name} are one report's sources")]
    for key, f in page.fields.items():
        other = attachment.fields.get(key)
        if other is None or f.value is None or other.value is None or key.startswith("report."):
            continue
        a, b = _plain(f.value), _plain(other.value)
        if a == b:
            continue
        numeric = isinstance(a, (int, float)) and isinstance(b, (int, float))
        checks.append(Check(
            relation=f"{SOURCES_AGREE}:{key}", rule=SOURCES_AGREE, severity="error", status=CheckStatus.BROKEN,
            fields=[key], values={"page": a if numeric else None, "attachment": b if numeric else None},
            lhs=a if numeric else None, rhs=b if numeric else None, difference=(a - b) if numeric else None,
            description=f"{key}: the page prints {f.raw or a!r}, its attachment {attachment_name} {other.raw or b!r}",
        ))
    return checks


def find_pairs(store) -> list[tuple[int, int, str]]:
    """``(page report id, attachment report id, attachment name)`` for stored pages whose own
    attachment is stored too."""
    docs = [d for d in store.documents() if d.report_id is not None and d.path]
    by_dir: dict[Path, list] = defaultdict(list)
    for d in docs:
        by_dir[Path(d.path).parent].append(d)
    pairs: list[tuple[int, int, str]] = []
    for d in docs:
        page = Path(d.path)
        if page.suffix.lower() not in PAGE_SUFFIXES:
            continue
        # an archive member (``a.zip!dir/page.html``) is not on disk any more: its folder decides
        linked = attachment_names(page) if "!" not in d.path and page.is_file() else set()
        near = [a for folder, group in by_dir.items() if folder == page.parent or page.parent in folder.parents
                for a in group if Path(a.path).suffix.lower() in ATTACHMENT_SUFFIXES]
        own = [a for a in near if Path(a.path).name.lower() in linked]
        if not own:
            same = [a for a in by_dir[page.parent] if Path(a.path).suffix.lower() in ATTACHMENT_SUFFIXES]
            pages = [p for p in by_dir[page.parent] if Path(p.path).suffix.lower() in PAGE_SUFFIXES]
            if len(same) == 1 and len(pages) == 1:
                this, other = store.report(d.report_id), store.report(same[0].report_id)
                if this.agency and (this.agency, this.year) == (other.agency, other.year):
                    own = same
        pairs += [(d.report_id, a.report_id, Path(a.path).name) for a in own]
    return pairs


def link_sources(store) -> int:
    """Link every stored page with its own stored attachment and check that they agree.
    Returns the number of pairs linked."""
    n = 0
    for page_id, att_id, name in find_pairs(store):
        checks = compare_sources(store.load_extraction(page_id, reviewed=True),
                                 store.load_extraction(att_id, reviewed=True), name)
        store.save_source_pair(page_id, att_id, checks)
        n += 1
    return n
