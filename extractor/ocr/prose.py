"""Prose and title on a scan: the ink outside the tables cut into lines, and which of them are
read (``ProseReader``: headings for the stitcher, page 1's title, section 六's fee).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

import cv2
import numpy as np

from extractor.grid.image_grid import ImageTable, component_boxes
from extractor.layout.title import TITLE, clean_agency, match_title
from extractor.ocr.cells import _bands, _has_glyph, _merge_fragments
from extractor.ocr.crops import PxBox, _crop, _k
from extractor.ocr.engine import Recognition
from extractor.ocr.normalise import _combine, _normalise


MARK_LINES = 2.5  # an upright run taller than this many glyphs and narrow is a mark, not text


def _prose_lines(ink: np.ndarray, tables: list[ImageTable], dpi: float, glyph: float) -> list[PxBox]:
    """Boxes of the runs of text outside every table (upright pixels), top to bottom. A run
    ends where the gap between glyphs is wide (a line of prose may be several runs)."""
    free = ink.copy()
    m = _k(dpi, 0.02, 2)
    for t in tables:
        x0, y0 = int(t.cols[0]) - m, int(t.rows[0]) - m
        x1, y1 = int(t.cols[-1]) + m, int(t.rows[-1]) + m
        free[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0
    if not free.any():
        return []
    # smear each line into one blob: wide horizontally (inter-character gaps), barely vertically
    kx, ky = _k(dpi, 0.09, 3), _k(dpi, 0.012, 1)
    blobs = cv2.dilate(free, cv2.getStructuringElement(cv2.MORPH_RECT, (kx, ky)))
    boxes = component_boxes(blobs)
    del blobs
    max_h = dpi * 0.7
    raw: list[PxBox] = []
    for x, y, w, h in boxes:
        x0, x1 = x + kx // 2, x + w - kx // 2  # undo the smear
        y0, y1 = y + ky // 2, y + h - ky // 2
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        if y1 - y0 > MARK_LINES * glyph and x1 - x0 < 0.5 * (y1 - y0):
            # an upright stroke lines tall: a shadow at the page's edge, a fold, a pen's stroke —
            # no text; taken for a line, it would make every line beside it one tall line
            continue
        if y1 - y0 > max_h:  # two or more lines fused: split at the projection's gaps
            sub = free[y0:y1, x0:x1]
            for a, b in _merge_fragments(_bands(sub.sum(axis=1))):
                raw.append((x0, y0 + a, x1, y0 + b))
            continue
        raw.append((x0, y0, x1, y1))
    raw.sort(key=lambda b: (b[1], b[0]))
    return raw


@dataclass
class ProseRow:
    """One line of text outside the tables: its runs left to right."""

    runs: list[PxBox]

    @property
    def box(self) -> PxBox:
        return (min(r[0] for r in self.runs), min(r[1] for r in self.runs),
                max(r[2] for r in self.runs), max(r[3] for r in self.runs))

    @property
    def height(self) -> int:
        return max(r[3] - r[1] for r in self.runs)


def _prose_rows(ink: np.ndarray, tables: list[ImageTable], dpi: float, glyph: float) -> list[ProseRow]:
    """The runs of text outside the tables grouped into lines, top to bottom, each line's runs
    left to right. Tall runs make the lines (two overlapping by half the lower one's height
    are one line); a short run joins the line it lies in by half its height: the strokes of
    三 or 二, which the smear does not join, become part of their heading. A line lower than
    ``min_h`` is dust or a seal's rim; one without a glyph-tall stroke (``_has_glyph``) is specks."""
    min_h = max(_k(dpi, 0.04, 4), int(0.6 * glyph))
    runs = sorted(_prose_lines(ink, tables, dpi, glyph), key=lambda b: -(b[3] - b[1]))
    rows, spans = _group_runs(runs)
    out = []
    for runs_, (a, b) in zip(rows, spans):
        if b - a < min_h:
            continue
        # runs stacked in one column (the strokes of 三) are one run, as tall as the line
        merged: list[list[int]] = []
        for r in sorted(runs_, key=lambda r: r[0]):
            if merged and r[0] <= merged[-1][2]:
                merged[-1][2] = max(merged[-1][2], r[2])
                merged[-1][1] = min(merged[-1][1], r[1])
                merged[-1][3] = max(merged[-1][3], r[3])
            else:
                merged.append(list(r))
        mass = {tuple(m): int(np.count_nonzero(ink[m[1] : m[3], m[0] : m[2]])) for m in merged}
        extent = {tuple(m): _largest_piece(ink[m[1] : m[3], m[0] : m[2]]) for m in merged}
        merged = _strip_margin_marks(merged, mass, extent)
        if not merged:
            continue
        a, b = min(m[1] for m in merged), max(m[3] for m in merged)
        if b - a < min_h:
            continue
        if not _has_glyph(ink[a:b, min(m[0] for m in merged) : max(m[2] for m in merged)], glyph):
            continue  # specks the smear strung into a "line" (a fax's noise, dust): no glyph in it
        out.append(ProseRow(runs=[(m[0], a, m[2], b) for m in merged]))
    out.sort(key=lambda r: (r.box[1], r.box[0]))
    return _join_split_glyphs(out)


