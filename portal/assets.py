"""Static files and compression: content-hashed URLs with long cache lives, gzip for text.

``url_for('static', filename=…)`` adds ``?v=<hash of the file's bytes>``; a request carrying the
current hash is cached for a year (``immutable``), so a returning visitor on a slow connection
downloads CSS, scripts and fonts once. Stylesheets are served with the same hash added to every
``url(…)`` they reference (fonts, images), and a stylesheet's own hash covers those hashes, so a
changed font changes the stylesheet's address too. Text responses are gzip-compressed when the
client accepts it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import re
import threading
import time
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, request

from portal.services.exports import FORMATS

# Text types (woff2, JPEG and PNG are compressed already), and every export format's own type.
COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "application/javascript", "text/javascript",
    "application/json", "image/svg+xml", "application/xml", "application/atom+xml",
} | {fmt.media_type.split(";")[0].strip() for fmt in FORMATS.values()})
MIN_COMPRESS_BYTES = 500
YEAR = 365 * 24 * 3600
# How long a file's hash is trusted before the file is looked at again (a deploy shows within this).
VERSION_RECHECK_SECONDS = 2.0
# Relative references in a stylesheet: url(../fonts/x.woff2), url("images/a.png").
CSS_URL = re.compile(r"""url\(\s*(['"]?)(?![a-z][a-z0-9+.-]*:|/|#)([^'")?#\s]+)\1\s*\)""", re.I)
FAVICON = "favicon.svg"


def init_app(app: Flask) -> None:
    app.url_defaults(_add_static_version)
    app.after_request(_cache_static)
    app.after_request(compress)
    app.add_url_rule("/favicon.ico", "favicon", favicon)


def favicon() -> Response:
    """Browsers ask for ``/favicon.ico`` whatever the page says: answer with the SVG icon."""
    body = static_body(FAVICON)
    if body is None:
        return Response(status=404)
    response = Response(body, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=604800"
    response.set_etag(static_version(FAVICON) or "")
    response.make_conditional(request)
    return response


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _static_path(filename: str) -> str | None:
    folder = os.path.realpath(current_app.static_folder or "")
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(folder + os.sep) or not os.path.isfile(path):
        return None
    return path


@lru_cache(maxsize=64)
def _css_references(path: str, mtime_ns: int, size: int) -> tuple[str, tuple[str, ...]]:
    """A stylesheet's text and the static files (relative to the static folder) it refers to."""
    with open(path, encoding="utf-8") as handle:
        css = handle.read()
    base = os.path.dirname(path)
    folder = os.path.realpath(current_app.static_folder or "")
    references = []
    for match in CSS_URL.finditer(css):
        target = os.path.realpath(os.path.join(base, match.group(2)))
        if target.startswith(folder + os.sep):
            references.append(os.path.relpath(target, folder))
    return css, tuple(references)


@lru_cache(maxsize=64)
def _versioned_css(path: str, mtime_ns: int, size: int, versions: tuple[tuple[str, str], ...]) -> bytes:
    css, _references = _css_references(path, mtime_ns, size)
    folder = os.path.realpath(current_app.static_folder or "")
    base = os.path.dirname(path)
    known = dict(versions)

    def add_version(match: re.Match[str]) -> str:
        target = os.path.relpath(os.path.realpath(os.path.join(base, match.group(2))), folder)
        version = known.get(target)
        if not version:
            return match.group(0)
        quote = match.group(1)
        return f"url({quote}{match.group(2)}?v={version}{quote})"

    return CSS_URL.sub(add_version, css).encode("utf-8")


def static_body(filename: str) -> bytes | None:
    """The bytes served for a static file (a stylesheet with its references versioned)."""
    path = _static_path(filename)
    if path is None:
        return None
    stat = os.stat(path)
    if not filename.endswith(".css"):
        with open(path, "rb") as handle:
            return handle.read()
    _css, references = _css_references(path, stat.st_mtime_ns, stat.st_size)
    versions = tuple((ref, _compute_version(ref) or "") for ref in references if not ref.endswith(".css"))
    return _versioned_css(path, stat.st_mtime_ns, stat.st_size, versions)


def _compute_version(filename: str) -> str | None:
    path = _static_path(filename)
    if path is None:
        return None
    stat = os.stat(path)
    if filename.endswith(".css"):
        body = static_body(filename) or b""
        return hashlib.sha256(body).hexdigest()[:12]
    return _file_hash(path, stat.st_mtime_ns, stat.st_size)


_versions: dict[tuple[str, str], tuple[float, str | None]] = {}
_versions_lock = threading.Lock()


def static_version(filename: str) -> str | None:
    """The hash in a static file's address; files are looked at again every couple of seconds."""
    key = (current_app.static_folder or "", filename)
    now = time.monotonic()
    cached = _versions.get(key)
    if cached is not None and now - cached[0] < VERSION_RECHECK_SECONDS:
        return cached[1]
    version = _compute_version(filename)
    with _versions_lock:
        _versions[key] = (now, version)
    return version


def _add_static_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_version(values["filename"])
        if version:
            values["v"] = version


def _cache_static(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    current = static_version(filename)
    if version and version == current:
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
    if filename.endswith(".css") and response.status_code == 200 and current:
        # The stylesheet as served: its url(…) references carry their hashes too (``compress``,
        # which runs first, has already put in the compressed form of the same text).
        if "Content-Encoding" not in response.headers:
            response.close()
            response.direct_passthrough = False
            response.set_data(static_body(filename) or b"")
        response.headers.pop("Last-Modified", None)
        response.set_etag(current + ("-gz" if response.headers.get("Content-Encoding") == "gzip" else ""))
        response.make_conditional(request)
    return response


@lru_cache(maxsize=256)
def _gzip_static(filename: str, version: str, static_folder: str) -> bytes:
    return gzip.compress(static_body(filename) or b"", compresslevel=9, mtime=0)


def compress_level(response: Response) -> int:
    """Public pages go to phones on slow links: level 6, kept or not (the Khmer tip form, made per
    request for its CSRF token, is 5.8 KB instead of 7.4 KB at level 1, a tenth of a second at
    the 50 KB/s the font test models). A staff page is made for one request on an office
    connection: level 1, about 10 % more bytes in half the CPU time (a queue page: 4.9 KB instead
    of 4.5 KB, 0.15 ms instead of 0.3 ms)."""
    staff = request.blueprint == "staff" and "no-store" in response.headers.get("Cache-Control", "")
    return 1 if staff else 6


def compress(response: Response) -> Response:
    """Gzip text responses for clients that accept it (woff2, JPEG and PNG are compressed already)."""
    if (response.status_code < 200 or response.status_code >= 300 or response.status_code == 204
            or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE
            or "gzip" not in request.headers.get("Accept-Encoding", "")
            or request.method == "HEAD"):
        return response
    response.vary.add("Accept-Encoding")
    if request.endpoint == "static":
        filename = (request.view_args or {}).get("filename", "")
        version = static_version(filename)
        if version is None:
            return response
        body = _gzip_static(filename, version, current_app.static_folder or "")
        response.close()
        response.direct_passthrough = False
        response.set_data(body)
    else:
        if response.direct_passthrough or response.is_streamed:
            return response
        data = response.get_data()
        if len(data) < MIN_COMPRESS_BYTES:
            return response
        response.set_data(gzip.compress(data, compresslevel=compress_level(response)))
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(response.get_data()))
    # An ETag of the uncompressed body must not validate the compressed one.
    if response.headers.get("ETag"):
        response.headers["ETag"] = response.headers["ETag"].rstrip('"') + '-gz"'
    return response
