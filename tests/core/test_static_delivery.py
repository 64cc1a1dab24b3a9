"""Static files: versioned URLs with a year's caching, compressed, and an icon (issue 23)."""
import gzip
import re


def test_pages_link_static_files_by_version_and_those_are_cached_for_a_year(client):
    page = client.get("/login").get_data(as_text=True)
    css = re.search(r'href="(/static/css/sapat\.css\?v=[0-9a-f]{12})"', page).group(1)
    response = client.get(css, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.headers["Content-Encoding"] in ("gzip", "br")
    if response.headers["Content-Encoding"] == "gzip":
        assert b"body" in gzip.decompress(response.data)
    # Without the current version the browser must ask again.
    plain = client.get("/static/css/sapat.css")
    assert plain.headers["Cache-Control"] == "no-cache"
    stale = client.get("/static/css/sapat.css?v=000000000000")
    assert stale.headers["Cache-Control"] == "no-cache"


def test_scripts_are_compressed_too(client):
    response = client.get("/static/js/surveys.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "gzip"
    assert len(response.data) < len(gzip.decompress(response.data))


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml" and b"<svg" in response.data
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)
