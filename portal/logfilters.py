"""Keep client addresses out of the logs for tip pages, and set-up tokens out of every log.

Gunicorn's access log format (scripts/run-site) already leaves out ``%(h)s``. Two other
loggers would print an address: Werkzeug's development server starts every request line with
it, and Flask-Limiter logs the rate-limit key (the address) when a limit is exceeded. These
filters blank the address on records about tip URLs and tip endpoints.

A line without an address still has a time: the time of ``POST /km/tips/new`` matches the tip's
arrival, and so links the tip to any log upstream (a proxy, a CDN) that does hold the address.
Gunicorn's access log therefore writes no line at all for a POST to a tip URL, whatever its format.

A staff set-up link (``/vi/staff/setup/<token>``) works once, but a log read before it is used
would hand the account to the reader: the token is replaced by ``…`` in every request line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

TIP_PATH = re.compile(r"^[A-Z]+ /[a-z]{2}/tips/")
TIP_URL = re.compile(r"^/[a-z]{2}/tips(/|$)")
TIP_ENDPOINT_SCOPE = "tips."
SETUP_TOKEN = re.compile(r"(/[a-z]{2}/staff/setup/)[^/?\s\"]+")
HIDDEN = r"\1…"


def hide_tokens(text: str) -> str:
    return SETUP_TOKEN.sub(HIDDEN, text)


class WerkzeugTipFilter(logging.Filter):
    """``127.0.0.1 - - [date] "POST /km/tips/new HTTP/1.1" 200 -`` → ``- - - [date] …``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        request_line = str(args[0]) if args else ""
        # Strip ANSI colour codes the dev server adds around the request line.
        request_line = re.sub(r"\x1b\[[0-9;]*m", "", request_line)
        if isinstance(record.msg, str) and TIP_PATH.match(request_line):
            record.msg = re.sub(r"^\S+", "-", record.msg, count=1)
        if args and SETUP_TOKEN.search(str(args[0])):
            record.args = (hide_tokens(str(args[0])), *args[1:])
        return True


class LimiterTipFilter(logging.Filter):
    """``ratelimit 30 per 1 hour (1.2.3.4) exceeded at endpoint: tips.new:submit`` without the key."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 3 and str(record.msg).startswith("ratelimit") \
                and str(args[2]).startswith(TIP_ENDPOINT_SCOPE):
            record.args = (args[0], "-", args[2])
        return True


class GunicornTipPostFilter(logging.Filter):
    """Drop gunicorn's access-log line for a POST to a tip URL (a tip sent, a reply, a photo added);
    hide set-up tokens in the others."""

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args
        if not isinstance(atoms, Mapping):
            return True
        method, path = atoms.get("m"), atoms.get("U")
        if str(method).upper() == "POST" and TIP_URL.match(str(path or "")):
            return False
        if SETUP_TOKEN.search(str(path or "")) and isinstance(atoms, dict):
            # Changed in place: gunicorn's atoms answer "-" for names they lack. Every atom that may
            # hold the path (r: request line, U: path, {raw_uri}e …) loses the token.
            for name, value in list(atoms.items()):
                if isinstance(value, str):
                    atoms[name] = hide_tokens(value)
        return True


def install() -> None:
    """Attach the filters once per process (several apps may be created, e.g. in tests)."""
    for name, filter_class in (("werkzeug", WerkzeugTipFilter), ("flask-limiter", LimiterTipFilter),
                               ("gunicorn.access", GunicornTipPostFilter)):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, filter_class) for existing in logger.filters):
            logger.addFilter(filter_class())
