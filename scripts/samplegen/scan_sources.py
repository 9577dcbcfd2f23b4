"""What gets scanned: the kinds of scan that change the *document* before it is printed and
scanned (``scan.py``'s ``HARD_KINDS`` change the scan itself). Each is a parameter with truth;
what was drawn goes to the scan truth's ``meta.source_kinds``.

* ``shaded_header``: every table's header cells filled grey or light blue (as office templates
  print them); in some reports table 三's label cells too, or every other body row (banded);
* ``narrow_labels``: label columns of table 三 about 100 pt (label_scale 0.3, label_min 100) and
  number columns 46 pt wide: labels wrap over four or five lines and table 三 runs over three
  pages (when it would fit on two, the table is made to start a page later by a forced break);
* ``header_break``: table 三's header cut by a page break (LibreOffice and Word let a row break
  across pages): before its last header row (the merged titles 自然人 and 总计 cut in two, 自然 at
  the foot of one page and 人 at the top of the next) or, one time in three, before its second
  (申请人情况 alone on the first page);
* ``long_fee``: section 六's information-processing fee a long amount whose digits run the
  same (88888.88, 55555, 6666.66 …), printed in its sentence: a prose line holds a number among
  its words, and a crop narrowed too far loses digits of such a run (read 888.8, 555);
* ``long_agency``: a long agency name (a province, a city, a district and a long department)
  in a one-line title, so the title wraps inside the name (黑龙江省哈尔滨市道里区人力资源和社会保 /
  障局2023年…): the name's tail alone on the line with the year is no agency;
* ``soffice``: the report written as a Word file (``docx.py``) and turned into a PDF by
  LibreOffice (``soffice --headless --convert-to pdf``), another word processor's layout;
* corpus scans (``write_corpus_scan``): a real report of ``../shared/corpus`` printed and scanned;
  its truth is the corpus file's fields (read from there, written only beside the scan). A real
  web page (``../shared/corpus/web/*.html``) is first printed to PDF by headless Chromium, as a
  reader prints the published page (site navigation and all).

Scan-side kinds combine with these (``kinds`` of ``make_scan``); ``rotated_middle`` — the middle
page of table 三 turned by 90° — is one of them.

Table boxes of a PDF this module did not lay out (LibreOffice's, the corpus's) come from its
text layer (pdfplumber's ruled tables), not from the extractor under test.
"""

from __future__ import annotations

import copy
import json
import random
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .build import write_report, write_scan
from .content import Report, _fee_sentence, _title_lines, generate_report
from .render import Rendered
from .scan import HARD_KINDS, make_scan

SOURCE_KINDS = ("shaded_header", "narrow_labels", "header_break", "long_fee", "long_agency", "soffice")
# section 六 fees whose digits run the same (``long_fee``): value as printed by ``_fmt_number``
LONG_FEES = (88888.88, 55555, 33333.33, 6666.66, 11111, 22222, 99999.99, 7777)
# agency names long enough that a one-line title wraps inside them (``long_agency``)
LONG_AGENCIES = ("黑龙江省哈尔滨市道里区人力资源和社会保障局", "新疆维吾尔自治区乌鲁木齐市水磨沟区住房和城乡建设局",
                 "内蒙古自治区呼和浩特市赛罕区市场监督管理局", "广西壮族自治区南宁市西乡塘区农业农村局",
                 "黑龙江省齐齐哈尔市建华区卫生健康委员会", "江苏省南京市江北新区管理委员会教育和社会保障局")
SHADES = {"grey": (217, 217, 217), "light_blue": (221, 235, 247)}
SOFFICE_TIMEOUT_S = 180
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


class SofficeMissing(RuntimeError):
    """LibreOffice (``soffice``) is not installed: the ``soffice`` kind cannot be made."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def split_kinds(kinds: tuple[str, ...] | list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(source kinds, scan kinds)``; raises ``ValueError`` on a name of neither."""
    unknown = [k for k in kinds if k not in SOURCE_KINDS and k not in HARD_KINDS]
    if unknown:
        raise ValueError(f"unknown scan kinds {unknown}; known: {SOURCE_KINDS + HARD_KINDS}")
    return tuple(k for k in kinds if k in SOURCE_KINDS), tuple(k for k in kinds if k in HARD_KINDS)


