"""Login throttling: per account and per client address, exponential backoff, then a lock.

Each failed login counts against two keys, the account name and the client address. Within
``login_window_s`` (15 min) the first ``login_free_failures`` (3) failures cost nothing; after
that each attempt must wait ``login_backoff_base_s`` × 2^(n − free − 1) seconds (1, 2, 4 … up to
``login_backoff_max_s``, 60 s) after the last failure; at ``login_lock_after`` (10) failures
the key is locked for ``login_lock_s`` (15 min). A client address gets ``IP_FACTOR`` (5) times
the account allowances (several people may share one address). A throttled attempt is
refused *before* the password is hashed (argon2 costs ~50 ms of CPU: no CPU denial of service)
with 429 and ``Retry-After``; every refusal and lock is logged (logger ``govreport.review``).
A successful login clears the account's record.

The records live in the server process (bounded: ``MAX_KEYS``, stale ones evicted first); a
restart forgets them, which errs on the side of letting people in.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from extractor.limits import Limits

log = logging.getLogger("govreport.review")
IP_FACTOR = 5
MAX_KEYS = 100_000


@dataclass
class _Record:
    failures: list[float] = field(default_factory=list)
    locked_until: float = 0.0


class LoginThrottle:
    def __init__(self, limits: Limits, clock=time.monotonic):
        self.limits = limits
        self.clock = clock
        self._records: OrderedDict[tuple[str, str], _Record] = OrderedDict()
        self._lock = threading.Lock()

    def _allowances(self, kind: str) -> tuple[int, int]:
        lim = self.limits
        f = IP_FACTOR if kind == "ip" else 1
        return lim.login_free_failures * f, lim.login_lock_after * f

    def _wait(self, key: tuple[str, str], now: float) -> float:
        rec = self._records.get(key)
        if rec is None:
            return 0.0
        if rec.locked_until > now:
            return rec.locked_until - now
        rec.failures = [t for t in rec.failures if now - t < self.limits.login_window_s]
        free, _ = self._allowances(key[0])
        over = len(rec.failures) - free
        if over <= 0:
            return 0.0
        delay = min(self.limits.login_backoff_max_s, self.limits.login_backoff_base_s * 2 ** (over - 1))
        return max(0.0, rec.failures[-1] + delay - now)

    def retry_after(self, name: str, address: str | None) -> int:
        """Seconds to wait before this attempt may be tried (0: go ahead)."""
        now = self.clock()
        with self._lock:
            wait = max(self._wait(("user", name), now), self._wait(("ip", address or "?"), now))
        if wait > 0:
            log.warning("login throttled: account %r from %s, retry after %.0f s", name, address, wait)
        return math.ceil(wait) if wait > 0 else 0

    def failed(self, name: str, address: str | None) -> None:
        now = self.clock()
        with self._lock:
            for key in (("user", name), ("ip", address or "?")):
                rec = self._records.pop(key, None) or _Record()
                rec.failures = [t for t in rec.failures if now - t < self.limits.login_window_s] + [now]
                _, lock_after = self._allowances(key[0])
                if len(rec.failures) >= lock_after and rec.locked_until <= now:
                    rec.locked_until = now + self.limits.login_lock_s
                    log.warning("login locked for %.0f s: %s %r after %d failures (last: account %r from %s)",
                                self.limits.login_lock_s, "account" if key[0] == "user" else "address", key[1],
                                len(rec.failures), name, address)
                self._records[key] = rec  # most recent last
            while len(self._records) > MAX_KEYS:
                self._records.popitem(last=False)
        log.info("login failed: account %r from %s", name, address)

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._records.pop(("user", name), None)
