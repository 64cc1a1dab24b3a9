"""The task queue of long jobs: Huey 3.5 (https://huey.readthedocs.io), one queue per app.

QUEUE_URL chooses the storage of the queue's messages:
- ``sqlite:///PATH`` (the default: instance/queue.db): embedded, no server; the web process and
  any `flask worker` on the same machine share it;
- ``redis://HOST:PORT/DB``: every app node and every worker machine share it (production);
- ``memory://``: one process only (the tests).

With QUEUE_IN_PROCESS (development, the tests) the web process runs the jobs itself in one
background thread that starts with the first job it queues, so `make run` needs nothing else.
In production `flask worker` runs them (QUEUE_WORKERS threads per process) and, every third of
QUEUE_LEASE_SECONDS, calls the maintenance function given to `run_worker` (the export jobs'
recovery: a job whose worker died is queued again or failed).

A message only names a job; the job's row in the database is the truth (who claimed it, its
progress, its heartbeat), so a lost or doubled message neither loses nor doubles a job.
"""
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey

from config import ConfigError

log = logging.getLogger(__name__)
EXTENSION_KEY = "sapat_queue"
IDLE_POLL_SECONDS = 1.0  # the in-process runner looks for messages of other processes this often


@dataclass
class Queue:
    """The app's Huey and its tasks (name -> Huey task), plus the in-process runner's state."""

    huey: Huey
    url: str
    tasks: dict = field(default_factory=dict)
    in_process: bool = False
    runner: Optional[threading.Thread] = None
    wake: threading.Event = field(default_factory=threading.Event)
    busy: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopped: threading.Event = field(default_factory=threading.Event)


def make_huey(url: str, name: str) -> Huey:
    """A Huey for QUEUE_URL (see the module's docstring); ConfigError for another scheme."""
    options = {"results": False, "utc": True}
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey(name, url=url, **options)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        return SqliteHuey(name, filename=str(path), **options)
    if url == "memory://":
        return MemoryHuey(name, **options)
    raise ConfigError(f"QUEUE_URL must be sqlite:///PATH, redis://HOST:PORT/DB or memory://, not {url!r}")


def init_app(app: Flask, tasks: dict[str, Callable[[Flask, str], None]]) -> Queue:
    """Make the app's queue and register `tasks` (name -> fn(app, argument)) on it."""
    url = app.config.get("QUEUE_URL") or f"sqlite:///{Path(app.instance_path) / 'queue.db'}"
    queue = Queue(huey=make_huey(url, app.config.get("QUEUE_NAME") or "sapat"), url=url,
                  in_process=bool(app.config.get("QUEUE_IN_PROCESS")))
    for name, fn in tasks.items():
        queue.tasks[name] = queue.huey.task(name=name)(_bound(app, fn))
    app.extensions[EXTENSION_KEY] = queue
    return queue


def _bound(app: Flask, fn):
    def task(argument):
        fn(app, argument)
    return task


def get(app: Optional[Flask] = None) -> Queue:
    return (app or current_app).extensions[EXTENSION_KEY]


def enqueue(name: str, argument: str, app: Optional[Flask] = None) -> None:
    """Queue the task `name` with its one argument (a job id)."""
    queue = get(app)
    queue.tasks[name](argument)
    if queue.in_process:
        _ensure_runner(queue)
        queue.wake.set()


def _ensure_runner(queue: Queue) -> None:
    with queue.lock:
        if queue.runner is None or not queue.runner.is_alive():
            queue.runner = threading.Thread(target=_run_in_process, args=(queue,), name="sapat-queue", daemon=True)
            queue.runner.start()


def _run_in_process(queue: Queue) -> None:
    """The in-process runner: one task at a time, for as long as the process lives (or `stop`)."""
    while not queue.stopped.is_set():
        task = None
        with queue.lock:
            queue.busy += 1  # counted from before the message is taken, so wait_idle never misses it
        try:
            task = queue.huey.dequeue()
            if task is not None:
                queue.huey.execute(task)
        except Exception:  # noqa: BLE001 - Huey logs a task's error; the job's row says what happened
            log.exception("the job queue's runner met an error")
        finally:
            with queue.lock:
                queue.busy -= 1
        if task is None:
            queue.wake.wait(IDLE_POLL_SECONDS)
            queue.wake.clear()


def stop(queue: Queue, timeout: float = 10.0) -> None:
    """End the in-process runner of `queue` after its current task."""
    queue.stopped.set()
    queue.wake.set()
    if queue.runner is not None:
        queue.runner.join(timeout)


def wait_idle(app: Optional[Flask] = None, timeout: float = 60.0) -> bool:
    """Wait until this process's queue has nothing waiting or running (the tests, before they
    empty the tables); True when it is idle."""
    queue = (app or current_app).extensions.get(EXTENSION_KEY)
    if queue is None or not queue.in_process:
        return True
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with queue.lock:
            busy = queue.busy
        if not busy and (queue.runner is None or queue.huey.pending_count() == 0):
            return True
        time.sleep(0.05)
    return False


def run_worker(app: Flask, *, workers: int, maintenance: Callable[[Flask], None], every: float) -> None:
    """Run the queue's tasks with `workers` threads until SIGTERM/SIGINT (Huey's consumer: a
    graceful stop lets running jobs finish), calling maintenance(app) every `every` seconds
    (once at once: jobs of a worker that died before this one started)."""
    queue = get(app)
    stop = threading.Event()

    def maintain():
        while not stop.is_set():
            try:
                with app.app_context():
                    maintenance(app)
            except Exception:  # noqa: BLE001 - try again next round
                log.exception("queue maintenance failed")
            stop.wait(every)

    thread = threading.Thread(target=maintain, name="sapat-queue-maintenance", daemon=True)
    thread.start()
    consumer = queue.huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                          initial_delay=0.1, backoff=1.15, max_delay=1.0, check_worker_health=True)
    try:
        consumer.run()
    finally:
        stop.set()
