"""Rate-limit counts kept in one process (``memory://``) from many threads of one worker at once.

limits 5.8.0's memory storage restarted its expiry timer without a lock: two threads counting at the
same instant after the timer stopped both started it, and the second request was answered with a 500
("threads can only be started once"), seen on a parent's POST in the concurrency test under load.
With limits' own ``MemoryStorage`` the first test below loses the race about once in 100 rounds."""
import sys
import threading
import time

import pytest
from limits.storage import storage_from_string

from app.extensions import limiter
from app.web.rate_limits import LockedMemoryStorage

THREADS = 16
ROUNDS = 150


def count_at_the_same_instant(storage) -> list[BaseException]:
    """THREADS threads count at once, ROUNDS times, each time after the expiry timer has stopped."""
    errors: list[BaseException] = []
    together = threading.Barrier(THREADS)

    def counter(n):
        for _ in range(ROUNDS):
            together.wait()
            try:
                storage.incr(f"key-{n}", 60)
            except RuntimeError as error:
                errors.append(error)
            together.wait()
            if n == 0:
                time.sleep(0.015)  # the timer (0.01 s) has run out before the next round

    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads interleave within the few lines that race
    try:
        threads = [threading.Thread(target=counter, args=(n,)) for n in range(THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch)
    return errors


@pytest.mark.one_run("sqlite", "the storage is in the process, not in the database")
def test_many_threads_count_at_once_without_an_error():
    storage = storage_from_string("sapat-memory://")
    assert isinstance(storage, LockedMemoryStorage)
    assert count_at_the_same_instant(storage) == []
    assert storage.get("key-0") == ROUNDS  # every count kept


def test_the_app_counts_memory_limits_in_the_locked_storage(app):
    assert app.config["RATELIMIT_STORAGE_URI"].startswith("sapat-memory://")
    assert isinstance(limiter.storage, LockedMemoryStorage)
