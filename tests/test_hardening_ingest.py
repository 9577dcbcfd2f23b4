"""Issue 14, defects 4, 5, 6 and 10: bulk ingest under hostile archives, manifests and paths.

Zip bombs and deep nesting are one failed input (``bad_archive``) and the batch goes on; every
manifest row is validated (a bad one is reported and skipped); nothing outside the inputs given
is opened, and no file's bytes ever reach a stored message."""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import SAMPLES, sec_case, SHARED
from extractor.ingest import ingest
from extractor.ingest.inputs import InputWalker
from extractor.limits import Limits
from extractor.store import open_store

MiB = 1024**2




def _disk_use(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file())


def _walk_measuring(paths, tmp_root: Path, limits: Limits, **kw):
    """Every item of the walk, and the most disk the unpacked members took at any point."""
    tmp_root.mkdir(parents=True, exist_ok=True)
    items, peak = [], 0
    for item in InputWalker(tmp_root, limits=limits, **kw).walk(paths):
        items.append(item)
        peak = max(peak, _disk_use(tmp_root))
    return items, peak


def _zeros_zip(path: Path, members: dict[str, int]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, size in members.items():
            with z.open(name, "w", force_zip64=size > 1 << 30) as fh:
                chunk = b"\0" * MiB
                for _ in range(size // MiB):
                    fh.write(chunk)
    return path


# --- defect 4: zip bombs ------------------------------------------------------------------------


def test_a_zip_bomb_is_one_failed_input_and_disk_use_stays_under_the_limit(tmp_path, report_pdf):
    bomb = _zeros_zip(tmp_path / "bomb.zip", {"report.pdf": 256 * MiB})  # ~250 KB on disk
    assert bomb.stat().st_size < 2 * MiB
    items, peak = _walk_measuring([bomb], tmp_path / "t1", Limits())
    assert [i.problem[0] for i in items] == ["bad_archive"]
    assert "max_compression_ratio" in items[0].problem[1] and "bomb.zip" in items[0].problem[1]
    assert peak == 0  # refused from its directory: nothing written

    # a bomb of members that each look harmless: the total expanded size decides
    limits = Limits(max_archive_bytes=8 * MiB, max_member_bytes=4 * MiB, max_compression_ratio=10**6)
    inner = [_zeros_zip(tmp_path / f"inner{i}.zip", {f"p{i}.pdf": 3 * MiB}) for i in range(5)]
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w") as z:
        for p in inner:
            z.write(p, p.name)
        z.write(report_pdf, "good.pdf")
    items, peak = _walk_measuring([nested], tmp_path / "t2", limits)
    assert peak <= limits.max_archive_bytes, peak
    refused = [i for i in items if i.problem]
    assert refused and all(i.problem[0] == "bad_archive" for i in refused)
    assert any("max_archive_bytes" in i.problem[1] for i in refused)
    assert any(i.name.endswith("!good.pdf") and i.problem is None for i in items)  # the rest goes on

    # too many members, a member too big
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(30):
            z.writestr(f"p{i}.pdf", b"%PDF-1.4\n")
    items, _ = _walk_measuring([many], tmp_path / "t3", Limits(max_members=20))
    assert [i.problem[0] for i in items] == ["bad_archive"] and "max_members" in items[0].problem[1]
    big = _zeros_zip(tmp_path / "big.zip", {"big.pdf": 3 * MiB})
    items, _ = _walk_measuring([big], tmp_path / "t4", Limits(max_member_bytes=2 * MiB))
    assert "max_member_bytes" in items[0].problem[1]


def test_ingest_records_the_bomb_and_stores_the_other_files(tmp_path, report_pdf):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(report_pdf, folder / "good.pdf")
    _zeros_zip(folder / "bomb.zip", {"report.pdf": 128 * MiB})
    url = f"sqlite:///{tmp_path / 'b.db'}"
    s = ingest([folder], db=url, workers=1, cross_year=False)
    assert s.failed_by_reason == {"bad_archive": 1}
    assert s.ok + s.review == 1


# --- defect 5: deep nesting, an archive that contains itself -----------------------------------


def test_deep_nesting_is_one_failed_input_and_the_batch_is_stored(tmp_path, report_pdf):
    nest = sec_case("nest1100.zip")
    shutil.copy(report_pdf, tmp_path / "good.pdf")
    items, peak = _walk_measuring([nest, tmp_path / "good.pdf"], tmp_path / "t", Limits())
    bad = [i for i in items if i.problem]
    assert len(bad) == 1 and bad[0].problem[0] == "bad_archive" and "max_archive_depth" in bad[0].problem[1]
    assert peak < 5 * MiB  # inner copies are deleted once walked
    url = f"sqlite:///{tmp_path / 'n.db'}"
    s = ingest([nest, tmp_path / "good.pdf"], db=url, workers=1, cross_year=False)
    assert s.ok + s.review == 1 and s.failed_by_reason.get("bad_archive") == 1
    with open_store(url) as store:
        assert len(store.documents()) >= 2


def test_an_archive_that_contains_itself_is_caught(tmp_path, monkeypatch, report_pdf):
    """A zip quine (r.zip, droste.zip) unpacks to its own bytes: its hash equals an ancestor's.
    Building a real quine needs a hand-made deflate stream; the walk's check is the hash, so a
    walk whose inner archive hashes like its parent shows the refusal."""
    from extractor.ingest import archives

    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as z:
        z.write(report_pdf, "good.pdf")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as z:
        z.write(inner, "outer.zip")
    monkeypatch.setattr(archives, "_sha256", lambda p: "same bytes")
    items, _ = _walk_measuring([outer], tmp_path / "t", Limits())
    assert [i.problem for i in items] == [("bad_archive", f"{outer}!outer.zip: the archive contains itself")]


# --- defect 6: manifest rows ----------------------------------------------------------------------


def _manifest_dir(tmp_path: Path, report_pdf: Path, case: str) -> Path:
    d = tmp_path / "m"
    d.mkdir()
    shutil.copy(sec_case(case), d / "manifest.csv")
    shutil.copy(report_pdf, d / "report_a.pdf")
    data = report_pdf.read_bytes()
    (d / "report_b.pdf").write_bytes(data + b"\n% another copy\n")  # other bytes, same report
    return d


def test_manifest_year_overflow_is_a_reported_row_on_every_run(tmp_path, report_pdf):
    d = _manifest_dir(tmp_path, report_pdf, "manifest_year_overflow.csv")
    url = f"sqlite:///{tmp_path / 'y.db'}"
    for _ in range(2):  # the old ingest failed with an OverflowError on every re-run
        s = ingest([d / "manifest.csv"], db=url, workers=1, cross_year=False)
        assert s.failed_by_reason in ({"bad_manifest": 1}, {})
    with open_store(url) as store:
        docs = store.documents()
        bad = [x for x in docs if x.error_code == "bad_manifest"]
        assert len(bad) == 1 and "99999999999999999999"[:20] in bad[0].error_message
        assert "2000" in bad[0].error_message and "2100" in bad[0].error_message
        good = [x for x in docs if x.status != "failed"]
        assert [(x.manifest_year, Path(x.path).name) for x in good] == [(2021, "report_b.pdf")]


def test_every_manifest_row_is_validated(tmp_path, report_pdf):
    shutil.copy(report_pdf, tmp_path / "r.pdf")
    m = tmp_path / "m.csv"
    m.write_text(
        "path,agency,year,source_url,colour\n"
        "r.pdf,某局,abc,,red\n"          # a year that is not a number: reported, not dropped
        "r.pdf,某局,1999,,\n"            # out of range
        "r.pdf,某局,2021.5,,\n"
        "r.pdf,某局,２０２２,,\n"          # full-width digits are a year
        "r.pdf,某局,2021,,,extra\n"      # more cells than columns
        ",某局,2021,,\n"                 # no path
        f"r.pdf,{'长' * 5000},2021,,\n"  # a cell too long
        "m.csv,某局,2021,,\n",           # a manifest naming a manifest
        encoding="utf-8",
    )
    items, _ = _walk_measuring([m], tmp_path / "t", Limits())
    problems = [i.problem for i in items if i.problem]
    ok = [i for i in items if not i.problem]
    assert [i.meta.year for i in ok] == [2022]
    assert all(code == "bad_manifest" for code, _ in problems)
    text = "\n".join(msg for _, msg in problems)
    assert "unknown column(s) 'colour'" in text
    for fragment in ("year 'abc'", "year '1999'", "year '2021.5'", "6 cells for 5 columns", "no path",
                     "max_manifest_cell_chars", "names another manifest"):
        assert fragment in text, fragment
    assert len(problems) == 8


# --- defect 10: paths outside the inputs, file bytes in messages --------------------------------


def test_manifest_paths_outside_its_folder_are_refused_unless_allowed(tmp_path, report_pdf):
    d = _manifest_dir(tmp_path, report_pdf, "manifest_outside.csv")
    secret = Path("/etc/hostname")
    items, _ = _walk_measuring([d / "manifest.csv"], tmp_path / "t", Limits())
    outside = [i for i in items if i.problem and i.problem[0] == "outside_input"]
    assert len(outside) == 1 and "--allow-outside" in outside[0].problem[1]
    assert [i.meta.source_url for i in items if not i.problem] == ["=1+1"]  # kept; exports neutralise it
    url = f"sqlite:///{tmp_path / 'o.db'}"
    s = ingest([d / "manifest.csv"], db=url, workers=1, cross_year=False)
    assert s.failed_by_reason == {"outside_input": 1}
    if secret.exists() and secret.read_bytes().strip():
        content = secret.read_bytes()[:8].decode("latin-1")
        s = ingest([d / "manifest.csv"], db=f"sqlite:///{tmp_path / 'o2.db'}", workers=1, cross_year=False,
                   allow_outside=True)
        assert "outside_input" not in s.failed_by_reason
        with open_store(f"sqlite:///{tmp_path / 'o2.db'}") as store:
            for doc in store.documents(status="failed"):
                assert content not in (doc.error_message or "")  # opened on request, its bytes never stored


def test_a_link_out_of_the_folder_is_not_followed(tmp_path, report_pdf):
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copy(report_pdf, outside / "private.pdf")
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(report_pdf, folder / "good.pdf")
    os.symlink(outside / "private.pdf", folder / "link.pdf")
    items, _ = _walk_measuring([folder], tmp_path / "t", Limits())
    assert sorted((Path(i.name).name, i.problem[0] if i.problem else None) for i in items) == [
        ("good.pdf", None), ("link.pdf", "outside_input")]
    items, _ = _walk_measuring([folder], tmp_path / "t2", Limits(), allow_outside=True)
    assert all(i.problem is None for i in items) and len(items) == 2


def test_unknown_files_never_put_their_bytes_in_the_message(tmp_path):
    from extractor.io.document import open_document
    from extractor.errors import UnreadableFile

    p = tmp_path / "notes.pdf.txt"
    p.write_bytes(b"SECRETKEY=hunter2 and more")
    with pytest.raises(UnreadableFile) as e:
        open_document(p)
    assert "SECRET" not in e.value.message and "hunter2" not in e.value.message and str(p) in e.value.message
