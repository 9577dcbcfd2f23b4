"""The report's title: the publishing agency and the year reported on.

Titles are printed in the largest type at the top of page 1, over one or two lines
(``洪泽区人民政府`` / ``2023 年政府信息公开工作年度报告``). Where the title names no agency, the
opening sentence usually does (现公布朝阳市民政局2023年度政府信息公开工作报告).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from models.extraction import BBox, Field, FieldStatus, Source
from models.page import PageContent, TextLine

_REPORT = r"(?:的)?\s*(?:政府)?\s*(?:信息|政务)\s*公开\s*(?:工作)?\s*(?:的)?\s*(?:年度)?\s*(?:工作)?\s*报告"
TITLE = re.compile(  # agency first: 洪泽区人民政府2023年(度)政府信息公开工作年度报告
    r"(?P<agency>[^\d]*?)\s*(?:关于)?\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*" + _REPORT
)
YEAR_FIRST = re.compile(  # year first: 2019年上海市人民政府办公厅政府信息公开工作年度报告
    r"(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*(?:的)?\s*(?P<agency>[^\d]{2,60}?)\s*" + _REPORT
)
NO_YEAR = re.compile(  # no year in the title: 清河市自然资源和规划局政府信息公开工作年度报告
    r"(?P<agency>[^\d]{2,60}?)\s*(?:关于)?\s*" + _REPORT
)
BODY = re.compile(
    r"(?:现|特)?(?:公布|发布|编制)(?:了)?(?P<agency>[^，。,；;《》]{2,40}?)\s*(?P<year>(?:19|20)\d{2})\s*年\s*度?\s*"
    r"(?:政府)?(?:信息|政务)公开"
)
# 本报告所列数据的统计期限为2023年1月1日至12月31日 (also 统计时限 / 统计时间 / 统计区间)
PERIOD = re.compile(r"统计(?:期限|时限|时间|区间|期)[^\d]{0,8}(?P<year>(?:19|20)\d{2})\s*年")
_BRACKETS = str.maketrans({"(": "（", ")": "）"})
# The words an organ's name ends in (人民政府, 民政局, 卫生健康委员会, 办公厅, 综合实验区,
# 管委会, 街道办事处, 档案馆, 中心, 监狱 …): 国务院办公厅's list of 政府信息公开 bodies and the
# corpus' titles. A name read by OCR that ends otherwise (委员云: 会 misread) is doubted.
AGENCY_ENDINGS = (
    "政府", "局", "委员会", "委", "会", "办公室", "办公厅", "厅", "办", "处", "院", "中心", "馆", "所", "站",
    "部", "署", "队", "区", "县", "市", "州", "盟", "旗", "镇", "乡", "街道", "社区", "村", "校", "学",
    "司", "行", "社", "团", "联", "狱", "场", "园", "台", "室", "科", "组", "庭", "省", "府", "公署",
)


def normalize_text(text: str) -> str:
    """Text as matched: NFKC (Kangxi radicals ⼈ U+2F08 → 人, compatibility ideographs,
    full-width digits ２０２２ → 2022 and letters) and no whitespace. Printed text stays in ``raw``."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


# the glyphs of a title's own words after its year (年度政府信息/政务公开工作年度报告)
TITLE_WORDS = "年度的政府信息务公开工作报告"


def match_title(text: str) -> tuple[str, int | None]:
    """(agency, year) of a title in either order; ("", None) when it is not a report title.

    A scan may read one stray glyph where the title wraps (公开工二作年度报告, 公开工1作…: a
    speck or the next line's first stroke): when the title does not match as read, it is
    matched again with each single character between the year and 报告 left out, then with
    each replaced by a glyph of the title's words (``TITLE_WORDS``: 工乍 for 工作, a skewed
    LibreOffice title, soffice seed 7111), the first that makes it a title. A title whose
    last glyph (告) stood alone on its wrapped line and was not read ends in 报: it is matched
    with its 告."""
    t = normalize_text(text)
    agency, year = _match_title(t)
    if not agency and year is None and t.endswith("报") and "报告" not in t:
        # the title's last glyph alone on its wrapped line, not read (…工作年度报 / 告: fax seed 6106)
        t += "告"
        agency, year = _match_title(t)
    if agency or year is not None or "报告" not in t:
        return agency, year
    m = re.search(r"(?:19|20)\d{2}", t)
    start = m.end() if m else 0
    end = t.rfind("报告")
    for i in range(start, end):
        agency, year = _match_title(t[:i] + t[i + 1:])
        if agency and year is not None:
            return agency, year
    for i in range(start, end):  # one glyph of the title's own words misread (工作 read 工乍)
        for c in TITLE_WORDS:
            agency, year = _match_title(t[:i] + c + t[i + 1:])
            if agency and year is not None:
                return agency, year
    return "", None


