"""Error pages: translated, in the URL's language, never a stack trace.

An unhandled exception reaches the 500 handler through Flask (which logs it); the request's
database session is rolled back when it is closed on teardown.
"""

from __future__ import annotations

from flask import Flask, current_app, g, render_template
from flask.globals import request_ctx
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from portal.i18n import current_locale

MESSAGES = {
    400: (_l("Something in the request was not right"),
          _l("The page could not understand what was sent. Please go back and try again.")),
    403: (_l("You do not have access to this page"),
          _l("This page is only for staff with the right role.")),
    404: (_l("Page not found"),
          _l("We could not find this page. It may have moved, or the address may be mistyped.")),
    405: (_l("This action is not allowed here"),
          _l("Please use the links and buttons on the site.")),
    413: (_l("What you sent is too large"),
          _l("Please send fewer or smaller photos and try again.")),
    429: (_l("Too many attempts"),
          _l("Please wait a little and try again later. Nothing you sent before has been lost.")),
    500: (_l("Something went wrong on our side"),
          _l("We are sorry. Please try again in a few minutes.")),
}
CSRF_MESSAGE = (_l("This form has expired"),
                _l("For your safety, forms expire after a while. Please go back, reload the page "
                   "and send it again."))


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)


def error_page(code: int, title: object, message: object) -> tuple[str, int] | tuple[str, int, dict[str, str]]:
    g.lang = current_locale()
    plain = f"{title}\n\n{message}\n", code, {"Content-Type": "text/plain; charset=utf-8"}
    if request_ctx.url_adapter is None:
        # The request could not be routed at all (e.g. an untrusted Host): no links can be built.
        return plain
    try:
        return render_template("errors/error.html", code=code, title=title, message=message), code
    except Exception:
        # The page itself failed (whatever broke the request may break it too): still a translated
        # answer with the security headers, never the server's bare page.
        current_app.logger.exception("The error page for %s could not be drawn", code)
        return plain


def _csrf_error(_error: CSRFError) -> ResponseReturnValue:
    return error_page(400, *CSRF_MESSAGE)


def _http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    if code not in MESSAGES:
        code = 400 if 400 <= code < 500 else 500
    response = error_page(code, *MESSAGES[code])
    if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
    return response
