"""Bulk ingest: inputs (folders, zips, manifests), idempotence, bad files, worker crashes, the CLI,
kill -9 in the middle of a batch, and Ray giving the same results as the local pool.

End-to-end tests run the real ``Extractor`` on generated text-layer reports
(``scripts/make_samples.py``), made into a temporary folder, never into the repository.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from extractor.ingest import ingest
from extractor.ingest.engines import LocalEngine, Task
from extractor.ingest.inputs import InputWalker, hash_items
from extractor.store import open_store
from models.extraction import EXTRACTOR_VERSION, DocumentStatus, Extraction, ReportMeta
from store_testlib import bad_files, db_url, variant_copies

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
GOVREPORT = str(Path(PY).with_name("govreport"))


# --- generated reports --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def good_reports(tmp_path_factory) -> list[Path]:
    """A few generated text-layer reports that the extractor reads (status ok or review).

    Made with scripts/make_samples.py; the committed samples/ are the fallback."""
    out = tmp_path_factory.mktemp("generated")
    cands: list[Path] = []
    script = ROOT / "scripts" / "make_samples.py"
    if script.exists():
        r = subprocess.run([PY, str(script), str(out), "--n", "6", "--seed", "700"], capture_output=True, text=True,
                           timeout=300)
        if r.returncode == 0:
            cands = sorted(out.glob("gen-*.pdf"))
    if not cands:
        cands = sorted(p for p in (ROOT / "samples").glob("*.pdf") if "scan" not in p.name)
    from extractor import Extractor

    ex = Extractor()
    good = [p for p in cands if ex.extract(p).status != DocumentStatus.FAILED]
    assert good, f"the extractor reads none of the generated reports {[p.name for p in cands]}"
    return good


def make_batch(good: list[Path], out: Path, n_good: int, with_bad: bool = True) -> tuple[list[Path], dict[str, Path]]:
    """``n_good`` distinct report files (variants of the good reports) and the five bad files."""
    files: list[Path] = []
    per = -(-n_good // len(good))
    for i, base in enumerate(good):
        files += variant_copies(base, out, per, prefix=f"{base.stem}-")
    files = files[:n_good]
    for extra in set(out.glob("*.pdf")) - set(files):
        extra.unlink()
    bad = bad_files(out, good[0]) if with_bad else {}
    return files, bad


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path):
    return db_url(request.param, tmp_path, request)


# --- inputs -------------------------------------------------------------------------------------


def test_walk_folders_zips_and_manifests(tmp_path, good_reports):
    src = good_reports[0]
    data = tmp_path / "data"
    (data / "sub" / ".hidden").mkdir(parents=True)
    (data / "a.pdf").write_bytes(src.read_bytes())
    (data / "sub" / "b.PDF").write_bytes(src.read_bytes() + b"\n%b\n")
    (data / "sub" / "notes.txt").write_text("not a report")
    (data / "sub" / "a.truth.json").write_text("{}")
    (data / "sub" / ".hidden" / "c.pdf").write_bytes(src.read_bytes())
    with zipfile.ZipFile(data / "sub" / "batch.zip", "w") as z:
        z.writestr("2023/x.pdf", src.read_bytes() + b"\n%x\n")
        z.writestr("../../evil.pdf", src.read_bytes() + b"\n%evil\n")  # zip-slip: unpacked safely
        z.writestr("readme.txt", "skip me")
        inner = tmp_path / "inner.zip"
        with zipfile.ZipFile(inner, "w") as zi:
            zi.writestr("y.pdf", src.read_bytes() + b"\n%y\n")
        z.write(inner, "nested/inner.zip")
    (data / "broken.zip").write_bytes(b"PK\x03\x04 not really a zip")
    manifest = tmp_path / "manifest.csv"
    manifest.write_text(
        "path,agency,year,source_url\n"
        "data/a.pdf,洪泽区人民政府,2023,http://www.hongze.gov.cn/a.pdf\n"
        "data/missing.pdf,,,\n",
        encoding="utf-8",
    )
    tmp = tmp_path / "unpacked"
    tmp.mkdir()
    items = list(InputWalker(tmp).walk([data, manifest]))
    names = sorted(i.name for i in items)
    assert names == sorted([
        str(data / "a.pdf"), str(data / "sub" / "b.PDF"), str(data / "sub" / "batch.zip") + "!2023/x.pdf",
        str(data / "sub" / "batch.zip") + "!../../evil.pdf",
        str(data / "sub" / "batch.zip") + "!nested/inner.zip!y.pdf", str(data / "broken.zip"),
        str(data / "a.pdf"), str(data / "missing.pdf"),
    ])
    assert not (tmp_path / "evil.pdf").exists() and all(tmp in i.path.parents for i in items if "!" in i.name)
    problems = {i.name: i.problem[0] for i in items if i.problem}
    assert problems == {str(data / "broken.zip"): "bad_archive", str(data / "missing.pdf"): "not_found"}
    from_manifest = [i for i in items if i.meta.agency]
    assert len(from_manifest) == 1 and from_manifest[0].meta.year == 2023
    assert from_manifest[0].meta.source_url == "http://www.hongze.gov.cn/a.pdf"
    hashed = hash_items(items)
    assert all(len(i.sha256) == 64 for i in hashed if not i.problem)


def test_gbk_member_names_of_chinese_zip_archives(tmp_path, good_reports):
    # an archive as Windows zip tools write it: a GBK name, no UTF-8 flag (made by hand)
    import struct
    import zlib

    z = tmp_path / "gbk.zip"
    name = "2023年报告.pdf".encode("gbk")
    data = good_reports[0].read_bytes()
    crc = zlib.crc32(data)
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 0, 0, 0, crc, len(data), len(data), len(name), 0) + name + data
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc, len(data), len(data),
                          len(name), 0, 0, 0, 0, 0, 0) + name
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local), 0)
    z.write_bytes(local + central + end)
    items = list(InputWalker(tmp_path / "u").walk([z]))
    assert [i.name for i in items] == [f"{z}!2023年报告.pdf"] and items[0].problem is None
    assert items[0].path.read_bytes() == data


def test_reprocess_compares_versions():
    from extractor.ingest.runner import is_older

    assert is_older("0.0.9", "0.1.0") and is_older("0.9.0", "0.10.0") and is_older(None, "0.1.0")
    assert not is_older("0.1.0", "0.1.0") and not is_older("0.2.0", "0.1.0")


# --- end to end ---------------------------------------------------------------------------------


def test_ingest_is_idempotent_and_records_bad_files(url, tmp_path, good_reports):
    files, bad = make_batch(good_reports, tmp_path / "in", 8)
    (tmp_path / "in" / "dup.pdf").write_bytes(files[0].read_bytes())  # same content, other name
    s1 = ingest([tmp_path / "in"], db=url, workers=2, cross_year=False)
    assert (s1.inputs, s1.documents, s1.duplicates, s1.skipped) == (14, 13, 1, 0)
    assert s1.ok + s1.review == 8 and s1.failed == 5
    assert s1.failed_by_reason == {code: 1 for code in bad}
    with open_store(url) as store:
        docs = store.documents()
        assert len(docs) == 13 and len({d.sha256 for d in docs}) == 13
        failed = {d.error_code: d for d in docs if d.status == "failed"}
        assert set(failed) == set(bad)
        assert all(failed[c].error_message and failed[c].report_id is None for c in failed)
        assert all(d.report_id is not None and d.extractor_version == EXTRACTOR_VERSION
                   for d in docs if d.status != "failed")
        before = {d.sha256: d.updated_at for d in docs}
    s2 = ingest([tmp_path / "in"], db=url, workers=2, cross_year=False)
    assert (s2.skipped, s2.processed) == (13, 0)
    # an older extractor made one of them: --reprocess redoes that one only
    with open_store(url) as store:
        from sqlalchemy import update

        from extractor.store.schema import Document

        target = next(d for d in store.documents() if d.status != "failed")
        with store.engine.begin() as conn:
            conn.execute(update(Document).where(Document.id == target.id).values(extractor_version="0.0.1"))
    s3 = ingest([tmp_path / "in"], db=url, workers=2, reprocess=True, cross_year=False)
    assert (s3.skipped, s3.processed) == (12, 1)
    s4 = ingest([tmp_path / "in"], db=url, workers=1, retry_failed=True, cross_year=False)
    assert (s4.skipped, s4.processed, s4.failed) == (8, 5, 5)
    with open_store(url) as store:
        docs = store.documents()
        assert len(docs) == 13
        assert store.document_by_sha(target.sha256).report_id == target.report_id
        assert all(before[d.sha256] == d.updated_at for d in docs
                   if d.sha256 != target.sha256 and d.status != "failed")


def test_manifest_metadata_is_stored(tmp_path, good_reports):
    src = good_reports[0]
    (tmp_path / "r.pdf").write_bytes(src.read_bytes())
    m = tmp_path / "m.csv"
    m.write_text("file,agency,year,url\nr.pdf,某某局,2022,https://example.gov.cn/r.pdf\nnope.pdf,,,\n",
                 encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'm.db'}"
    s = ingest([m], db=url, workers=1, cross_year=False)
    assert s.failed_by_reason == {"not_found": 1}
    with open_store(url) as store:
        doc = next(d for d in store.documents() if d.status != "failed")
        assert (doc.manifest_agency, doc.manifest_year, doc.source_url) == ("某某局", 2022, "https://example.gov.cn/r.pdf")


def test_a_result_the_database_refuses_is_recorded_and_the_batch_goes_on(tmp_path, good_reports):
    from sqlalchemy.exc import DataError

    files, _bad = make_batch(good_reports, tmp_path / "in", 3, with_bad=False)
    store = open_store(f"sqlite:///{tmp_path / 'refuse.db'}")
    real_save = store.save_extraction
    refused = files[1].name

    def save(ex, path=None, **kw):
        if str(path).endswith(refused) and ex.status != "failed":  # the full result, not the failure record
            raise DataError("INSERT ...", {}, ValueError("value too long for type character varying(16)"))
        return real_save(ex, path, **kw)

    store.save_extraction = save
    s = ingest([tmp_path / "in"], store=store, workers=1, cross_year=False)
    assert s.processed == 3 and s.failed_by_reason == {"store_error": 1}
    doc = next(d for d in store.documents() if d.status == "failed")
    assert doc.path.endswith(refused) and "value too long" in doc.error_message
    store.close()


# --- a worker that dies, a document that hangs ---------------------------------------------------


def crashing_worker(path: str) -> Extraction:  # runs in the pool's worker processes
    name = Path(path).name
    if name.startswith("crash"):
        os._exit(13)
    if name.startswith("hang"):
        time.sleep(60)
    return Extraction(report=ReportMeta(path=path, pages=1), status=DocumentStatus.OK)


def test_a_crashing_or_hanging_document_does_not_stop_the_batch(tmp_path):
    names = ["a1", "crash1", "a2", "a3", "hang1", "a4", "a5", "a6"]
    tasks = [Task(index=i, path=str(tmp_path / f"{n}.pdf"), name=f"{n}.pdf", sha256=f"{i:064d}")
             for i, n in enumerate(names)]
    engine = LocalEngine(2, timeout=4.0, worker_fn=crashing_worker)
    t0 = time.monotonic()
    results = {task.name: ex for task, ex in engine.run(tasks)}
    assert time.monotonic() - t0 < 40
    assert sorted(results) == sorted(f"{n}.pdf" for n in names)
    assert results["crash1.pdf"].status == "failed" and results["crash1.pdf"].errors[0].code == "worker_crashed"
    assert results["hang1.pdf"].status == "failed" and results["hang1.pdf"].errors[0].code == "timeout"
    assert all(results[f"{n}.pdf"].status == "ok" for n in names if n.startswith("a"))


class _UnusableSettings:
    """Settings the workers cannot load: their initializer fails, so no worker ever starts."""

    def model_dump_json(self) -> str:
        return "{not json"


def test_workers_that_cannot_start_stop_the_batch_instead_of_failing_every_document(tmp_path, good_reports):
    from extractor.ingest.engines import EngineUnavailable

    files, _bad = make_batch(good_reports, tmp_path / "in", 3, with_bad=False)
    url = f"sqlite:///{tmp_path / 'nostart.db'}"
    with pytest.raises(EngineUnavailable, match="cannot start"):
        ingest([tmp_path / "in"], db=url, workers=2, settings=_UnusableSettings(), cross_year=False)
    with open_store(url) as store:
        assert store.documents() == []  # nothing recorded as failed: a re-run does them all
    s = ingest([tmp_path / "in"], db=url, workers=2, cross_year=False)
    assert s.processed == 3 and s.failed == 0


# --- the CLI ------------------------------------------------------------------------------------


def test_cli_ingest_status_export(tmp_path, good_reports):
    files, bad = make_batch(good_reports, tmp_path / "in", 4)
    zpath = tmp_path / "more.zip"
    with zipfile.ZipFile(zpath, "w") as z:
        z.writestr("inner/extra.pdf", good_reports[-1].read_bytes() + b"\n% zipped\n")
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    r = subprocess.run([GOVREPORT, "ingest", str(tmp_path / "in"), str(zpath), "--db", url, "--workers", "2",
                        "--json", "--quiet"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["processed"] == 10 and s["ok"] + s["review"] == 5 and s["failed"] == 5
    assert r.stderr == ""  # --quiet
    r = subprocess.run([GOVREPORT, "status", "--db", url, "--json"], capture_output=True, text=True, timeout=120)
    st = json.loads(r.stdout)
    assert st["documents"] == 10 and st["by_status"].get("failed") == 5 and st["reports"] == 5
    assert st["failed_by_reason"] == {code: 1 for code in bad}
    r = subprocess.run([GOVREPORT, "status", "--db", url], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "failed by reason" in r.stdout
    for fmt in ("csv", "parquet", "xlsx"):
        out = tmp_path / f"wide.{fmt}"
        r = subprocess.run([GOVREPORT, "export", "--db", url, "--format", fmt, "-o", str(out)],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 0 and out.stat().st_size > 0, r.stderr
    out = tmp_path / "long.csv"
    r = subprocess.run([GOVREPORT, "export", "--db", url, "--format", "csv", "--long", "-o", str(out)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "row(s)" in r.stderr
    # progress bar and summary when not quiet (on stderr, so --json output stays parseable)
    r = subprocess.run([GOVREPORT, "ingest", str(tmp_path / "in"), "--db", url, "--json"],
                       capture_output=True, text=True, timeout=300)
    assert json.loads(r.stdout)["skipped"] == 9 and "ingest summary" in r.stderr


def test_cli_bad_url_is_a_usage_error(tmp_path):
    r = subprocess.run([GOVREPORT, "ingest", str(tmp_path), "--db", "mysql://x@y/z"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 2 and "unsupported database URL" in r.stderr


def test_ray_missing_is_a_clear_error(monkeypatch, tmp_path):
    from extractor.ingest.engines import EngineUnavailable, import_ray

    monkeypatch.setitem(sys.modules, "ray", None)  # as if not installed
    with pytest.raises(EngineUnavailable, match=r"pip install 'govreport\[ray\]'"):
        import_ray()
    (tmp_path / "x.pdf").write_bytes(b"%PDF-1.4 nothing")
    with pytest.raises(EngineUnavailable):
        ingest([tmp_path / "x.pdf"], db=f"sqlite:///{tmp_path / 'r.db'}", engine="ray", workers=1)


# --- kill -9 in the middle of a batch ------------------------------------------------------------


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _counter(url: str):
    """Count stored documents of ``url`` from outside the ingest process (0 before the schema exists)."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    from extractor.store.engine import make_engine

    engine = make_engine(url)

    def count() -> int:
        try:
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM documents")).scalar()
        except SQLAlchemyError:
            return 0

    return count, engine


