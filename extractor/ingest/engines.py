"""Where extraction runs: a local process pool or a Ray actor pool. Both give the same results.

An engine takes ``Task``s and yields ``(task, Extraction)`` as they finish (in any order). Each
worker process (or Ray actor) builds ONE ``Extractor`` and reuses it for every document, so the
OCR models load once per worker. Workers only extract; they never touch the database — the
parent process writes every result. At most ``in_flight`` tasks are handed out at a time, so
memory stays bounded however long the batch.

A worker that dies (a segfault in a PDF library, the OOM killer) or a document that runs past
the timeout does not stop the batch: the documents that were in flight are re-run one at a time
in a fresh worker, and the one that kills its worker again is returned as a failed extraction
(``worker_crashed`` or ``timeout``).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from extractor.limits import safe_reason
from extractor.settings import Settings
from models.extraction import DocumentStatus, Extraction, ExtractionIssue, ReportMeta

DEFAULT_TIMEOUT_S = 600.0
STARTUP_TIMEOUT_S = 120.0
MAX_TASKS_PER_CHILD = 200  # recycle workers now and then: bounded memory over long batches


class EngineUnavailable(RuntimeError):
    """The chosen engine cannot run here (Ray not installed, no cluster at the
    address, worker processes that cannot start)."""


@dataclass(frozen=True)
class Task:
    index: int
    path: str  # a file the worker can read
    name: str  # what the result is stored as (an archive member's ``a.zip!x.pdf``)
    sha256: str
    suffix: str = ".pdf"


def failed_extraction(task: Task, code: str, message: str, stage: str = "ingest") -> Extraction:
    return Extraction(
        report=ReportMeta(path=task.name, sha256=task.sha256),
        status=DocumentStatus.FAILED,
        errors=[ExtractionIssue(stage=stage, code=code, message=message, fatal=True)],
    )


# --- the local process pool -------------------------------------------------------------------

_worker_extractor = None


def _watch_parent(pid: int) -> None:  # pragma: no cover - runs in workers
    """Exit when the ingest process is gone (killed with SIGKILL, say).

    Not ``getppid``: under forkserver our parent is the fork server, which itself stays up as
    long as any worker holds its "alive" pipe — orphans would keep each other alive.
    """
    import select

    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(0)
    except (AttributeError, OSError):  # no pidfd: poll for the process instead
        while True:
            time.sleep(0.5)
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                os._exit(0)
            except PermissionError:
                pass
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    while True:
        if poller.poll(1000):  # readable once the process has exited
            os._exit(0)


def _init_worker(settings_json: str, parent_pid: int) -> None:  # pragma: no cover - runs in workers
    global _worker_extractor
    from extractor.pipeline import Extractor

    _worker_extractor = Extractor(Settings.model_validate_json(settings_json))
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True).start()


def _ping() -> int:  # pragma: no cover - runs in workers
    return os.getpid()


def _extract_in_worker(path: str) -> Extraction:  # pragma: no cover - runs in workers
    return _worker_extractor.extract(path)


# imported once in the fork server, so each (re)started worker begins warm; missing ones are skipped
PRELOAD = [
    "models", "extractor.pipeline", "extractor.io.document", "pdfplumber", "pypdfium2", "numpy",
    "extractor.layout.page_kind", "extractor.layout.text_page", "extractor.layout.title", "extractor.grid.stitch",
    "extractor.mapping.tables", "extractor.mapping.prose", "extractor.validate",
]


def _mp_context():
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(PRELOAD)
        return ctx
    return mp.get_context("spawn")


class LocalEngine:
    """A ``ProcessPoolExecutor`` of ``workers`` processes, one ``Extractor`` each."""

    name = "local"

    def __init__(self, workers: int, settings: Settings | None = None, *, timeout: float = DEFAULT_TIMEOUT_S,
                 max_tasks_per_child: int = MAX_TASKS_PER_CHILD, in_flight: int | None = None,
                 worker_fn=None):
        self.workers = max(1, workers)
        self.worker_fn = worker_fn or _extract_in_worker  # a module-level fn(path) -> Extraction
        self.settings_json = (settings or Settings()).model_dump_json()
        self.timeout = timeout
        self.max_tasks_per_child = max_tasks_per_child
        self.in_flight = in_flight or 2 * self.workers
        self._ctx = _mp_context()

    def _pool(self, workers: int) -> ProcessPoolExecutor:
        """A started pool. A pool whose workers cannot even start (an unimportable ``__main__``,
        no memory to fork) is the engine's failure, not the documents': raise, don't record."""
        pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=self._ctx, initializer=_init_worker,
            initargs=(self.settings_json, os.getpid()), max_tasks_per_child=self.max_tasks_per_child,
        )
        try:
            pool.submit(_ping).result(timeout=STARTUP_TIMEOUT_S)
        except Exception as e:
            self._kill(pool)
            raise EngineUnavailable(
                f"the worker processes cannot start ({type(e).__name__}: {e}); see the error above"
            ) from None
        return pool

    @staticmethod
    def _kill(pool: ProcessPoolExecutor) -> None:
        for p in list((getattr(pool, "_processes", None) or {}).values()):
            try:
                p.kill()
            except Exception:
                pass
        pool.shutdown(wait=False, cancel_futures=True)

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Extraction]]:
        todo = iter(tasks)
        suspects: deque[Task] = deque()
        pool = self._pool(self.workers)
        running: dict[Future, tuple[Task, float]] = {}
        exhausted = False
        try:
            while True:
                while not exhausted and len(running) < self.in_flight:
                    task = next(todo, None)
                    if task is None:
                        exhausted = True
                        break
                    try:
                        running[pool.submit(self.worker_fn, task.path)] = (task, time.monotonic())
                    except BrokenProcessPool:
                        suspects.append(task)
                        break
                if not running and (exhausted or suspects):
                    if suspects:
                        yield from self._isolated(suspects)
                        pool.shutdown(wait=False, cancel_futures=True)
                        pool = self._pool(self.workers)
                        continue
                    return
                done, _ = wait(running, timeout=1.0, return_when=FIRST_COMPLETED)
                broken = False
                for fut in done:
                    task, _t0 = running.pop(fut)
                    try:
                        yield task, fut.result()
                    except BrokenProcessPool:
                        suspects.append(task)
                        broken = True
                    except Exception as e:  # pickling trouble and the like: this document only
                        yield task, failed_extraction(task, "worker_error", f"{task.name}: {type(e).__name__}: {safe_reason(e)}")
                now = time.monotonic()
                if not broken and any(now - t0 > self.timeout for _task, t0 in running.values()):
                    self._kill(pool)  # the pool breaks; the running documents are retried alone
                    broken = True
                if broken:
                    for fut, (task, _t0) in list(running.items()):
                        suspects.append(task)
                    running.clear()
                    pool.shutdown(wait=False, cancel_futures=True)
                    yield from self._isolated(suspects)
                    pool = self._pool(self.workers)
        finally:
            self._kill(pool) if running else pool.shutdown(wait=True, cancel_futures=True)

    def close(self) -> None:
        pass

    def _isolated(self, suspects: deque[Task]) -> Iterator[tuple[Task, Extraction]]:
        """Run each suspect alone in a fresh single worker: whoever breaks it is the culprit."""
        while suspects:
            task = suspects.popleft()
            pool = self._pool(1)
            fut = pool.submit(self.worker_fn, task.path)
            try:
                result = fut.result(timeout=self.timeout)
            except FutureTimeout:
                self._kill(pool)
                yield task, failed_extraction(
                    task, "timeout", f"{task.name}: extraction took longer than {self.timeout:.0f} s")
                continue
            except BrokenProcessPool:
                pool.shutdown(wait=False, cancel_futures=True)
                yield task, failed_extraction(
                    task, "worker_crashed", f"{task.name}: the extraction process died (crash or out of memory)")
                continue
            except Exception as e:
                pool.shutdown(wait=False)
                yield task, failed_extraction(task, "worker_error", f"{task.name}: {type(e).__name__}: {safe_reason(e)}")
                continue
            pool.shutdown(wait=True)
            yield task, result


