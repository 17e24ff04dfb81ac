"""Static files and compression: content-hashed URLs with long cache lives, gzip for text.

``url_for('static', filename=…)`` adds ``?v=<hash of the file's bytes>``; a request carrying the
current hash is cached for a year (``immutable``), so a returning visitor on a slow connection
downloads CSS, scripts and fonts once. Text responses are gzip-compressed when the client accepts it.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, request

COMPRESSIBLE = frozenset({
    "text/html", "text/css", "text/plain", "text/csv", "application/javascript", "text/javascript",
    "application/json", "application/geo+json", "image/svg+xml", "application/xml",
    "application/atom+xml", "application/gpx+xml",
})
MIN_COMPRESS_BYTES = 500
YEAR = 365 * 24 * 3600


def init_app(app: Flask) -> None:
    app.url_defaults(_add_static_version)
    app.after_request(_cache_static)
    app.after_request(compress)


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime_ns: int, size: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(65536), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def static_version(filename: str) -> str | None:
    folder = current_app.static_folder or ""
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep) or not os.path.isfile(path):
        return None
    stat = os.stat(path)
    return _file_hash(path, stat.st_mtime_ns, stat.st_size)


def _add_static_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = static_version(values["filename"])
        if version:
            values["v"] = version


def _cache_static(response: Response) -> Response:
    if request.endpoint != "static" or response.status_code != 200:
        return response
    version = request.args.get("v")
    filename = (request.view_args or {}).get("filename", "")
    if version and version == static_version(filename):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    else:
        response.headers["Cache-Control"] = "public, max-age=300"
    return response


@lru_cache(maxsize=256)
def _gzip_static(path: str, version: str) -> bytes:
    with open(path, "rb") as handle:
        return gzip.compress(handle.read(), compresslevel=9, mtime=0)


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
        folder = current_app.static_folder or ""
        body = _gzip_static(os.path.realpath(os.path.join(folder, filename)), version)
        response.close()
        response.direct_passthrough = False
        response.set_data(body)
    else:
        if response.direct_passthrough or response.is_streamed:
            return response
        data = response.get_data()
        if len(data) < MIN_COMPRESS_BYTES:
            return response
        response.set_data(gzip.compress(data, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Content-Length"] = str(len(response.get_data()))
    # An ETag of the uncompressed body must not validate the compressed one.
    if response.headers.get("ETag"):
        response.headers["ETag"] = response.headers["ETag"].rstrip('"') + '-gz"'
    return response