@pytest.mark.slow
@pytest.mark.parametrize("kind,n_good,kill_at", [
    ("sqlite", 195, 40),
    pytest.param("postgres", 95, 25, marks=pytest.mark.postgres),
])
def test_sigkill_mid_batch_then_rerun_finishes_with_no_duplicates(kind, n_good, kill_at, tmp_path, request,
                                                                  good_reports):
    total = n_good + 5
    files, bad = make_batch(good_reports, tmp_path / "in", n_good)
    assert len(files) == n_good and len(bad) == 5
    url = db_url(kind, tmp_path, request)
    count, counter_engine = _counter(url)
    request.addfinalizer(counter_engine.dispose)
    cmd = [GOVREPORT, "ingest", str(tmp_path / "in"), "--db", url, "--workers", "2", "--quiet", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    workers: set[int] = set()
    while count() < kill_at:
        assert proc.poll() is None, f"ingest ended before the kill: {proc.stderr.read().decode()[-2000:]}"
        assert time.monotonic() < deadline, f"ingest too slow to reach {kill_at} documents"
        workers |= _descendants(proc.pid)
        time.sleep(0.1)
    workers |= _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    at_kill = count()
    assert kill_at <= at_kill < total, at_kill
    # the worker processes notice and go away: no orphans left behind
    t0 = time.monotonic()
    while any(_alive(p) for p in workers) and time.monotonic() - t0 < 15:
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers), "worker processes outlived the killed ingest"
    with open_store(url) as store:
        stored_before = {d.sha256: (d.id, d.updated_at) for d in store.documents()}
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s["skipped"] == len(stored_before) and s["processed"] == total - len(stored_before)
    with open_store(url) as store:
        docs = store.documents()
        assert len(docs) == total and len({d.sha256 for d in docs}) == total
        reports = store.reports()
        assert len(reports) == n_good and len({r.document_id for r in reports}) == n_good
        failed = [d for d in docs if d.status == "failed"]
        assert {d.error_code for d in failed} == set(bad) and len(failed) == 5
        assert all(d.error_message for d in failed)
        assert {Path(d.path).name for d in failed} == {p.name for p in bad.values()}
        # nothing lost: what was committed before the kill is untouched; every report complete
        for d in docs:
            if d.sha256 in stored_before:
                assert (d.id, d.updated_at) == stored_before[d.sha256]
        from extractor import Extractor

        expected = {}
        ex = Extractor()
        for base in good_reports:
            expected[base.stem] = ex.extract(base).values()
        for rep in reports[:: 13]:
            got = store.load_extraction(rep.id).values()
            base = Path(rep.path).name.rsplit("-", 1)[0]
            assert got == expected[base], rep.path
        summary = store.status_summary()
        assert summary["documents"] == total and summary["reports"] == n_good