# --- Ray ---------------------------------------------------------------------------------------


def import_ray():
    try:
        import ray
    except ImportError:
        raise EngineUnavailable(
            "the Ray engine needs Ray, which is not installed: pip install 'govreport[ray]' "
            "(or: pip install 'ray>=2.9')"
        ) from None
    return ray


class _ExtractActor:
    """One Extractor per actor; extracts a path, or file bytes shipped to a remote node."""

    def __init__(self, settings_json: str):
        from extractor.pipeline import Extractor

        self.extractor = Extractor(Settings.model_validate_json(settings_json))

    def ping(self) -> int:
        return os.getpid()

    def extract(self, path: str, data: bytes | None = None, suffix: str = ".pdf") -> Extraction:
        if data is None:
            return self.extractor.extract(path)
        with tempfile.TemporaryDirectory(prefix="govreport-ray-") as tmp:
            local = Path(tmp) / f"document{suffix}"
            local.write_bytes(data)
            return self.extractor.extract(local)


class RayEngine:
    """A pool of Ray actors (one ``Extractor`` each) on ``ray.init(address=...)``, or on a local
    ``ray.init(num_cpus=workers)`` when no address is given.

    With an address the workers may run on other machines, so each document's bytes are shipped
    to them (``ship_files``); locally they read the path.
    """

    name = "ray"

    def __init__(self, workers: int, settings: Settings | None = None, *, address: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT_S, ship_files: bool | None = None, in_flight_per_actor: int = 2):
        self.ray = import_ray()
        self.settings_json = (settings or Settings()).model_dump_json()
        self.address = address
        self.timeout = timeout
        self.ship_files = (address not in (None, "", "local")) if ship_files is None else ship_files
        self.per_actor = max(1, in_flight_per_actor)
        self._started = False
        if not self.ray.is_initialized():
            kwargs = dict(include_dashboard=False, log_to_driver=False, configure_logging=False)
            try:
                if address in (None, "", "local"):
                    self.ray.init(num_cpus=max(1, workers), **kwargs)
                else:
                    self.ray.init(address=address, **kwargs)
            except ConnectionError as e:
                raise EngineUnavailable(f"cannot reach the Ray cluster at {address}: {e}") from None
            self._started = True
        n_cpus = int(self.ray.available_resources().get("CPU", workers) or workers)
        self.workers = max(1, min(workers, n_cpus)) if workers else max(1, n_cpus)
        actor_cls = self.ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=0)(_ExtractActor)
        self.actors = [actor_cls.remote(self.settings_json) for _ in range(self.workers)]
        try:  # actors that cannot start are the engine's failure, not the documents'
            self.ray.get([a.ping.remote() for a in self.actors], timeout=STARTUP_TIMEOUT_S)
        except Exception as e:
            self.close()
            raise EngineUnavailable(f"the Ray actors cannot start ({type(e).__name__}: {e})") from None

    def _submit(self, actor, task: Task):
        if self.ship_files:
            data = Path(task.path).read_bytes()
            return actor.extract.remote(task.path, data, task.suffix)
        return actor.extract.remote(task.path)

    def run(self, tasks: Iterable[Task]) -> Iterator[tuple[Task, Extraction]]:
        ray = self.ray
        todo = iter(tasks)
        retry: deque[Task] = deque()
        tries: dict[int, int] = {}
        load = {i: 0 for i in range(len(self.actors))}
        running: dict = {}  # ref -> (task, actor index, started)
        exhausted = False
        while True:
            for i in load:
                while load[i] < self.per_actor:
                    task = retry.popleft() if retry else (None if exhausted else next(todo, None))
                    if task is None:
                        exhausted = True
                        break
                    ref = self._submit(self.actors[i], task)
                    running[ref] = (task, i, time.monotonic())
                    load[i] += 1
            if not running:
                return
            ready, _ = ray.wait(list(running), num_returns=1, timeout=1.0)
            for ref in ready:
                task, i, _t0 = running.pop(ref)
                load[i] -= 1
                try:
                    yield task, ray.get(ref)
                except (ray.exceptions.RayActorError, ray.exceptions.WorkerCrashedError) as e:
                    tries[task.index] = tries.get(task.index, 0) + 1
                    if tries[task.index] < 2:
                        retry.append(task)  # maybe it only shared the actor with the culprit
                    else:
                        yield task, failed_extraction(
                            task, "worker_crashed", f"{task.name}: the Ray actor died ({type(e).__name__})")
                except Exception as e:
                    yield task, failed_extraction(task, "worker_error", f"{task.name}: {type(e).__name__}: {safe_reason(e)}")
            now = time.monotonic()
            for ref, (task, i, t0) in list(running.items()):
                if now - t0 > self.timeout and ref in running:
                    ray.kill(self.actors[i], no_restart=False)  # restarts; its other tasks are retried
                    running.pop(ref)
                    load[i] -= 1
                    yield task, failed_extraction(
                        task, "timeout", f"{task.name}: extraction took longer than {self.timeout:.0f} s")

    def close(self) -> None:
        for a in self.actors:
            try:
                self.ray.kill(a)
            except Exception:
                pass
        self.actors = []
        if self._started:
            self.ray.shutdown()


def make_engine(kind: str, workers: int, settings: Settings | None = None, *, ray_address: str | None = None,
                timeout: float = DEFAULT_TIMEOUT_S):
    if kind == "local":
        return LocalEngine(workers, settings, timeout=timeout)
    if kind == "ray":
        return RayEngine(workers, settings, address=ray_address, timeout=timeout)
    raise ValueError(f"unknown engine {kind!r}: local or ray")
