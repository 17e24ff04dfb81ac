"""gunicorn settings shipped with the portal: ``gunicorn -c python:portal.gunicorn_conf … portal.wsgi:app``.

Everything else (bind address, worker class, workers, threads, access log) stays on the command
line, which overrides what is set here.

- **Forwarded headers.** gunicorn trusts ``X-Forwarded-Proto`` and friends only from
  ``forwarded_allow_ips``: here loopback, where nginx connects from (the README's Production
  section). It would also take ``SCRIPT_NAME`` and ``PATH_INFO`` from request headers sent from
  there (``forwarder_headers``, by default ``SCRIPT_NAME,PATH_INFO`` since gunicorn 22): the portal
  is served at ``/``, so it takes none, and with ``header_map = "drop"`` a ``SCRIPT_NAME:`` header
  is dropped like any other header with an underscore.
- **Rate limits count once.** With ``PORTAL_RATELIMIT_STORAGE_URL=memory://`` (the default) every
  worker process counts on its own, so N workers let through N × every limit. The master refuses to
  start more than one worker with it, and keeps refusing when ``TTIN`` asks for more workers later.
  The worker count is handed to the app as ``PORTAL_SERVER_WORKERS`` (production's configuration
  check reads it too).
"""

from __future__ import annotations

import os
from typing import Any

from portal.config import from_environment, memory_storage_problem

forwarded_allow_ips = "127.0.0.1,::1"
forwarder_headers = ""
header_map = "drop"


def _storage_uri() -> str:
    return str(from_environment(os.environ)["RATELIMIT_STORAGE_URI"])


def on_starting(server: Any) -> None:
    """Before the master binds or forks: refuse several workers counting rate limits apart."""
    workers = int(server.cfg.workers)
    problem = memory_storage_problem(_storage_uri(), workers)
    if problem:
        pidfile = getattr(server, "pidfile", None)
        if pidfile is not None:
            pidfile.unlink()
        # gunicorn prints a RuntimeError raised here as "Error: …" and exits with status 1.
        raise RuntimeError(f"portal.gunicorn_conf refuses to start: {problem}")
    os.environ["PORTAL_SERVER_WORKERS"] = str(workers)


def nworkers_changed(server: Any, new_value: int, old_value: int | None) -> None:
    """``kill -TTIN`` adds a worker at run time: not while rate limits live in each worker's memory."""
    if old_value is None:  # the first count, from the settings: on_starting checks it
        return
    problem = memory_storage_problem(_storage_uri(), new_value)
    if problem:
        server.log.error("portal.gunicorn_conf keeps one worker: %s", problem)
        server.num_workers = 1
