"""Bad web pages and Word files through the CLI: the right exit code and one line naming the file."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def extract_cli(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "extractor.cli", "extract", str(path)], capture_output=True,
                          text=True, cwd=ROOT, timeout=120)


def one_line(proc: subprocess.CompletedProcess, path: Path) -> str:
    err = proc.stderr.strip()
    assert "Traceback" not in proc.stderr
    assert len(err.splitlines()) == 1, err
    assert path.name in err
    return err


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return p


def test_page_with_no_report_table_is_exit_4(tmp_path):
    p = _write(tmp_path, "notice.html", "<html><head><meta charset='utf-8'><title>通知公告_某某区人民政府</title></head>"
               "<body><ul><li><a href='/'>首页</a></li></ul><p>关于做好政府信息公开工作的通知，请各单位认真落实。</p>"
               "<table><tr><td>序号</td><td>文件名称</td></tr><tr><td>1</td><td>附件一</td></tr></table></body></html>")
    proc = extract_cli(p)
    assert proc.returncode == 4
    assert "no report table" in one_line(proc, p)


def test_image_only_page_says_so(tmp_path):
    p = _write(tmp_path, "tupian.shtml", "<html><head><meta charset='utf-8'></head><body><h1>某某局2022年政府信息公开工作"
               "年度报告（图片版）</h1><p><img src='nb1.jpg'></p><p><img src='nb2.jpg'></p></body></html>")
    proc = extract_cli(p)
    assert proc.returncode == 4
    assert "图片版" in one_line(proc, p)


def test_undecodable_page_is_exit_3(tmp_path):
    p = _write(tmp_path, "broken.htm", b"<html><head><meta charset='gbk'></head><body>"
               + bytes(range(0x80, 0x100)) * 30 + b"</body></html>")
    proc = extract_cli(p)
    assert proc.returncode == 3
    assert "cannot decode" in one_line(proc, p)


def test_docx_that_is_another_zip_is_exit_3(tmp_path):
    p = tmp_path / "report.docx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
    proc = extract_cli(p)
    assert proc.returncode == 3
    err = one_line(proc, p)
    assert "Excel workbook" in err and "not a Word document" in err
    q = tmp_path / "photos.docx"
    with zipfile.ZipFile(q, "w") as z:
        z.writestr("a.txt", "x")
    proc = extract_cli(q)
    assert proc.returncode == 3 and "zip archive" in one_line(proc, q)


def test_truncated_and_empty_docx_are_exit_3(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("某某区2022年政府信息公开工作年度报告")
    good = tmp_path / "good.docx"
    d.save(str(good))
    cut = _write(tmp_path, "cut.docx", good.read_bytes()[: good.stat().st_size // 3])
    proc = extract_cli(cut)
    assert proc.returncode == 3
    one_line(proc, cut)
    empty = _write(tmp_path, "empty.docx", b"")
    proc = extract_cli(empty)
    assert proc.returncode == 3 and "empty" in one_line(proc, empty)


def test_docx_without_tables_is_exit_4(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("关于印发某某办法的通知")
    p = tmp_path / "notice.docx"
    d.save(str(p))
    proc = extract_cli(p)
    assert proc.returncode == 4
    one_line(proc, p)


def test_doc_without_libreoffice_is_exit_3_with_hint(tmp_path, monkeypatch):
    from extractor.io import convert

    p = _write(tmp_path, "report.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 1024)
    if convert.soffice() is None:
        proc = extract_cli(p)
        assert proc.returncode == 3
        assert "install LibreOffice" in one_line(proc, p)
    else:  # with LibreOffice present, a garbage .doc fails conversion, still exit 3 on one line
        proc = extract_cli(p)
        assert proc.returncode in (3, 4)
        one_line(proc, p)


@pytest.mark.parametrize("markup", [
    "<html><body>" + "<div>" * 5000 + "本年新收" + "</div>" * 5000 + "</body></html>",
    "<html><body><table>" + "<tr><td rowspan=65534>1</td><td>自然人</td><td>本年新收</td></tr>" * 300 + "</table></body></html>",
])
def test_hostile_markup_does_not_crash(tmp_path, markup):
    p = _write(tmp_path, "hostile.html", markup)
    proc = extract_cli(p)
    assert proc.returncode in (3, 4)
    one_line(proc, p)
