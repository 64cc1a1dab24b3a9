"""Running a function on hostile input in a forked child with hard memory and time limits.

The parent keeps its memory and answers in bounded time whatever the input does to the
child: RLIMIT_AS caps the child's address space at `memory_mb` above its size at the fork,
RLIMIT_CPU its CPU seconds, and the parent kills it (SIGKILL) after `wall_seconds`. The
result comes back pickled through a pipe; core dumps are off. Used by xlsx_safety to parse
uploaded workbooks. Linux only (fork, /proc/self/status).
"""
import os
import pickle
import resource
import select
import signal
import time


class LimitExceeded(RuntimeError):
    """The child ran out of memory or time, was killed, or died without an answer."""


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 0


def _child(write_fd: int, function, args, passed_on: tuple, memory_mb: int, cpu_seconds: int) -> None:
    """In the forked child: limits, the work, the pickled outcome down the pipe, _exit."""
    try:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        budget = _vm_size() + memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 2))
        try:
            outcome = ("ok", function(*args))
        except passed_on as error:
            outcome = ("raised", error)
        except MemoryError:
            outcome = ("limits",)
        try:
            payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("limits",))
        view = memoryview(payload)
        while view:
            view = view[os.write(write_fd, view):]
    except BaseException:  # noqa: BLE001 - the parent sees a short pipe and raises LimitExceeded
        pass
    finally:
        os._exit(0)


def run_limited(function, args: tuple, *, memory_mb: int, cpu_seconds: int, wall_seconds: float,
                passed_on: tuple = ()):
    """function(*args) in a forked child; returns its result. An exception of a class in
    `passed_on` is raised again here; anything else that stops the child (MemoryError, the
    CPU limit, the wall clock, a crash, another exception) raises LimitExceeded.

    `function` and the result must be picklable-free of open resources: the child shares
    nothing with the parent but the pipe. Import heavy modules before calling, so that the
    child never imports while another thread of the parent holds the import lock."""
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child; its outcome is what the parent checks
        os.close(read_fd)
        _child(write_fd, function, args, passed_on, memory_mb, cpu_seconds)
    os.close(write_fd)
    chunks, deadline = [], time.monotonic() + wall_seconds
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                raise LimitExceeded(f"no answer within {wall_seconds} s")
            ready, _w, _x = select.select([read_fd], [], [], min(left, 1.0))
            if ready:
                chunk = os.read(read_fd, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
        try:
            os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    try:
        outcome = pickle.loads(b"".join(chunks))
    except Exception:  # noqa: BLE001 - a child killed while writing
        raise LimitExceeded("the child stopped without an answer") from None
    if outcome[0] == "ok":
        return outcome[1]
    if outcome[0] == "raised":
        raise outcome[1]
    raise LimitExceeded("out of memory")