def _match_title(t: str) -> tuple[str, int | None]:
    first = TITLE.search(t)
    if first and _is_agency(clean_agency(first.group("agency"))):
        return clean_agency(first.group("agency")), int(first.group("year"))
    second = YEAR_FIRST.search(t)
    if second and _is_agency(clean_agency(second.group("agency"))):
        return clean_agency(second.group("agency")), int(second.group("year"))
    hit = first or second
    if hit:
        return "", int(hit.group("year"))
    third = NO_YEAR.search(t)
    if third and _is_agency(clean_agency(third.group("agency"))):
        return clean_agency(third.group("agency")), None
    return "", None


def plausible_agency(name: str) -> bool:
    """Whether ``name`` ends as an organ's name does (``AGENCY_ENDINGS``; a trailing bracketed
    second name, 管委会（平潭县人民政府）, checked in its place)."""
    core = re.sub(r"（[^（）]*）$", "", name.translate(_BRACKETS)) or name
    return core.endswith(AGENCY_ENDINGS)


def _is_agency(name: str) -> bool:
    """A name, not a fragment of the title's own words (政府, 信息公开工作)."""
    return len(name) >= 2 and name not in ("政府", "本机关", "本单位") and "信息公开" not in name and "报告" not in name


def period_year(lines: list[TextLine]) -> int | None:
    """The year of the statistics-period sentence (统计期限为2023年1月1日至12月31日)."""
    m = PERIOD.search(normalize_text("".join(ln.text for ln in lines)))
    return int(m.group("year")) if m else None


@dataclass
class Title:
    text: str | None = None
    agency: str | None = None
    year: int | None = None
    fields: dict[str, Field] = field(default_factory=dict)


def clean_agency(text: str) -> str:
    """An agency name as matched, NFKC'd, without punctuation or quote marks at its ends, brackets
    in the full-width form Chinese names print (平潭综合实验区管委会（平潭县人民政府）); a name cut before its 政府 by the title's own
    政府信息公开 (上海市人民|政府信息公开) gets it back."""
    t = normalize_text(text)
    # quote marks too: no agency's name starts or ends in one, and a 150 dpi scan's speck after
    # the name reads as " (临江市市场监督管理局"2023年…, helper-62)
    t = re.sub(r"^(?:关于|[：:，,。、\-—])+", "", t).strip("：:，,。 《》\"'“”‘’「」『』")
    t = re.sub(r"(?:关于|的)$", "", t)
    if t.endswith("人民"):
        t += "政府"
    return t.translate(_BRACKETS)


def title_lines(page: PageContent, limit: int = 8) -> list[TextLine]:
    """The lines in the largest type among the first few lines of the page."""
    return title_block(page, limit)[0]


def title_block(page: PageContent, limit: int = 8) -> tuple[list[TextLine], bool]:
    """``title_lines`` and whether the agency they give is in doubt (a line above its line that
    may be the name's head, ``_title_top``)."""
    head = [ln for ln in page.lines[:limit] if ln.text.strip()]
    if not head:
        return [], False
    biggest = max(ln.size for ln in head)
    if biggest <= 0:  # OCR lines carry a height instead of a size: use the first lines
        return _title_only(head[:3])
    return _title_only([ln for ln in head if ln.size >= 0.85 * biggest])


HEADING = re.compile(r"^\s*[一二三四五六七八九十]+\s*[、.．]")  # 一、总体情况: the body has begun


def _title_only(lines: list[TextLine]) -> tuple[list[TextLine], bool]:
    """The title lines up to the one that ends in 报告 (its last), never a heading (一、总体情况)
    printed in the same type as the title; of the lines above that last one, only those the
    title still needs (``_title_top``, with its doubt)."""
    out: list[TextLine] = []
    for ln in lines:
        if out and HEADING.match(ln.text):
            break
        out.append(ln)
        if normalize_text("".join(x.text for x in out)).endswith("报告"):  # (…年度报 / 告: its last line)
            return _title_top(out)
    return out, False


