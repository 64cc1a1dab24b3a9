"""Static files: versioned URLs cached for a year, sent compressed, and the site's icon.

`url_for('static', filename=...)` gets `?v=<first 12 hex digits of the file's SHA-256>`; a
request that carries the current version is answered with `Cache-Control: public,
max-age=31536000, immutable`, any other with `no-cache` (the browser asks again, and gets 304
when nothing changed). A changed file gets a new URL, so a year's caching never serves an old
file. CSS, JS and SVG are compressed like pages (Flask-Compress skips streamed files, so the
file is read into the response first: they are a few KB). `/favicon.ico` answers with the
icon in app/static/icon.svg.
"""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Flask, current_app, request, send_from_directory

from app.security import public

YEAR = 365 * 24 * 3600
COMPRESSED = ("text/css", "text/javascript", "application/javascript", "image/svg+xml")


@lru_cache(maxsize=256)
def _version(folder: str, filename: str, mtime: float) -> str:
    return hashlib.sha256((Path(folder) / filename).read_bytes()).hexdigest()[:12]


def version_of(filename: str) -> str | None:
    """The version of a static file (None when there is no such file)."""
    path = Path(current_app.static_folder) / filename
    try:
        return _version(current_app.static_folder, filename, path.stat().st_mtime)
    except (OSError, ValueError):
        return None


def _add_version(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "v" not in values and values.get("filename"):
        version = version_of(values["filename"])
        if version:
            values["v"] = version


def _static_headers(response):
    if request.endpoint != "static":
        return response
    filename = (request.view_args or {}).get("filename", "")
    if request.args.get("v") and request.args.get("v") == version_of(filename):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "no-cache"
    if response.mimetype in COMPRESSED and response.status_code == 200 and response.direct_passthrough:
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def init_static(app: Flask) -> None:
    """Install the versioned URLs, the static headers and /favicon.ico (after Flask-Compress,
    so that its after-request hook sees the file's bytes)."""
    app.url_defaults(_add_version)
    app.after_request(_static_headers)

    @public
    def favicon():
        response = send_from_directory(app.static_folder, "icon.svg", mimetype="image/svg+xml", max_age=YEAR)
        response.headers["Cache-Control"] = f"public, max-age={YEAR}"
        return response

    app.add_url_rule("/favicon.ico", "favicon", favicon)