# --- Ray ------------------------------------------------------------------------------------------


def test_ray_engine_gives_the_same_fields_as_the_local_engine(tmp_path, good_reports):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'govreport[ray]')")
    import ray

    from extractor.ingest.engines import RayEngine

    files, bad = make_batch(good_reports, tmp_path / "in", min(4, len(good_reports) * 2), with_bad=False)
    (tmp_path / "in" / "empty.pdf").write_bytes(b"")
    local_url = f"sqlite:///{tmp_path / 'local.db'}"
    ray_url = f"sqlite:///{tmp_path / 'ray.db'}"
    ingest([tmp_path / "in"], db=local_url, workers=2, cross_year=False)
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        s = ingest([tmp_path / "in"], db=ray_url, workers=2, engine="ray", cross_year=False)
        # the way a remote cluster is fed: file bytes shipped to the actors instead of paths
        engine = RayEngine(2, ship_files=True)
        tasks = [Task(index=i, path=str(p), name=p.name, sha256=str(i)) for i, p in enumerate(files[:2])]
        shipped = {t.name: ex for t, ex in engine.run(tasks)}
        engine.close()
    finally:
        ray.shutdown()
    assert s.engine == "ray" and s.processed == len(files) + 1 and s.failed_by_reason == {"empty_file": 1}
    with open_store(local_url) as a, open_store(ray_url) as b:
        da = {d.sha256: d for d in a.documents()}
        db_ = {d.sha256: d for d in b.documents()}
        assert set(da) == set(db_)
        compared_shipped = 0
        for sha, d in da.items():
            assert d.status == db_[sha].status and d.error_code == db_[sha].error_code
            if d.report_id is None:
                continue
            ea, eb = a.load_extraction(d.report_id), b.load_extraction(db_[sha].report_id)
            assert ea.values() == eb.values()
            assert {k: (f.raw, f.page, f.bbox, f.confidence, f.status) for k, f in ea.fields.items()} == \
                   {k: (f.raw, f.page, f.bbox, f.confidence, f.status) for k, f in eb.fields.items()}
            assert ea.checks == eb.checks and ea.suggestions == eb.suggestions
            name = Path(d.path).name
            if name in shipped:
                assert shipped[name].values() == ea.values() and shipped[name].checks == ea.checks
                compared_shipped += 1
        assert compared_shipped == 2