def _name_part(line: TextLine) -> bool:
    """Could ``line`` be the first part of a wrapped agency name (江苏省淮安市 / 洪泽区人民政府…)?
    Read with some sureness, no digits, no sentence, ending as an organ's name does."""
    text = normalize_text(line.text)
    return (line.confidence >= NAME_SURE and bool(text) and not re.search(r"\d", text)
            and not _SENTENCE.search(text) and plausible_agency(text))


NAME_SURE = 0.5  # a line read less surely than this is no part of the title's name
# a site's navigation (a menu item alone, a breadcrumb) or the title's own words: no name's head
# a red header (…人民政府办公室文件), an attachment mark, a column's name (…年报): no name's head either
_NOT_NAME = re.compile(r"^(?:政务|信息|政府信息|政务信息)?公开$|报告|年报|首页|网站|当前位置|您的位置|[>»›]|文件$|^附件")


def _name_head(line: TextLine, below: list[TextLine], agency: str) -> bool:
    """Could ``line`` be the head of the agency's name, the title's ``below`` lines starting with
    the rest (黑龙江省哈尔滨市道里区人力资源和社会保 / 障局2023年…: a wrap inside 保障; …住房和 /
    城乡建设局 / 2020年…; a name split by hand before 社会保障局)? Words, no digits, no sentence, no
    navigation (``_NOT_NAME``), and ``agency`` at the start of the text below. The type alone
    cannot tell such a head from other words above the title (a slogan): either way the agency
    found is doubted."""
    text, rest = normalize_text(line.text), normalize_text("".join(ln.text for ln in below))
    return (bool(text) and not re.search(r"\d", text) and not _SENTENCE.search(text)
            and not _NOT_NAME.search(text) and bool(agency) and rest.startswith(agency))


def _wrapped_into(line: TextLine, below: list[TextLine]) -> bool:
    """``line`` read surely and as wide as the widest of the title's ``below`` lines at least: a
    line wraps when it is full, so the name runs on (joined, still doubted); a shorter head (a
    red header over a name alone on its line) is left out."""
    width = max(ln.bbox.x1 - ln.bbox.x0 for ln in below)
    return line.confidence >= NAME_SURE and line.bbox.x1 - line.bbox.x0 >= 0.9 * width


def _repeats(line: TextLine, agency: str) -> bool:
    """``line`` ends with the start of ``agency`` (two glyphs or more): the issuing organ's name
    over its own title (洪泽区人民政府 / 洪泽区人民政府2023年…), a parent area (淮安市洪泽区 /
    洪泽区教育局…) — no head of the name, whose join would say it twice."""
    text = normalize_text(line.text)
    return any(agency.startswith(text[-n:]) for n in range(2, min(len(text), len(agency)) + 1))


def _title_top(lines: list[TextLine]) -> tuple[list[TextLine], bool]:
    """``lines`` (the last ending in 报告) from the first line the title needs, and whether its
    agency is in doubt: going up from the last, a line is taken while the lines below it lack
    the agency or the year, or while it is a part of a wrapped name (``_name_part``) that does
    not say the name's start again (``_repeats``: doubted, left out). Above the
    agency's line, a line that may be the name's head (``_name_head``) makes it doubted; it is
    taken in once when it is full (``_wrapped_into``). A web page printed and scanned sets its
    navigation bar in the title's type right above it: read into the title, 政务公开 or the
    unreadable 政製公工私燈德是公干年框 became the agency's first words (corpus_web 1801)."""
    k = len(lines) - 1
    doubt = joined = False
    while k > 0:
        agency, year = match_title("".join(ln.text for ln in lines[k:]))
        if agency and year and _name_part(lines[k - 1]) and _repeats(lines[k - 1], agency):
            doubt = True
            break
        if agency and year and not _name_part(lines[k - 1]):
            if _name_head(lines[k - 1], lines[k:], agency):
                doubt = True
                if not joined and _wrapped_into(lines[k - 1], lines[k:]):
                    joined = True
                    k -= 1
                    continue
            break
        k -= 1
    return lines[k:], doubt


_SENTENCE = re.compile(r"[，,。；;：:！？]")


