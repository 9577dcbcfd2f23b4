"""Decode a saved web page's bytes into text: the encoding found, never guessed blindly.

Chinese government pages are UTF-8, GBK, GB2312 or GB18030, with or without a ``<meta charset>``,
and the declaration is often wrong (a GBK page that says ``utf-8`` after a site migration, or the
reverse). A candidate is accepted only when it decodes the bytes strictly *and* the text reads as
Chinese (ideographs, few control characters); the order is: byte-order mark, UTF-8, the declared
charset, GB18030 (a superset of GBK and GB2312), then charset-normalizer's best guess (Big5,
UTF-16 without a BOM, ...). Valid UTF-8 with no Chinese in it is taken as it is (a page, but not a
report: the caller finds no report table). Nothing accepted is an ``UnreadableFile`` (exit 3)
that names what was tried.
A page with a few stray bytes in an otherwise clean encoding is decoded in it with the stray bytes
replaced (U+FFFD; ``Decoded.encoding`` says how many) rather than read as another encoding's
mojibake.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from extractor.errors import UnreadableFile

META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)
XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)
BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# the GB family decodes as GB18030, which is a strict superset of GBK and GB2312
GB_FAMILY = {"gb2312", "gbk", "gb18030", "x-gbk", "cp936", "hz-gb-2312", "euc-cn"}
MIN_CJK = 8  # a report page has hundreds; a few guards against noise read as ideographs


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec used, e.g. "utf-8", "gb18030"
    declared: str | None  # what the page said, if anything


def declared_charset(head: bytes) -> str | None:
    m = META_CHARSET.search(head) or XML_DECL.search(head)
    return m.group(1).decode("ascii", "replace").lower() if m else None


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    if name.lower() in GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _has_controls(text: str) -> bool:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls > max(2, len(text) // 1000)


def reads_as_chinese(text: str) -> bool:
    """Enough CJK ideographs and almost no C0 control characters (binary read as text)."""
    cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf")
    return cjk >= MIN_CJK and not _has_controls(text)


def decode_page(data: bytes, name: str | Path = "page") -> Decoded:
    """The page's text and the encoding that gave it. Raises ``UnreadableFile`` (code
    ``undecodable``) when no encoding yields Chinese text."""
    head = data[:4096]
    declared = declared_charset(head)
    tried: list[str] = []
    candidates: list[str] = []
    for bom, enc in BOMS:
        if data.startswith(bom):
            candidates.append(enc)
            break
    candidates += ["utf-8"]
    if _codec(declared):
        candidates.append(_codec(declared))
    candidates.append("gb18030")
    seen: set[str] = set()
    valid_utf8: str | None = None
    for enc in candidates:
        if enc in seen:
            continue
        if enc == "gb18030" and _codec(declared) != "gb18030":
            near = _nearly(data, "utf-8")  # UTF-8 with a stray byte, not GB18030 mojibake
            if near is not None:
                return Decoded(text=near[0], encoding=near[1], declared=declared)
        seen.add(enc)
        tried.append(enc)
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if reads_as_chinese(text):
            return Decoded(text=text.lstrip("\ufeff"), encoding=enc, declared=declared)
        if enc in ("utf-8", "utf-8-sig") and not _has_controls(text):
            valid_utf8 = text
    guess = _detected(data)
    if guess and guess not in seen:
        tried.append(guess)
        try:
            text = data.decode(guess)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if reads_as_chinese(text):
            return Decoded(text=text.lstrip("\ufeff"), encoding=guess, declared=declared)
    if valid_utf8 is not None:  # valid text, just not Chinese: a page, but not a report's
        return Decoded(text=valid_utf8.lstrip("\ufeff"), encoding="utf-8", declared=declared)
    # a page in one encoding with a few stray bytes (a truncated copy, a pasted fragment): the
    # encoding that leaves almost nothing undecodable, its bad bytes shown as U+FFFD
    for enc in dict.fromkeys(["utf-8", _codec(declared) or "utf-8", "gb18030"]):
        near = _nearly(data, enc)
        if near is not None:
            return Decoded(text=near[0], encoding=near[1], declared=declared)
    said = f"declares {declared!r}" if declared else "declares no charset"
    raise UnreadableFile(
        f"{name}: cannot decode the page's text ({said}; no Chinese text as {', '.join(tried)})",
        code="undecodable",
    )


def _nearly(data: bytes, enc: str) -> tuple[str, str] | None:
    """``data`` in ``enc`` with at most a few undecodable bytes (replaced), if it reads as Chinese."""
    text = data.decode(enc, errors="replace")
    bad = text.count("\ufffd") - data.decode(enc, errors="ignore").count("\ufffd")
    if 0 < bad <= max(3, len(text) // 2000) and reads_as_chinese(text):
        return text.lstrip("\ufeff"), f"{enc} ({bad} bytes replaced)"
    return None


def _detected(data: bytes) -> str | None:
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    return _codec(best.encoding) if best is not None else None