# --- cross-year checks after ingest ----------------------------------------------------------------


def test_ingest_runs_cross_year_checks_for_consecutive_years(tmp_path):
    corpus = Path("/work/shared/corpus")
    pdfs = sorted(corpus.glob("huaian-hongze-district-gov_20*.pdf"))
    if len(pdfs) < 2:
        pytest.skip(f"the shared corpus ({corpus}) with the Hongze 2023/2024 reports is absent")
    folder = tmp_path / "in"
    folder.mkdir()
    for p in pdfs:
        (folder / p.name).write_bytes(p.read_bytes())
    url = f"sqlite:///{tmp_path / 'cy.db'}"
    s = ingest([folder], db=url, workers=2)
    assert s.failed == 0 and s.cross_year_pairs == 1 and s.cross_year_error is None
    with open_store(url) as store:
        by_year = {r.year: r for r in store.reports()}
        assert set(by_year) == {2023, 2024}
        checks = store.cross_checks_of(by_year[2024].id)
        assert {prev for prev, _ in checks} == {by_year[2023].id}
        carry = {c.relation: c for _, c in checks if c.rule == "carry-chain"}
        assert len(carry) == 7 and all(c.status == "ok" for c in carry.values())  # the corpus README's chain
    again = ingest([folder], db=url, workers=2)
    assert again.skipped == 2 and again.cross_year_pairs == 0  # already checked


