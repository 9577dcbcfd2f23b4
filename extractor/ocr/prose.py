"""Prose and title on a scan: which of the lines outside the tables are read, and how
(``ProseReader``: headings for the stitcher, page 1's title, section 六's fee). The lines
themselves are cut by ``extractor.ocr.prose_lines`` (its names are imported here as well).
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass

import numpy as np

from extractor.layout.title import TITLE, clean_agency, match_title
from extractor.ocr.crops import _crop
from extractor.ocr.engine import Recognition
from extractor.ocr.normalise import _combine, _normalise
from extractor.ocr.prose_lines import ProseRow


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

    def _row_crops(self, i: int, out: list[np.ndarray], figures: bool = True) -> None:
        """Row ``i``'s crops in full, onto ``out``. ``figures``: the row may hold a number the
        pipeline reads (a fee, a year): kept at its width (``crops``; a heading's need not be)."""
        self.full[i] = list(range(len(out), len(out) + len(self.rows[i].runs)))
        out.extend(_crop(self.gray, run, self.glyph, self.ink, figures=figures) for run in self.rows[i].runs)

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
            self._row_crops(i, crops, figures=i not in self._heads)
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
            crops.extend(_crop(self.gray, run, self.glyph, self.ink, figures=True) for run in self.rows[i].runs)
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