SPAN_BUCKET = 32  # px of height per bucket of ``_group_runs``' index of the lines' spans


def _group_runs(runs: list[PxBox]) -> tuple[list[list[PxBox]], list[list[int]]]:
    """Runs (tallest first) grouped into lines: each run joins the line, of those made so far,
    it overlaps most in height — by at least half the lower of the two heights; the first such
    line on a tie — or starts one. Returns the lines' runs and their spans ([top, bottom], px).
    A speckled page has thousands of runs, each a line of its own: the lines' spans are indexed
    by ``SPAN_BUCKET`` px of height, so a run is held against the lines near it only (any line
    it overlaps shares a bucket with it), in the order the lines were made."""
    rows: list[list[PxBox]] = []
    spans: list[list[int]] = []
    buckets: dict[int, set[int]] = {}

    def index(i: int, a: int, b: int) -> None:
        for k in range(a // SPAN_BUCKET, b // SPAN_BUCKET + 1):
            buckets.setdefault(k, set()).add(i)

    for run in runs:
        h = run[3] - run[1]
        near: set[int] = set()
        for k in range(run[1] // SPAN_BUCKET, run[3] // SPAN_BUCKET + 1):
            near.update(buckets.get(k, ()))
        best, best_ov = -1, 0.0
        for i in sorted(near):
            a, b = spans[i]
            ov = min(b, run[3]) - max(a, run[1])
            if ov >= 0.5 * min(h, b - a) and ov > best_ov:
                best, best_ov = i, ov
        if best < 0:
            rows.append([run])
            spans.append([run[1], run[3]])
            index(len(spans) - 1, run[1], run[3])
        else:
            rows[best].append(run)
            spans[best] = [min(spans[best][0], run[1]), max(spans[best][1], run[3])]
            index(best, *spans[best])
    return rows, spans


def _join_split_glyphs(rows: list[ProseRow]) -> list[ProseRow]:
    """Join two short rows stacked one on the other that are together one glyph: a glyph with a
    gap across it (告 as 生 over 口) alone on a line — a long title's last character wrapped
    onto its own line — is cut into two lines, each too short to be the title's. Joined when
    each is at most a glyph and a half wide, they overlap across, stand less than a quarter of
    the page's tallest line apart and are together no taller than it. Pure: boxes in pixels."""
    if len(rows) < 2:
        return rows
    tallest = max(r.height for r in rows)
    out: list[ProseRow] = [rows[0]]
    for r in rows[1:]:
        a, b = out[-1].box, r.box
        height = b[3] - a[1]
        overlap = min(a[2], b[2]) - max(a[0], b[0])
        if (0 <= b[1] - a[3] < 0.25 * tallest and height <= 1.1 * tallest
                and max(a[2] - a[0], b[2] - b[0]) <= 1.5 * height
                and overlap >= 0.5 * min(a[2] - a[0], b[2] - b[0])):
            out[-1] = ProseRow(runs=[(min(a[0], b[0]), a[1], max(a[2], b[2]), b[3])])
        else:
            out.append(r)
    return out


DUST_MASS = 0.03  # a text run holds at least this many ink pixels per square pixel of line height


def _largest_piece(sub: np.ndarray) -> int:
    """The longest side (px) of the largest ink component of ``sub`` (0 when blank)."""
    if not sub.any():
        return 0
    n, _, stats, _ = cv2.connectedComponentsWithStats((sub > 0).astype(np.uint8), connectivity=8)
    return int(max(stats[1:, cv2.CC_STAT_WIDTH].max(), stats[1:, cv2.CC_STAT_HEIGHT].max())) if n > 1 else 0


SPECK = 0.4  # a run whose every ink piece is shorter than this share of the line's height is specks


def _strip_margin_marks(runs: list[list[int]], mass: dict[tuple, int] | None = None,
                        extent: dict[tuple, int] | None = None) -> list[list[int]]:
    """The runs of a line that are text. Dust and paper texture are small runs (under half the
    line's height, under 0.4 of it wide), runs of little ink (``mass``: ink pixels per run,
    under ``DUST_MASS`` of the line's height squared: specks the smear chained into a run as
    wide as a glyph, which read as 二 before a title) or runs of specks only (``extent``: the
    longest side of the run's largest ink piece, under ``SPECK`` of the line's height — five
    specks a speckled scan strung into a run left of 六、 took the heading's left crop, and
    section 六's fee went unread; a glyph has a stroke that long, 一 too) standing apart from the glyphs
    (punctuation is as small but sits next to a glyph, and the smear has usually joined it
    already; 一 alone holds four times that ink). Then a first
    or last run at most a glyph wide and 1.5 line heights away from the rest is a mark beside
    the text — dirt, a punch hole, a pen tick. Read, either would become a stray character
    and hide a heading's number."""
    if not runs:
        return []
    h = max(r[3] - r[1] for r in runs)
    real = [r for r in runs if (r[2] - r[0] >= 0.4 * h or r[3] - r[1] >= 0.5 * h)
            and (mass is None or mass.get(tuple(r), h * h) >= DUST_MASS * h * h)
            and (extent is None or extent.get(tuple(r), h) >= SPECK * h)]
    if not real:
        return []

    def near_real(r: list[int]) -> bool:
        return any(max(q[0] - r[2], r[0] - q[2]) <= 0.3 * h for q in real if q is not r)

    runs = [r for r in runs if r in real or near_real(r)]
    while len(runs) > 1:
        h = max(r[3] - r[1] for r in runs)
        k = _mark_at_start(runs, h)
        if k:
            del runs[:k]
            continue
        k = _mark_at_start([[-r[2], r[1], -r[0], r[3]] for r in reversed(runs)], h)
        if k:
            del runs[len(runs) - k :]
            continue
        break
    return runs


def _mark_at_start(runs: list[list[int]], h: int) -> int:
    """How many leading runs make a mark beside the text: together at most ``h`` wide, then a
    gap of 1.5 ``h`` (a mark may be two or three slivers: a page edge's shadow, a hole's rim)."""
    for k in range(len(runs) - 1):
        if runs[k][2] - runs[0][0] > 1.0 * h:
            return 0
        if runs[k + 1][0] - runs[k][2] >= 1.5 * h:
            return k + 1
    return 0


# a fax's or a faint print's 、 is a blob, read as ： or : — as a heading's separator
HEADING_START = re.compile(r"^\s*[一二三四五六七八九十—\-－]{1,3}\s*[、.．，,：:]")
HEADING = re.compile(r"^\s*(?P<num>[一二三四五六七八九十]{1,3})\s*(?P<sep>[、.．：:])")
# a left crop may read a heading's 、 as 1, l, I or | (a curled, warped or faint print: 六、 → 六1);
# only a left crop's reading, whose line is then read in full (no body line starts 六1)
PROBE_HEADING = re.compile(r"^\s*(?P<num>[一二三四五六七八九十]{1,3})\s*(?P<sep>[、.．，,：:1lI|])")
NUMERALS = "一二三四五六七八九十"
FEE_SECTION = 6  # 六、其他需要报告的事项: the 信息处理费
TITLE_ROWS = 8  # page 1: at most this many lines above the first heading are read (title, opening)
SURE_HEADING = 0.3  # a left crop's score from which its heading form ends the title block
TITLE_SIZE = 0.85  # page 1: lines at least this share of the tallest above the first heading are the title
HEAD_EMS = 3.2  # the left crop that shows a heading's number (四、), in line heights
TAIL_EMS = 4.0  # the right crop that shows a title's end (年度报告), in line heights
TITLE_END = re.compile(r"[报告]")  # a right crop that may end a title (报告, one glyph of it misread)
TITLE_CANDIDATES = 4  # at most this many lines whose right crop shows it are read in full (with the line before)


def _numeral(text: str, form: re.Pattern = HEADING) -> int | None:
    """The number of a heading (六、 → 6; 十二、 → 12), None when ``text`` is not in ``form``."""
    m = form.match(text)
    if not m:
        return None
    t = m.group("num")
    if t == "十":
        return 10
    if t.startswith("十"):
        return 10 + NUMERALS.index(t[1]) + 1
    if len(t) >= 2 and t[1] == "十":
        return (NUMERALS.index(t[0]) + 1) * 10 + (NUMERALS.index(t[2]) + 1 if len(t) == 3 else 0)
    return NUMERALS.index(t[0]) + 1 if len(t) == 1 else None


@dataclass
class DocumentProse:
    """What the pages read so far tell about the next one: the section its text continues.
    Kept per engine (one engine per worker, pages read in order); a page number not above the
    last one seen starts a new document."""

    last_page: int = 0
    section: int | None = None


_CONTEXTS: "weakref.WeakKeyDictionary[object, DocumentProse]" = weakref.WeakKeyDictionary()


def _context(engine) -> DocumentProse | None:
    try:
        return _CONTEXTS.setdefault(engine, DocumentProse())
    except TypeError:  # an engine that takes no weak reference: every page on its own
        return None


class ProseReader:
    """Which text outside the tables is read, and how far.

    ``all``: every line in full, in the page's one batched call.
    ``needed``: what the pipeline uses from prose. The first pass (batched with the cells) reads
    only a left crop (``HEAD_EMS`` line heights: 四、) of each line that can start a paragraph
    (first on the page, indented, after a short line or a gap) — enough to spot a section
    heading, which the stitcher needs between two parts of a table. The second pass reads in
    full: the headings; on page 1, the lines above the first heading (title, agency, year;
    the opening sentence naming the agency); and every line in section 六 (the 信息处理费),
    carried on to the next pages. Other lines are left unread and out of ``PageContent.lines``
    (narrative checks, which are information only, then see less prose).
    """

    def __init__(self, rows: list[ProseRow], gray: np.ndarray, ink: np.ndarray, glyph: float, number: int,
                 policy: str, context: DocumentProse | None, *, stop_y: float = float("inf")):
        self.rows = rows
        self.gray, self.ink, self.glyph = gray, ink, glyph
        self.number = number
        self.policy = policy
        self.context = context
        if context is not None and number <= context.last_page:
            context.section = None  # a new document
        self.section_at_start = context.section if context is not None else None
        self.full: dict[int, list[int]] = {}  # row index -> positions of its runs' crops
        self.results: list[Recognition] = []
        self._probes: list[int] = []
        self._heads: dict[int, int | None] = {}  # heading line -> its number (None: unreadable)
        self._probe_text: dict[int, str] = {}  # heading line -> what its left crop read
        self._opening: list[int] = []  # page 1: lines above the first heading, not the title's
        self._title: list[int] = []  # page 1: the title's lines
        self._more: dict[int, list[int]] = {}  # those lines -> positions of their crops (third pass)
        self.stop_y = stop_y  # page 1's title stands above this (the first table's top, pixels)
        self._first_head = len(rows)  # the first heading read with some confidence
        self._stage = 0  # the title search's passes done (``third_pass``)
        self._tails: list[int] = []  # lines whose right crop was read
        self._title_tails: list[int] = []  # … and showed a title's end

    def _row_crops(self, i: int, out: list[np.ndarray]) -> None:
        self.full[i] = list(range(len(out), len(out) + len(self.rows[i].runs)))
        out.extend(_crop(self.gray, run, self.glyph, self.ink) for run in self.rows[i].runs)

    def first_pass(self) -> list[np.ndarray]:
        crops: list[np.ndarray] = []
        if self.policy == "all":
            for i in range(len(self.rows)):
                self._row_crops(i, crops)
            return crops
        self._probes = [i for i in self._starts()]
        for i in self._probes:
            x0, y0, x1, y1 = self.rows[i].box  # across runs: 一 and 、 may be two
            crops.append(_crop(self.gray, (x0, y0, self._probe_end(i), y1), self.glyph, self.ink))
        return crops

    def _probe_end(self, i: int) -> int:
        """Where row ``i``'s left crop ends: ``HEAD_EMS`` line heights in, moved on to the first
        ink-free column within one more height — a glyph cut in half at the crop's edge costs
        the reading its neighbour (六、其 cut inside 其, on a 150 dpi scan, was read 六其: no
        heading, and section 六's fee was lost); else (glyphs touching) at ``HEAD_EMS``."""
        x0, y0, x1, y1 = self.rows[i].box
        end = x0 + int(HEAD_EMS * (y1 - y0))
        if end >= x1:
            return x1
        cols = self.ink[y0:y1, end : min(x1, end + (y1 - y0))].any(axis=0)
        free = np.flatnonzero(~cols)
        return end + int(free[0]) if len(free) else end

    def _starts(self) -> list[int]:
        """Lines that can start a paragraph (a heading is one)."""
        rows = self.rows
        if len(rows) < 4:
            return list(range(len(rows)))
        left = float(np.percentile([r.box[0] for r in rows], 20))
        right = float(np.percentile([r.box[2] for r in rows], 80))
        out = [0]
        for i in range(1, len(rows)):
            b, prev, h = rows[i].box, rows[i - 1].box, rows[i].height
            # also a short line (a heading is one, even right under a full line with no gap) and
            # a line under a much lower one (a seal's rim or a rule's remnant is no text line)
            if (b[0] > left + 0.8 * h or prev[2] < right - 1.5 * h or b[1] - prev[3] > 1.0 * h
                    or b[2] < right - 1.5 * h or prev[3] - prev[1] < 0.7 * h):
                out.append(i)
        return out

    def _next_heading(self, i: int, text: str, section: int | None) -> bool:
        """A short line whose left crop starts with the next section's number, its 、 lost (a
        curled or warped print: 六其 for 六、其他需要报告的事项). Sections come in order, and a
        heading is short, so a body line (一是…, a full line) is not taken; the line is read in
        full either way."""
        if section is None or not 1 <= section < len(NUMERALS) or not text.startswith(NUMERALS[section]):
            return False
        rows = self.rows
        right = float(np.percentile([r.box[2] for r in rows], 80))
        return rows[i].box[2] < right - 1.5 * rows[i].height

    def second_pass(self, first: list[Recognition]) -> list[np.ndarray]:
        if self.policy == "all":
            self.results = first
            self._update_context()
            return []
        # headings and their numbers, from the left crops (四、 is all a left crop needs to show)
        self._heads = {}
        sure: list[int] = []
        section = self.section_at_start
        for i, rec in zip(self._probes, first):
            text = _normalise(rec.text)
            if HEADING_START.match(text) or PROBE_HEADING.match(text):
                self._heads[i] = _numeral(text, PROBE_HEADING)
                self._probe_text[i] = text
                if rec.score >= SURE_HEADING:
                    sure.append(i)
            elif self._next_heading(i, text, section):
                self._heads[i] = section + 1
            section = self._heads.get(i) or section
        # the title ends at the first heading read with some confidence: a title line's first
        # glyphs, barely legible, can look like 一, to a left crop (it is read in full anyway)
        first_head = min(sure, default=len(self.rows))
        self._first_head = first_head
        want: list[int] = []
        section = self.section_at_start
        opening = [i for i in range(min(first_head, TITLE_ROWS, len(self.rows)))
                   if i not in self._heads] if self.number == 1 else []
        if opening:
            # the title is in the largest type: read it now, the opening lines only if it
            # names no agency and year (``third_pass``)
            tallest = max(self.rows[i].height for i in opening)
            self._opening = [i for i in opening if self.rows[i].height < TITLE_SIZE * tallest]
            # (a title line a left crop took for a heading, unsure, is read as one and is the title's)
            self._title = [i for i in range(min(first_head, TITLE_ROWS, len(self.rows))) if i not in self._opening]
        for i in range(len(self.rows)):
            if i in self._heads:
                want.append(i)
                section = self._heads[i] if self._heads[i] is not None else section
            elif i in opening and i not in self._opening:
                want.append(i)  # the title
            elif section is not None and section >= FEE_SECTION:
                want.append(i)  # section 六 (on this page, or carried on from the page before)
        crops: list[np.ndarray] = []
        self.full = {}
        for i in want:
            self._row_crops(i, crops)
        return crops

    def finish(self, results: list[Recognition]) -> None:
        self.results = results
        self._update_context()

    def third_pass(self) -> list[np.ndarray]:
        """The next pass of page 1's title search, [] when it is done: the opening lines in body
        type when the title lines read give no agency and year (a title in body type, or one
        naming no agency: the opening sentence does, 现公布朝阳市民政局2023年度…); then, still
        without them, a right crop (``TAIL_EMS``) of every other line above the first heading and
        the first table (a web page printed: the title in body type under the site's navigation,
        any depth down the page); then in full the lines whose right crop shows 报/告 (a title
        ends in 报告), each with the line before (the agency over the year's line)."""
        while self._stage < 3:
            self._stage += 1
            crops = (self._opening_crops, self._tail_crops, self._candidate_crops)[self._stage - 1]()
            if crops:
                return crops
        return []

    def _title_found(self) -> bool:
        text = "".join(_normalise(self._line(i).text) for i in sorted(self.full) if i < self._first_head)
        agency, year = match_title(text)
        return bool(agency and year)

    def _opening_crops(self) -> list[np.ndarray]:
        if not self._opening:
            return []
        title = "".join(_normalise(self._line(i).text) for i in self._title)
        m = TITLE.search(re.sub(r"\s+", "", title))
        if m and clean_agency(m.group("agency")):
            self._opening = []
            return []
        return self._full_crops(self._opening)

    def _tail_crops(self) -> list[np.ndarray]:
        if self.number != 1 or self.policy != "needed" or not self.rows or self._title_found():
            return []
        self._tails = [i for i in range(min(self._first_head, len(self.rows)))
                       if i not in self.full and self.rows[i].box[1] < self.stop_y]
        crops = []
        for i in self._tails:
            x0, y0, x1, y1 = self.rows[i].box
            crops.append(_crop(self.gray, (max(x0, x1 - int(TAIL_EMS * (y1 - y0))), y0, x1, y1), self.glyph,
                               self.ink))
        return crops

    def _candidate_crops(self) -> list[np.ndarray]:
        want: list[int] = []
        for i in self._title_tails:
            for j in (i - 1, i):
                if j >= 0 and j not in self.full and j not in want:
                    want.append(j)
        return self._full_crops(want)

    def _full_crops(self, rows: list[int]) -> list[np.ndarray]:
        crops: list[np.ndarray] = []
        self._more = {}
        for i in rows:
            self._more[i] = list(range(len(crops), len(crops) + len(self.rows[i].runs)))
            crops.extend(_crop(self.gray, run, self.glyph, self.ink) for run in self.rows[i].runs)
        return crops

    def finish_third(self, results: list[Recognition]) -> None:
        """Take the results of ``third_pass``'s crops (in their order)."""
        if self._stage == 2:  # right crops: the lines that may end a title
            self._title_tails = [i for i, rec in zip(self._tails, results)
                                 if TITLE_END.search(_normalise(rec.text))][:TITLE_CANDIDATES]
            return
        base = len(self.results)
        self.results = list(self.results) + list(results)
        for i, ks in self._more.items():
            self.full[i] = [base + k for k in ks]

    def _update_context(self) -> None:
        if self.context is None:
            return
        self.context.last_page = self.number
        for i in sorted(self.full):
            if self.policy == "all" or i in self._heads:
                n = _numeral(_normalise(self._line(i).text))
                if n is None and self.policy != "all":
                    n = self._heads[i]
                if n is not None:
                    self.context.section = n

    def _line(self, i: int) -> Recognition:
        return _combine([self.results[k] for k in self.full[i]], False)

    def lines(self) -> list[tuple[ProseRow, Recognition]]:
        out = []
        for i in sorted(self.full):
            rec = self._line(i)
            if i in self._probe_text:
                rec = _heading_from_probe(rec, self._probe_text[i])
            out.append((self.rows[i], rec))
        return out


SEPARATOR_MISREADS = set("1l|Il,，;；:：、.．")


def _heading_from_probe(rec: Recognition, probe: str) -> Recognition:
    """A heading read twice — its left crop (the first pass) and the whole line — where only the
    left crop shows the heading's form (一、) and the whole line misread or dropped the 、 after
    the same number (一1总体情况): the number and 、 as the left crop read them. The stitcher
    needs the form to see a section break between two parts of a table."""
    m = PROBE_HEADING.match(probe)
    text = _normalise(rec.text)
    whole = HEADING.match(text)
    if whole is not None and whole.group("sep") in "：:":  # the heading's form as the text layer has it
        text = f"{whole.group('num')}、{text[whole.end():]}"
        return Recognition(text=text, score=rec.score, char_scores=rec.char_scores,
                           alternatives=rec.alternatives, char_alternatives=rec.char_alternatives)
    if m is None or whole is not None:
        return rec
    num = m.group("num")
    body = text.lstrip()
    if not body.startswith(num):
        return rec
    rest = body[len(num) :]
    if rest[:1] in SEPARATOR_MISREADS:
        rest = rest[1:]
    return Recognition(text=f"{num}、{rest}", score=rec.score, char_scores=rec.char_scores,
                       alternatives=rec.alternatives, char_alternatives=rec.char_alternatives)
