"""A small HTTP load driver for the concurrency test and `make bench`: real sockets, no
third-party client, cookies by hand; clients are threads."""
import http.client
import re
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
HARNESS_SECRET = "sapat-harness-secret-for-load-tests-only"  # SECRET_KEY of tests/harness_app.py: clients may sign UUIDs
SURVEY_FIELDS = re.compile(r'name="client_uuid" value="([0-9a-f-]+)"><input type="hidden" name="signature" '
                           r'value="([0-9a-f]+)"')
# A complete answer to the small test questionnaire (tests/factories/surveys.py), both sections.
SMALL_ANSWERS = {"a": "4", "b": "2", "kids": "yes", "howmany": "2", "note": "Рахмат, мугалимдерге ыраазыбыз"}
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|id="csrf_token" name="csrf_token" '
                  r'type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with `workers` processes serving tests/harness_app.py (or `app`) on a free
    port; `env` adds to the environment (e.g. Redis for rate limits and the job queue)."""

    def __init__(self, database_url: str, workers: int = 2, threads: int = 4, app: str = "tests.harness_app:app",
                 env: dict | None = None):
        self.port = free_port()
        self.database_url = database_url
        self.workers = workers
        self.threads = threads  # 1: gunicorn's sync worker
        self.app = app
        self.env = env or {}
        self.process = None

    def __enter__(self):
        import os
        import tempfile

        self.log = tempfile.NamedTemporaryFile(prefix="sapat-gunicorn-", suffix=".log", delete=False)
        env = {**os.environ, "SAPAT_HARNESS_DB": self.database_url, "SAPAT_ENV": "development", **self.env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), *self._worker_class(),
             "-b", f"127.0.0.1:{self.port}", "--graceful-timeout", "5", "--timeout", "60",
             "--log-level", "warning", self.app],
            cwd=str(BASE_DIR), env=env, stdout=subprocess.DEVNULL, stderr=self.log)
        deadline = time.time() + 40
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn stopped: " + self.errors()[-2000:])
            try:
                status, _h, _b = request("127.0.0.1", self.port, "GET", "/healthz")
                if status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer within 40 s")

    def _worker_class(self) -> list[str]:
        if self.threads > 1:
            return ["-k", "gthread", "--threads", str(self.threads)]
        return ["-k", "sync"]

    def errors(self) -> str:
        """What gunicorn and the app logged (errors, with request ids)."""
        with open(self.log.name, encoding="utf-8", errors="replace") as f:
            return f.read()

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        import os

        os.unlink(self.log.name)


def request(host, port, method, path, body: dict | None = None, cookies: dict | None = None, timeout=30):
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Accept-Language": "ky"}
    payload = None
    if body is not None:
        payload = urlencode(body)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    try:
        conn.request(method, path, payload, headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, response.getheaders(), data
    finally:
        conn.close()


def cut_request(host, port, path, body: dict, cookies: dict, mode: str):
    """Send a POST and drop the connection: "mid-body" before the body is complete,
    "no-read" after sending everything but before reading the answer."""
    payload = urlencode(body).encode()
    head = (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(payload)}\r\nCookie: "
            + "; ".join(f"{k}={v}" for k, v in cookies.items()) + "\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection((host, port), timeout=10) as s:
        if mode == "mid-body":
            s.sendall(head + payload[: len(payload) // 2])
        else:
            s.sendall(head + payload)
            time.sleep(0.005)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST


def set_cookies(headers) -> dict:
    jar = {}
    for name, value in headers:
        if name.lower() == "set-cookie":
            pair = value.split(";", 1)[0]
            if "=" in pair:
                k, v = pair.split("=", 1)
                jar[k.strip()] = v.strip()
    return jar


def csrf_token(html: bytes) -> str:
    match = CSRF.search(html.decode("utf-8", "replace"))
    if not match:
        raise AssertionError("no csrf_token on the page")
    return next(g for g in match.groups() if g)


@dataclass
class Stats:
    latencies: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    def p(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def new_uuid() -> str:
    return str(uuid.uuid4())


def survey_fields(html: bytes) -> dict:
    """The signed UUID of a survey page, as the page's form sends it."""
    match = SURVEY_FIELDS.search(html.decode("utf-8", "replace"))
    if not match:
        raise AssertionError("no signed client_uuid on the survey page")
    return {"client_uuid": match.group(1), "signature": match.group(2)}


def signed_submission(slug: str) -> dict:
    """A complete submission with a UUID signed as the harness server would sign it (for load
    tests that post without loading the page each time)."""
    from app.services.surveys.public import issue_uuid

    client_uuid, signature = issue_uuid(HARNESS_SECRET, slug)
    return {"client_uuid": client_uuid, "signature": signature, **SMALL_ANSWERS}