def apply_source_style(report: Report, kinds: tuple[str, ...], seed: int) -> dict[str, Any]:
    """Set the style of the source kinds on ``report``; returns what was drawn (for the meta)."""
    rng = random.Random(f"source-kinds:{seed}")
    st = report.style
    record: dict[str, Any] = {}
    if "shaded_header" in kinds:
        tone = rng.choice(sorted(SHADES))
        st.header_shade = SHADES[tone]
        scope = rng.choice(["header", "header", "header+labels", "header+alternate_rows"])
        st.shade_labels = "labels" in scope
        st.shade_alternate = "alternate" in scope
        record["shaded_header"] = {"tone": tone, "rgb": list(SHADES[tone]), "scope": scope}
    if "narrow_labels" in kinds:
        st.label_scale, st.label_min, st.number_width, st.table_size = 0.3, 100.0, 46.0, 10.5
        record["narrow_labels"] = {"label_scale": 0.3, "label_min_pt": 100.0, "number_width_pt": 46.0,
                                   "table_size_pt": 10.5}
    if "header_break" in kinds:
        row = rng.choice([2, 2, 1])
        st.header_break = {"三": row}
        record["header_break"] = {"table": "三", "before_header_row": row}
    if "long_fee" in kinds:
        fee = rng.choice(LONG_FEES)
        report.values["fees.information_processing"] = fee
        head, paras = report.sections["六"]
        report.sections["六"] = (head, [paras[0], _fee_sentence(rng, fee)])
        record["long_fee"] = {"fee": fee, "sentence": report.sections["六"][1][1]}
    if "long_agency" in kinds:
        _rename_agency(report, rng.choice(LONG_AGENCIES))
        st.title_lines, st.title_order = 1, "agency"
        report.title_lines = _title_lines(report.agency, report.year, st)
        record["long_agency"] = {"agency": report.agency, "title": report.title_lines}
    return record


def _rename_agency(report: Report, name: str) -> None:
    """``name`` for the report's agency everywhere it is printed (the opening, section 一, the
    signature) and in its truth."""
    old = report.agency
    report.agency = name
    report.values["report.agency"] = name
    report.intro = [t.replace(old, name) for t in report.intro]
    report.closing = [t.replace(old, name) for t in report.closing]
    report.sections = {k: (h, [t.replace(old, name) for t in paras]) for k, (h, paras) in report.sections.items()}


def _application_pages(tables: list[dict[str, Any]]) -> list[int]:
    return sorted({t["page"] for t in tables if "三" in str(t.get("table", ""))})


def render_narrow(report: Report, outdir: Path) -> Rendered:
    """Render a narrow-label report so that table 三 runs over three pages: when it fits on two,
    a forced break at an early row (as if the prose above had filled the page) moves the rest on."""
    rendered = write_report(report, outdir)
    from models.fields import application_rows

    for key in [r.key for r in application_rows(report.layout)][1:6]:
        if len(_application_pages(rendered.tables)) >= 3:
            break
        report.style.break_row = key
        rendered = write_report(report, outdir)
    return rendered


def soffice_pdf(docx: Path, outdir: Path) -> Path:
    """``docx`` → PDF by LibreOffice, with its own user profile in a temporary folder (two runs
    sharing a profile block each other). Raises ``SofficeMissing`` or ``RuntimeError``."""
    exe = soffice()
    if exe is None:
        raise SofficeMissing("the soffice scan kind needs LibreOffice: `soffice` is not on the PATH "
                             "(apt-get install libreoffice-writer)")
    with tempfile.TemporaryDirectory(prefix="soffice-profile-") as profile:
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
               "--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
        proc = subprocess.run(cmd, capture_output=True, timeout=SOFFICE_TIMEOUT_S, check=False)
    out = outdir / f"{docx.stem}.pdf"
    if proc.returncode != 0 or not out.exists():
        why = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip()
        raise RuntimeError(f"{docx}: LibreOffice did not convert it to PDF ({why[-200:] or 'no output'})")
    return out


def chromium_pdf(html: Path, outdir: Path) -> Path:
    """``html`` printed to ``outdir/STEM.pdf`` by headless Chromium (no header and footer; the
    page's own resources only: there is no network). Raises ``RuntimeError``."""
    exe = next((found for name in CHROMIUM if (found := shutil.which(name))), None)
    if exe is None:
        raise RuntimeError(f"{html.name}: printing a web page needs Chromium (`chromium` is not on the PATH)")
    out = outdir / f"{html.stem}.pdf"
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
               "--no-pdf-header-footer", f"--print-to-pdf={out}", html.resolve().as_uri()]
        proc = subprocess.run(cmd, capture_output=True, timeout=SOFFICE_TIMEOUT_S, check=False)
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"{html.name}: Chromium did not print it ({proc.stderr.decode('utf-8', 'replace')[-200:]})")
    return out


def _classify(text: str, n_cols: int) -> str | None:
    """Which of the three tables a ruled table is, from its text and its number of columns (a part
    of table 三 past a page break holds only its rows and eight to ten columns; table 四 fifteen);
    None for anything else (a frame drawn around prose, as some WPS exports have)."""
    if "第二十条" in text or "信息内容" in text:
        return "二"
    if ("维持" in text and "纠正" in text) or n_cols >= 12:
        return "四"
    if "申请人情况" in text or "自然人" in text or n_cols >= 8:
        return "三"
    return None


