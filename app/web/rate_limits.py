"""Rate-limit counts kept in one process: limits' memory storage, with its expiry timer under a lock.

``memory://`` (development, the tests, a single worker) is limits' ``MemoryStorage``. In limits 5.8.0
it restarts its expiry timer without a lock: when two threads of one worker (gunicorn's gthread
workers, ``flask run``) count a request at the same instant after the timer has stopped, both see it
stopped and the second starts the same ``threading.Timer`` again. That request then fails with
``RuntimeError: threads can only be started once``: a parent's answers answered with a 500.

Upstream fixed it after 5.8.0 (alisaifee/limits pull request 352, not in a release yet); this class is
that change. ``install(app)`` makes ``memory://`` mean this storage; delete the module once
requirements.txt pins a limits release with the fix. Storages over Redis are not affected.
"""

from __future__ import annotations

import threading

from limits.storage import MemoryStorage

SCHEME = "sapat-memory"


class LockedMemoryStorage(MemoryStorage):
    """``MemoryStorage`` whose expiry timer is checked and restarted by one thread at a time."""

    STORAGE_SCHEME = [SCHEME]  # limits' registry finds a storage by its scheme

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options: str):
        self._timer_lock = threading.Lock()
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        state.pop("_timer_lock", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self._timer_lock = threading.Lock()
        super().__setstate__(state)

    # MemoryStorage calls its private ``__schedule_expiry``, whose mangled name this overrides.
    def _MemoryStorage__schedule_expiry(self) -> None:
        with self._timer_lock:
            if not self.timer.is_alive():
                self.timer = threading.Timer(0.01, self._MemoryStorage__expire_events)
                self.timer.start()


def install(app) -> None:
    """Before ``limiter.init_app``: a ``memory://`` RATELIMIT_STORAGE_URI becomes the locked storage."""
    uri = app.config.get("RATELIMIT_STORAGE_URI") or "memory://"
    if uri.startswith("memory://"):
        app.config["RATELIMIT_STORAGE_URI"] = SCHEME + uri[len("memory"):]