def test_each_failed_document_is_named_on_one_line(tmp_path):
    """A batch's bad files are named as they fail, one line each above the progress bar (on
    stderr): the file's name and its reason. Names are untrusted: rich markup in a name is
    printed as it is, a newline in a reason does not start a second line."""
    from extractor.ingest.progress import failure_line
    from models.extraction import DocumentStatus, Extraction, ExtractionIssue

    ex = Extraction(status=DocumentStatus.FAILED,
                    errors=[ExtractionIssue(stage="open", code="corrupt", message="not a PDF\nsecond", fatal=True)])
    line = failure_line("[red]x[/red].pdf", ex)
    assert line.plain == "failed: [red]x[/red].pdf: not a PDF second (corrupt)"
    named = Extraction(status=DocumentStatus.FAILED,
                       errors=[ExtractionIssue(stage="open", code="empty_file", message="a.pdf: the file is empty", fatal=True)])
    assert failure_line("a.pdf", named).plain == "failed: a.pdf: the file is empty (empty_file)"

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken[bold].pdf").write_bytes(b"%PDF-1.4 nothing here")
    (folder / "empty.pdf").write_bytes(b"")
    r = subprocess.run([GOVREPORT, "ingest", str(folder), "--db", f"sqlite:///{tmp_path / 'r.db'}", "--workers", "1"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    failed = [ln for ln in r.stderr.splitlines() if ln.startswith("failed: ")]
    assert len(failed) == 2, r.stderr
    assert any("broken[bold].pdf: " in ln for ln in failed) and any("empty.pdf: " in ln for ln in failed)