def table_boxes(pdf: Path) -> list[dict[str, Any]]:
    """The ruled tables of a text-layer PDF: ``[{"table": 二/三/四, "page": 1-based, "bbox": [x0, top,
    x1, bottom] (pt)}]`` in reading order; ruled boxes that are none of them are left out."""
    import logging

    import pdfplumber

    logging.getLogger("pdfminer").setLevel(logging.ERROR)  # a browser's PDF: fonts without FontBBox
    out = []
    with pdfplumber.open(str(pdf)) as doc:
        for number, page in enumerate(doc.pages, 1):
            for t in page.find_tables():
                n_cols = max((len(r.cells) for r in t.rows), default=0)
                which = _classify(page.within_bbox(t.bbox).extract_text() or "", n_cols)
                if which:
                    out.append({"table": which, "page": number, "bbox": [round(v, 2) for v in t.bbox]})
    return out


def write_kind_scan(seed: int, kinds: tuple[str, ...], outdir: Path, *, name: str | None = None,
                    dpi: int | None = None, report: Report | None = None) -> Path:
    """A generated report (``report``, or ``generate_report(seed)`` named ``kinds-SEED``) with the
    source kinds applied (its text PDF, or .docx and LibreOffice's PDF, written as ``report.name``),
    scanned with the scan kinds; ``NAME.pdf`` + ``NAME.truth.json`` (meta: ``source_kinds`` and
    ``degradations``). ``rotated_middle`` turns the middle page of table 三 (and no other).
    ``dithered``: ``NAME.tiff`` too (the 1-bit pages, CCITT G4), and that is the path returned."""
    source, scan_kinds = split_kinds(kinds)
    if report is None:
        report = generate_report(seed)
        report.name = f"kinds-{seed}"
    record = apply_source_style(report, source, seed)
    name = name or f"{report.name}-{'+'.join(kinds) or 'none'}-scan"
    if "soffice" in source:
        from .docx import write_docx

        docx = write_docx(report, outdir, seed=seed, name=f"{name}-src", textbox=False)
        pdf = soffice_pdf(docx, outdir)
        boxes = table_boxes(pdf)
        import pypdfium2 as pdfium

        n = len(pdfium.PdfDocument(str(pdf)))
        rendered = Rendered(pdf, n, boxes)
        record["soffice"] = {"docx": docx.name, "pages": n, "tables_found": len(boxes)}
    elif "narrow_labels" in source:
        rendered = render_narrow(report, outdir)
        record["narrow_labels"]["table_三_pages"] = _application_pages(rendered.tables)
        record["narrow_labels"]["break_row"] = report.style.break_row
    else:
        rendered = write_report(report, outdir)
    scan = write_scan(report, rendered, outdir, seed=seed, name=name, kinds=scan_kinds, dpi=dpi,
                      **({"rotate_page": False} if "rotated_middle" in scan_kinds else {}),
                      **({"image_pages": "tiff"} if "dithered" in scan_kinds else {}))
    if record:
        truth_path = scan.with_suffix(".truth.json")
        doc = json.loads(truth_path.read_text(encoding="utf-8"))
        doc["meta"]["source_kinds"] = record
        truth_path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    # dithered: the bilevel pages as a black-and-white scanner writes them (TIFF, CCITT G4) are
    # the input; the PDF beside it holds them too (NAME.truth.json serves both)
    return scan.with_suffix(".tiff") if "dithered" in scan_kinds else scan


def write_corpus_scan(pdf: Path, outdir: Path, *, seed: int, kinds: tuple[str, ...] = (),
                      dpi: int | None = None, name: str | None = None) -> Path:
    """A scan of a real report (``pdf`` — or a web page ``.html``, printed first — with
    ``NAME.truth.json`` beside it, e.g. in ``../shared/corpus``): ``outdir/NAME.pdf`` (default
    ``STEM-scan-SEED``) + its truth (the corpus fields, meta of the scan). Only scan kinds apply.
    Raises ``FileNotFoundError`` when the truth is absent."""
    source, scan_kinds = split_kinds(kinds)
    if source:
        raise ValueError(f"{pdf.name}: a corpus report is scanned as printed; source kinds {list(source)} do not apply")
    truth = json.loads(pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    name = name or f"{pdf.stem}-scan-{seed}"
    out = outdir / f"{name}.pdf"
    if pdf.suffix.lower() in (".html", ".htm"):
        printed = outdir / f"{name}-printed"
        printed.mkdir(parents=True, exist_ok=True)
        pdf = chromium_pdf(pdf, printed)
    meta = make_scan(pdf, out, seed=seed, agency=str(truth["fields"].get("report.agency", "")),
                     tables=table_boxes(pdf), dpi=dpi, kinds=scan_kinds,
                     **({"rotate_page": False} if "rotated_middle" in scan_kinds else {}))
    full = dict(copy.deepcopy(truth.get("meta", {})), **meta, source=out.name, scan_of=pdf.name, corpus=True)
    (outdir / f"{name}.truth.json").write_text(
        json.dumps({"fields": truth["fields"], "meta": full}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return out
