"""``govreport extract`` imports only what extraction needs (no database, no web stack), the full
command table is still there for everything else, and scripts/make_samples.py says in one line
what to install when the dev extras are missing (the README runs it after `make dev`)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "samples" / "seed_chaoyang-minzheng-2023.pdf"
HEAVY = ("sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "psycopg", "jinja2", "argon2", "pyarrow", "openpyxl")

PROBE = """
import json, sys
sys.argv = ["govreport", *sys.argv[1:]]
from extractor.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted({m.split('.')[0] for m in sys.modules})) + "\\n")
"""


def _modules(*args: str, tmp_path: Path) -> tuple[subprocess.CompletedProcess, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=ROOT, timeout=300)
    return proc, set(json.loads(proc.stderr.strip().splitlines()[-1]))


def test_extract_imports_no_database_or_web_stack(tmp_path):
    out = tmp_path / "r.json"
    proc, mods = _modules("extract", str(PDF), "-o", str(out), tmp_path=tmp_path)
    assert json.loads(out.read_text(encoding="utf-8"))["report"]["agency"] == "朝阳市民政局"
    assert not mods & set(HEAVY), sorted(mods & set(HEAVY))
    # every other command still has the full table (and so the database behind it)
    proc, mods = _modules("users", "--help", tmp_path=tmp_path)
    assert "token" in proc.stdout and "sqlalchemy" in mods


def test_cli_app_has_every_command():
    from typer.testing import CliRunner

    from extractor.cli import app

    out = CliRunner().invoke(app, ["--help"]).output
    for cmd in ("extract", "ingest", "serve", "users", "review"):
        assert cmd in out, cmd


def test_make_samples_names_the_missing_dev_extras(tmp_path):
    blocker = (
        "import sys, runpy\n"
        "sys.modules['pylopdf_fonts_zh_cn'] = None  # as if not installed (make demo)\n"
        f"sys.argv = ['make_samples.py', {str(tmp_path)!r}, '--n', '1']\n"
        f"runpy.run_path({str(ROOT / 'scripts' / 'make_samples.py')!r}, run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", blocker], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "make dev" in proc.stderr and "pylopdf-fonts-zh-cn" in proc.stderr
    assert "Traceback" not in proc.stderr and not list(tmp_path.glob("*.pdf"))
