"""Read a manifest ``.csv`` row by row; every row is validated, a bad row is reported, never fatal.

Columns (case-insensitive): the document's path (``path``, ``file`` or ``filename``; required),
``agency``, ``year``, ``source_url`` (or ``url``). A row is refused (a ``ManifestProblem``,
code ``bad_manifest``, the batch goes on) when it has no path, more cells than the header, a
year that is not a whole number in ``min_year``…``max_year`` (2000…2100; parsed by the bounded
number parser), or a cell longer than ``max_manifest_cell_chars``. Unknown columns are reported
once (the rows are still read, those columns ignored). At most ``max_manifest_rows`` rows.
Control characters in text cells are dropped; a ``source_url`` starting with ``=`` is kept as
text (exports neutralise it, ``extractor.render.csv_cell``). A row the csv module cannot parse
(a cell over its field limit) is one bad row; the next line is read. Encoding: UTF-8 (BOM or not),
else GB18030 — what Chinese Excel saves as "CSV".
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extractor.limits import Limits
from extractor.mapping.numbers import NumberError, parse_bounded
from models.fields import ValueType

PATH_COLUMNS = ("path", "file", "filename")
URL_COLUMNS = ("source_url", "url")
KNOWN_COLUMNS = set(PATH_COLUMNS) | set(URL_COLUMNS) | {"agency", "year"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class ManifestRow:
    name: str  # ``manifest.csv:LINE``
    ref: str  # the path as written
    agency: str | None
    year: int | None
    source_url: str | None


@dataclass(frozen=True)
class ManifestProblem:
    name: str
    code: str
    message: str


ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 ⊃ GBK/GB2312: what Chinese Excel saves "CSV" as


def manifest_encoding(path: Path) -> str | None:
    """``utf-8-sig`` if the whole file is UTF-8 (with or without a BOM), else ``gb18030`` if it
    decodes as that (a manifest saved from Chinese Excel is GBK), else None. Checked by streaming
    the file through an incremental decoder (bounded memory), before any row is read, so a
    manifest is never half read in the wrong encoding."""
    import codecs

    for enc in ENCODINGS:
        dec = codecs.getincrementaldecoder(enc)(errors="strict")
        try:
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    dec.decode(chunk)
                dec.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            continue
    return None


def read_manifest(path: Path, name: str, limits: Limits) -> Iterator[ManifestRow | ManifestProblem]:
    """The rows of the manifest at ``path``, or a problem per bad row (and one for the file).

    The encoding is UTF-8 (a BOM is fine) or else GB18030/GBK (``manifest_encoding``). A row the
    csv module cannot read — a cell over its field limit (4 × ``max_manifest_cell_chars``), a NUL —
    is one bad row; reading goes on with the next line."""
    csv.field_size_limit(max(limits.max_manifest_cell_chars * 4, 1024))
    try:
        encoding = manifest_encoding(path)
        if encoding is None:
            yield ManifestProblem(name, "bad_manifest",
                                  f"{name}: cannot read the manifest (neither UTF-8 nor GB18030/GBK text); "
                                  f"save it as CSV UTF-8")
            return
        fh = path.open(newline="", encoding=encoding)
    except OSError as e:
        yield ManifestProblem(name, "bad_manifest", f"{name}: cannot read the manifest ({e.strerror or e})")
        return
    with fh:
        reader = csv.reader(fh)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as e:
            yield ManifestProblem(name, "bad_manifest", f"{name}: cannot read the manifest ({_short(e)})")
            return
        if not header:
            yield ManifestProblem(name, "bad_manifest", f"{name}: the manifest is empty")
            return
        cols = [(c or "").strip().lower() for c in header]
        if not any(c in PATH_COLUMNS for c in cols):
            yield ManifestProblem(name, "bad_manifest",
                                  f"{name}: no path column (one of: {', '.join(PATH_COLUMNS)})")
            return
        unknown = [c for c in cols if c not in KNOWN_COLUMNS]
        if unknown:
            shown = ", ".join(repr(_clip(c, 40)) for c in unknown[:5])
            yield ManifestProblem(f"{name}:1", "bad_manifest",
                                  f"{name} line 1: unknown column(s) {shown} ignored "
                                  f"(known: {', '.join(sorted(KNOWN_COLUMNS))})")
        n = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error as e:  # the reader starts again at the next line
                n += 1
                if n > limits.max_manifest_rows:
                    break
                why = (f"a cell over {csv.field_size_limit():,} characters" if "field limit" in str(e)
                       else _short(e))
                yield ManifestProblem(f"{name}:{reader.line_num}", "bad_manifest",
                                      f"{name} line {reader.line_num}: cannot read the row ({why}); row skipped")
                continue
            except UnicodeDecodeError as e:  # the file changed after its encoding was checked
                yield ManifestProblem(f"{name}:{reader.line_num}", "bad_manifest",
                                      f"{name} line {reader.line_num}: cannot read the rest of the manifest ({_short(e)})")
                return
            if not any(c.strip() for c in cells):
                continue
            n += 1
            if n > limits.max_manifest_rows:
                yield ManifestProblem(f"{name}:{reader.line_num}", "bad_manifest",
                                      f"{name}: more than {limits.max_manifest_rows:,} rows (max_manifest_rows): the rest is not read")
                return
            yield _row(cells, cols, f"{name}:{reader.line_num}", f"{name} line {reader.line_num}", limits)


def _row(cells: list[str], cols: list[str], name: str, where: str, limits: Limits) -> ManifestRow | ManifestProblem:
    if len(cells) > len(cols):
        return ManifestProblem(name, "bad_manifest", f"{where}: {len(cells)} cells for {len(cols)} columns; row skipped")
    row: dict[str, str] = {}
    for c, v in zip(cols, cells):
        if c in KNOWN_COLUMNS and c not in row:
            v = v.strip()
            if len(v) > limits.max_manifest_cell_chars:
                return ManifestProblem(name, "bad_manifest",
                                       f"{where}: the {c} cell has {len(v):,} characters (max_manifest_cell_chars "
                                       f"{limits.max_manifest_cell_chars:,}); row skipped")
            row[c] = v
    ref = next((row[c] for c in PATH_COLUMNS if row.get(c)), None)
    if not ref:
        return ManifestProblem(name, "bad_manifest", f"{where}: no path (columns: {', '.join(PATH_COLUMNS)}); row skipped")
    if "\x00" in ref:
        return ManifestProblem(name, "bad_manifest", f"{where}: the path has a NUL character; row skipped")
    year = None
    if row.get("year"):
        try:
            year, _ = parse_bounded(row["year"], ValueType.INT, key="report.year", limits=limits)
        except NumberError as e:
            return ManifestProblem(name, "bad_manifest",
                                   f"{where}: year {_clip(row['year'], 24)!r} refused ({e}); "
                                   f"a year is {limits.min_year}…{limits.max_year}; row skipped")
    return ManifestRow(
        name=name, ref=ref, agency=_text(row.get("agency")), year=year,
        source_url=_text(next((row[c] for c in URL_COLUMNS if row.get(c)), None)),
    )


def _text(v: str | None) -> str | None:
    if not v:
        return None
    v = _CONTROL.sub("", v).strip()
    return v or None


def _clip(s: str, n: int) -> str:
    return s if len(s) <= n else s[:n] + "…"


def _short(e: Exception) -> str:
    return _clip(str(e).splitlines()[0] if str(e) else type(e).__name__, 120)
