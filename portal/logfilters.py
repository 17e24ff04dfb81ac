"""Keep client addresses out of the logs for tip pages.

Gunicorn's access log format (scripts/run-site) already leaves out ``%(h)s``. Two other
loggers would print an address: Werkzeug's development server starts every request line with
it, and Flask-Limiter logs the rate-limit key (the address) when a limit is exceeded. These
filters blank the address on records about tip URLs and tip endpoints.
"""

from __future__ import annotations

import logging
import re

TIP_PATH = re.compile(r"^[A-Z]+ /[a-z]{2}/tips/")
TIP_ENDPOINT_SCOPE = "tips."


class WerkzeugTipFilter(logging.Filter):
    """``127.0.0.1 - - [date] "POST /km/tips/new HTTP/1.1" 200 -`` → ``- - - [date] …``."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        request_line = str(args[0]) if args else ""
        # Strip ANSI colour codes the dev server adds around the request line.
        request_line = re.sub(r"\x1b\[[0-9;]*m", "", request_line)
        if isinstance(record.msg, str) and TIP_PATH.match(request_line):
            record.msg = re.sub(r"^\S+", "-", record.msg, count=1)
        return True


class LimiterTipFilter(logging.Filter):
    """``ratelimit 30 per 1 hour (1.2.3.4) exceeded at endpoint: tips.new:submit`` without the key."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if len(args) == 3 and str(record.msg).startswith("ratelimit") \
                and str(args[2]).startswith(TIP_ENDPOINT_SCOPE):
            record.args = (args[0], "-", args[2])
        return True


def install() -> None:
    """Attach the filters once per process (several apps may be created, e.g. in tests)."""
    for name, filter_class in (("werkzeug", WerkzeugTipFilter), ("flask-limiter", LimiterTipFilter)):
        logger = logging.getLogger(name)
        if not any(isinstance(existing, filter_class) for existing in logger.filters):
            logger.addFilter(filter_class())
