"""The weight of the parents' survey page in Chromium: bytes transferred (headers and bodies, as
the network carries them) on a first visit with an empty cache, and on a repeat visit to another
class's link of the same survey in the same browser (issue 23: at most 15 KB and 6 KB).

The baseline, measured in the same run, is the same two visits as a browser without the
delivery's work would make them: compression refused (`Accept-Encoding: identity`) and the
cache disabled, so every visit fetches the page and every static file whole.

    python -m bench page_weight

tests/surveys/test_page_weight.py asserts the limits with `measure_visits` on the test app.
"""
import json
import os
import sys
import tempfile
import threading
import time
from contextlib import contextmanager

CHROMIUM = os.environ.get("SAPAT_CHROMIUM", "/usr/bin/chromium")
FIRST_LIMIT, REPEAT_LIMIT = 15 * 1024, 6 * 1024
PHONE = {"width": 360, "height": 740}
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@contextmanager
def served(app):
    """`app` over HTTP on a free port of 127.0.0.1 in a background thread: yields its base URL."""
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def _visit(page, cdp, url: str) -> dict:
    """Load `url` and wait until the network is idle; the bytes Chromium received for it
    (encodedDataLength: headers and compressed bodies) and the requests that went out."""
    finished, requests, cached = {}, {}, set()
    handlers = {
        "Network.requestWillBeSent": lambda e: requests.__setitem__(e["requestId"], e["request"]["url"]),
        "Network.requestServedFromCache": lambda e: cached.add(e["requestId"]),
        "Network.loadingFinished": lambda e: finished.__setitem__(e["requestId"], e["encodedDataLength"]),
    }
    for event, handler in handlers.items():
        cdp.on(event, handler)
    start = time.perf_counter()
    page.goto(url, wait_until="networkidle")
    seconds = time.perf_counter() - start
    for event, handler in handlers.items():
        cdp.remove_listener(event, handler)
    # A file the browser's cache serves goes out on no network and receives nothing.
    sent = {rid: u.split("//", 1)[-1].split("/", 1)[-1] for rid, u in requests.items()
            if rid not in cached and not u.startswith("data:")}
    parts = {path: int(finished.get(rid, 0)) for rid, path in sent.items()}
    return {"bytes": sum(parts.values()), "requests": len(parts), "parts": parts, "seconds": round(seconds, 3)}


def measure_visits(browser, first_url: str, repeat_url: str, *, baseline: bool = False) -> dict:
    """The first visit to `first_url` and then a visit to `repeat_url` in the same fresh
    browser context at 360 x 740; with `baseline`, without compression and without a cache."""
    context = browser.new_context(viewport=PHONE, locale="ky")
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        if baseline:
            cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
            cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": "identity"}})
        first = _visit(page, cdp, first_url)
        repeat = _visit(page, cdp, repeat_url)
        return {"first": first, "repeat": repeat}
    finally:
        context.close()


def _demo_links(app) -> tuple[str, str]:
    """Two classes' links of the demo school's open parents' survey (built on first use)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Campaign
    from app.services.core.demo import build_demo

    with app.app_context():
        db.create_all()
        build_demo(scale="small", seed=2026)
        db.session.commit()
        campaign = db.session.scalars(select(Campaign).where(Campaign.status == "open",
                                                             Campaign.audience == "parents")).first()
        targets = [t for t in campaign.targets if t.class_id is not None]
        return targets[0].slug, targets[1].slug


def main() -> int:
    from playwright.sync_api import sync_playwright

    from bench.bench_metrics import _app, _rss_mb

    if not os.path.exists(CHROMIUM):
        print(json.dumps({"name": "parents' page weight", "skipped": f"no chromium at {CHROMIUM}"}), flush=True)
        return 0
    failed = 0
    with tempfile.TemporaryDirectory(prefix="sapat-bench-weight-") as tmp:
        app = _app(f"sqlite:///{tmp}/bench.db")
        first_slug, repeat_slug = _demo_links(app)
        with served(app) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            try:
                urls = (f"{base}/s/{first_slug}", f"{base}/s/{repeat_slug}")
                now = measure_visits(browser, *urls)
                before = measure_visits(browser, *urls, baseline=True)
            finally:
                browser.close()
    for visit, limit in (("first", FIRST_LIMIT), ("repeat", REPEAT_LIMIT)):
        got, base_line = now[visit], before[visit]
        record = {"name": f"parents' page: {visit} visit", "seconds": got["seconds"], "peak_rss_mb": _rss_mb(),
                  "bytes": got["bytes"], "requests": got["requests"], "limit_bytes": limit,
                  "within_limit": got["bytes"] <= limit, "baseline": "no compression, no cache",
                  "baseline_bytes": base_line["bytes"], "baseline_requests": base_line["requests"],
                  "baseline_seconds": base_line["seconds"],
                  "ratio": round(got["bytes"] / base_line["bytes"], 3) if base_line["bytes"] else None,
                  "parts": got["parts"]}
        failed += not record["within_limit"]
        print(json.dumps(record, ensure_ascii=False), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
