"""``ServiceSettings``: the service's limits and engine, from the environment or given directly.

Every setting has an environment variable (read by ``ServiceSettings.from_env``), so
``govreport serve`` is configured without new options:

=============================  =====================================  ===========
setting                        environment                            default
=============================  =====================================  ===========
``max_upload_bytes``           ``GOVREPORT_MAX_UPLOAD_MB`` (MiB)      200 MiB per request (413 past it)
``max_files_per_upload``       ``GOVREPORT_MAX_FILES_PER_UPLOAD``     50 files per request, zip members counted (413)
``uploads_per_minute``         ``GOVREPORT_UPLOADS_PER_MINUTE``       10 upload requests per user per minute (429)
``upload_dir``                 ``GOVREPORT_UPLOAD_DIR``               ``uploads/`` beside the SQLite file, else ``~/.local/share/govreport/uploads``
``workers``                    ``GOVREPORT_WORKERS``                  1 extraction process
``engine``                     ``GOVREPORT_ENGINE``                   ``local`` (a process pool) or ``ray``
``ray_address``                ``GOVREPORT_RAY_ADDRESS``              none (a local Ray)
``run_jobs``                   ``GOVREPORT_RUN_JOBS`` (0/1)           on: extract in the background
=============================  =====================================  ===========
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field


class ServiceSettings(BaseModel):
    max_upload_bytes: int = Field(200 * 1024 * 1024, gt=0)
    max_files_per_upload: int = Field(50, gt=0)
    uploads_per_minute: int = Field(10, gt=0)
    upload_dir: Path | None = None
    workers: int = Field(1, gt=0)
    engine: Literal["local", "ray"] = "local"
    ray_address: str | None = None
    run_jobs: bool = True
    poll_seconds: float = 1.0  # how often the runner looks for queued uploads when idle
    timeout_s: float = 600.0  # per document, as in ingest

    @classmethod
    def from_env(cls, env: dict | None = None, **overrides) -> "ServiceSettings":
        env = os.environ if env is None else env
        kw: dict = {}
        if env.get("GOVREPORT_MAX_UPLOAD_MB"):
            kw["max_upload_bytes"] = int(float(env["GOVREPORT_MAX_UPLOAD_MB"]) * 1024 * 1024)
        for name, var in (("max_files_per_upload", "GOVREPORT_MAX_FILES_PER_UPLOAD"),
                          ("uploads_per_minute", "GOVREPORT_UPLOADS_PER_MINUTE"), ("workers", "GOVREPORT_WORKERS")):
            if env.get(var):
                kw[name] = int(env[var])
        if env.get("GOVREPORT_UPLOAD_DIR"):
            kw["upload_dir"] = Path(env["GOVREPORT_UPLOAD_DIR"])
        if env.get("GOVREPORT_ENGINE"):
            kw["engine"] = env["GOVREPORT_ENGINE"]
        if env.get("GOVREPORT_RAY_ADDRESS"):
            kw["ray_address"] = env["GOVREPORT_RAY_ADDRESS"]
        if env.get("GOVREPORT_RUN_JOBS"):
            kw["run_jobs"] = env["GOVREPORT_RUN_JOBS"].strip().lower() not in ("0", "false", "no", "off")
        kw.update(overrides)
        return cls(**kw)

    def resolved_upload_dir(self, db_url: str) -> Path:
        """Where uploaded files are kept: the setting, else ``uploads/`` beside a SQLite file."""
        if self.upload_dir is not None:
            return Path(self.upload_dir)
        if db_url.startswith("sqlite:///") and ":memory:" not in db_url:
            return Path(db_url[len("sqlite:///"):]).resolve().parent / "uploads"
        return Path(os.path.expanduser("~/.local/share/govreport/uploads"))
