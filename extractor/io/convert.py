"""``.doc`` / ``.wps`` / RTF → ``.docx`` with LibreOffice (``soffice --headless --convert-to docx``).

LibreOffice is a system tool, not a Python dependency: when ``soffice`` (or ``libreoffice``) is
not on the PATH the file is refused with exit 3 and a message saying what to install. Each
conversion gets its own user profile folder (two concurrent ``soffice`` runs sharing a profile
block each other) and a time limit.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from extractor.errors import UnreadableFile

TIMEOUT_S = 120
INSTALL_HINT = "install LibreOffice (apt-get install libreoffice-writer) so that `soffice` is on the PATH"


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_docx(path: Path, workdir: Path) -> Path:
    """Convert ``path`` into ``workdir``; returns the ``.docx``. Raises ``UnreadableFile``."""
    exe = soffice()
    if exe is None:
        raise UnreadableFile(f"{path}: a Word 97-2003/WPS/RTF/OpenDocument file needs LibreOffice to read; {INSTALL_HINT}",
                             code="needs_libreoffice")
    src = workdir / ("input" + (path.suffix.lower() if path.suffix.lower() in (".doc", ".wps", ".rtf", ".odt") else ".doc"))
    shutil.copyfile(path, src)  # a plain name: the original may hold characters soffice mangles
    profile = workdir / "profile"
    cmd = [exe, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore", "--convert-to", "docx",
           "--outdir", str(workdir / "out"), str(src)]
    try:
        proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise UnreadableFile(f"{path}: LibreOffice did not convert it within {TIMEOUT_S} s", code="convert_failed") from None
    except OSError as e:
        raise UnreadableFile(f"{path}: LibreOffice could not be started ({e})", code="convert_failed") from None
    out = workdir / "out" / (src.stem + ".docx")
    if proc.returncode != 0 or not out.exists() or out.stat().st_size == 0:
        why = (proc.stderr or proc.stdout or b"").decode("utf-8", "replace").strip().splitlines()
        raise UnreadableFile(
            f"{path}: LibreOffice could not convert it to .docx ({why[-1][:160] if why else 'no output'})",
            code="convert_failed",
        )
    return out