def title_line(lines: list[TextLine]) -> tuple[str, int | None, list[TextLine]]:
    """(agency, year, its lines) of the first line above the first heading (一、) that is a whole
    report title in any type — it ends in 报告 and names agency and year
    (平潭综合实验区2019年度政府信息公开工作年度报告), or gives the year and the line before it,
    a name and no sentence, the agency (洪泽区人民政府 / 2023年政府信息公开工作年度报告).
    ("", None, []) when none is. A web page printed puts it under the site's navigation, far
    below the few opening lines ``title_lines`` reads; a sentence that names the report
    (…编制本报告) does not end in 报告 with an agency and year before it."""
    for k, ln in enumerate(lines):
        if HEADING.match(ln.text):
            break
        text = normalize_text(ln.text).rstrip("。.")
        if not text.endswith("报告"):
            continue
        agency, year = match_title(text)
        if agency and year:
            return agency, year, [ln]
        if k and year:
            prev = lines[k - 1]
            name = normalize_text(prev.text)
            if name and not _SENTENCE.search(name) and not re.search(r"\d", name):
                agency2, year2 = match_title(name + text)
                if agency2 and year2:
                    return agency2, year2, [prev, ln]
    return "", None, []


def find_title(pages: list[PageContent]) -> Title:
    """Agency and year from the title lines of page 1 (agency or year first, one or two lines),
    else from the opening lines and sentences; the year, if the title gives none, from the
    statistics-period sentence. Both fields are always present: one not found is ``None`` with
    status ``review`` (a person supplies it), never left out."""
    first = next((p for p in pages if p.lines), None)
    out = Title()
    if first is not None:
        _read_title(pages, first, out)
    for key, value in (("report.agency", out.agency), ("report.year", out.year)):
        if not value:
            out.fields[key] = Field(
                key=key, value=None, raw="", confidence=0.0, status=FieldStatus.REVIEW,
                evidence={"ocr": 0.0, "structure": 0.0, "label": 0.0, "parsed": 0.0, "found": 0.0},
            )
    return out


def _read_title(pages: list[PageContent], first: PageContent, out: Title) -> None:
    lines, doubted = title_block(first)
    text = "".join(ln.text for ln in lines)
    out.text = text or None
    agency, year = match_title(text)
    source_lines = lines
    if not agency:  # a title line in body type anywhere above the first heading (a web page printed)
        agency3, year3, found = title_line(first.lines)
        if agency3:
            agency, year, source_lines = agency3, year or year3, found
    if not agency:  # look in the opening lines for a title printed in body type
        window = first.lines[:12]
        agency2, year2 = match_title("".join(ln.text for ln in window))
        if agency2 or (year2 and not year):
            agency, year, source_lines = agency2, year or year2, window
    if not agency:
        body = "".join(ln.text for p in pages[:2] for ln in p.lines[:30])
        m2 = BODY.search(normalize_text(body))
        if m2:
            agency = clean_agency(m2.group("agency"))
            year = year or int(m2.group("year"))
    year_lines = source_lines
    if not year:
        opening = [ln for p in pages[:2] for ln in p.lines[:40]]
        year = period_year(opening)
        year_lines = [ln for ln in opening if year and str(year) in normalize_text(ln.text)][:1] or source_lines
    out.agency = agency or None
    out.year = year
    if source_lines:
        if out.agency:
            out.fields["report.agency"] = _from_lines("report.agency", out.agency, source_lines)
            if doubted:  # a name's head above may be missing, or a line of other words taken in
                _doubt(out.fields["report.agency"])
        if out.year:
            out.fields["report.year"] = _from_lines("report.year", out.year, year_lines)


def _from_lines(key: str, value, lines: list[TextLine]) -> Field:
    box = lines[0].bbox
    for ln in lines[1:]:
        if ln.page == lines[0].page:
            box = box.union(ln.bbox)
    raw = "".join(ln.text for ln in lines)
    conf = min(ln.confidence for ln in lines)
    out = _field(key, value, raw, lines[0].page, box, lines[0].source, conf)
    if key == "report.agency" and len(str(value)) <= 2:
        _doubt(out)  # no organ's name is two glyphs: the tail of one whose head was lost (障局, 理局)
    elif key == "report.agency" and lines[0].source == Source.OCR and not plausible_agency(str(value)):
        _doubt(out)  # a recogniser's sure misreading of one glyph (委员会 read 委员云) is a fluent wrong name
    return out


def _doubt(f: Field) -> None:
    """``f`` to review; "mapped" below 1 is the doubt the validate stage keeps (``extractor.validate.stage``)."""
    f.status = FieldStatus.REVIEW
    f.evidence["mapped"] = 0.5


def _field(key, value, raw, page, box: BBox, source, confidence) -> Field:
    return Field(key=key, value=value, raw=raw, page=page, bbox=box, source=source, confidence=confidence,
                 evidence={"ocr": confidence, "structure": 1.0, "label": 1.0, "parsed": 1.0})
