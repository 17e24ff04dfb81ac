"""Languages: which locale a request is in, URLs that carry it, numbers, dates and folding.

Every page lives under ``/<lang>/``. The locale is resolved once per request from the URL;
``/`` picks one from the saved choice, then ``Accept-Language``, then the default.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from flask import Flask, current_app, g, request
from flask_babel import format_date as babel_format_date
from flask_babel import format_datetime as babel_format_datetime
from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from werkzeug.routing import BaseConverter

from portal.config import LANGUAGES
from portal.extensions import babel

LOCALES: tuple[str, ...] = LANGUAGES
LANGUAGE_COOKIE = "portal_lang"
# Names of the languages in themselves, for the switcher.
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "km": "ខ្មែរ", "en": "English"}
# Names of the languages in the page's language, for use inside a sentence ("received in Khmer").
LANGUAGE_NAMES_IN_SENTENCES = {"vi": _l("Vietnamese"), "km": _l("Khmer"), "en": _l("English")}
# Vietnamese writes a long date "ngày 1 tháng 12 năm 2026"; Babel's own pattern gives "1 tháng 12, 2026".
LONG_DATE_PATTERNS = {"vi": "'ngày' d 'tháng' M 'năm' y"}
KHMER_MOMENT_PATTERNS = {"short": "d/M/yyyy HH:mm", "medium": "d MMMM y, HH:mm", "long": "d MMMM y, HH:mm:ss",
                         "full": "EEEE d MMMM y, HH:mm:ss"}
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
FROM_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


class LanguageConverter(BaseConverter):
    """Matches only the portal's languages, so ``/xx/…`` is simply not found."""

    regex = "|".join(LOCALES)


def init_app(app: Flask) -> None:
    app.url_map.converters["lang"] = LanguageConverter
    babel.init_app(app, locale_selector=current_locale)
    app.url_value_preprocessor(_pull_language)
    app.url_defaults(_add_language)
    app.jinja_env.globals.update(
        LOCALES=LOCALES, LANGUAGE_NAMES=LANGUAGE_NAMES, LANGUAGE_NAMES_IN_SENTENCES=LANGUAGE_NAMES_IN_SENTENCES,
        current_locale=current_locale,
        url_in_language=url_in_language, url_with_query=url_with_query,
    )
    app.after_request(remember_language)
    app.jinja_env.filters.update({name: locale_dependent(function) for name, function in (
        ("number", format_number), ("date", format_day), ("datetime", format_moment), ("digits", localise_digits))})
    app.jinja_env.filters["html_datetime"] = html_datetime


def locale_dependent(function: Callable[..., str]) -> Callable[..., str]:
    """A Jinja filter whose answer depends on the request's language.

    Jinja folds a filter applied to a constant (``{{ 781 | number }}``) once, when the template is
    compiled; a worker that compiled it for a Khmer page would then show Khmer digits on every
    page. A filter that takes the render context is never folded.
    """

    @pass_context
    @wraps(function)
    def per_render(_context: Any, *args: Any, **kwargs: Any) -> str:
        return function(*args, **kwargs)

    return per_render


def _pull_language(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    if values and "lang" in values:
        g.lang = values.pop("lang")


def _add_language(endpoint: str, values: dict[str, Any]) -> None:
    if "lang" in values or not current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
        return
    values["lang"] = current_locale()


def current_locale() -> str:
    """The request's language: from its URL, else the best guess for this visitor."""
    lang = g.get("lang")
    if lang in LOCALES:
        return str(lang)
    first_segment = request.path.strip("/").split("/", 1)[0] if request else ""
    if first_segment in LOCALES:
        return first_segment
    return preferred_locale()


def preferred_locale() -> str:
    """Saved choice, then ``Accept-Language`` (``km-KH`` counts as ``km``), then the default."""
    saved = request.cookies.get(LANGUAGE_COOKIE)
    if saved in LOCALES:
        return str(saved)
    best = request.accept_languages.best_match(LOCALES)
    if best:
        return best
    for value, _quality in request.accept_languages:
        primary = value.split("-", 1)[0].split("_", 1)[0].lower()
        if primary in LOCALES:
            return primary
    return str(current_app.config["DEFAULT_LANGUAGE"])


def ascii_digits(text: str) -> str:
    """Khmer digits (០–៩) typed on a Khmer keyboard count as the same numbers."""
    return text.translate(FROM_KHMER_DIGITS)


def localise_digits(text: Any, locale: str | None = None) -> str:
    """Khmer readers expect Khmer digits; Babel prints Latin ones, so map them."""
    text = str(text)
    return text.translate(KHMER_DIGITS) if (locale or current_locale()) == "km" else text


def format_number(value: int | float) -> str:
    if type(value) is int and 0 <= value < 1000:  # no grouping or sign: the same in every locale
        return localise_digits(str(value))
    return localise_digits(format_decimal(value))


def format_day(value: date | datetime, fmt: str = "long") -> str:
    if fmt == "long":
        fmt = LONG_DATE_PATTERNS.get(current_locale(), fmt)
    return localise_digits(babel_format_date(value, fmt))


def format_moment(value: datetime, fmt: str = "medium") -> str:
    """A date and time in the page's language. CLDR's Khmer patterns say "AM"/"PM" in English:
    Khmer pages get the 24-hour clock (with Khmer digits, ១៥:៣០) instead."""
    if current_locale() == "km":
        fmt = KHMER_MOMENT_PATTERNS.get(fmt, fmt)
    return localise_digits(babel_format_datetime(value, fmt))


def html_datetime(value: date | datetime) -> str:
    """A date or moment for a ``datetime`` attribute: HTML allows at most three digits of a second."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def _is_latin(char: str) -> bool:
    return char.isascii() or "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"


# Punctuation folded to a space: ``Kra-chê``, ``Kra.chê`` and ``Kra chê`` are one name. En and em
# dashes (``Việt Nam–Campuchia``), ``%`` and ``_`` (searched literally) and symbols such as ``+`` stay.
SEPARATORS = dict.fromkeys(map(ord, "-\u2010\u2011\u2043\ufe63\uff0d"       # hyphens
                                    ".,;:!?…·/\\|()[]{}"                     # stops, slashes, brackets
                                    "'\"`´\u02bc\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f«»‹›"  # quotes
                                    "\u17d4\u17d5\u17d6"),                   # Khmer ។ ៕ ៖
                           " ")


def fold(text: str | None) -> str:
    """Fold text for search: lower case, Latin diacritics gone, ``đ``→``d``, no zero-width marks,
    punctuation (hyphens, dots, commas, apostrophes, brackets, Khmer ``។``) read as a space.

    Combining marks are dropped only after Latin letters: Khmer vowel signs are combining
    marks too, and removing them would change the word.
    """
    if not text:
        return ""
    text = text.translate(SEPARATORS)
    decomposed = unicodedata.normalize("NFD", text.translate(ZERO_WIDTH).replace("đ", "d").replace("Đ", "D"))
    kept: list[str] = []
    base_is_latin = False
    for char in decomposed:
        if unicodedata.combining(char):
            if base_is_latin:
                continue
        else:
            base_is_latin = _is_latin(char)
        kept.append(char)
    folded = unicodedata.normalize("NFC", "".join(kept)).casefold()
    return " ".join(folded.split())


def url_with_query(endpoint: str, query: Any = None, drop: tuple[str, ...] = (), **values: Any) -> str:
    """``url_for(endpoint, **values)`` with a visitor's query appended as it came.

    A query is never passed to ``url_for`` itself: names such as ``lang``, ``endpoint`` or
    ``_external`` in it would be read as ``url_for``'s own arguments (and crash the page).
    ``query`` is a ``MultiDict`` (``request.args``) or a mapping of lists; ``drop`` names to leave out.
    """
    from flask import url_for

    url = url_for(endpoint, **values)
    if query is None:
        return url
    items = query.items(multi=True) if hasattr(query, "getlist") else (
        (name, value) for name, listed in query.items() for value in listed)
    encoded = urlencode([(name, value) for name, value in items if name not in drop])
    if not encoded:
        return url
    return f"{url}{'&' if '?' in url else '?'}{encoded}"


def url_in_language(lang: str, external: bool = False) -> str:
    """The current page in another language, with its path arguments and query kept (on public
    pages, the query parameters the page reads)."""
    from flask import url_for

    endpoint = request.endpoint
    if endpoint is None or not current_app.url_map.is_endpoint_expecting(endpoint, "lang") \
            or request.method != "GET":
        return url_for("public.home", lang=lang, _external=external)
    from portal.page_cache import link_query  # the parameters a cacheable page read (see there)

    path_args = {name: value for name, value in (request.view_args or {}).items() if name != "lang"}
    return url_with_query(endpoint, link_query(), lang=lang, _external=external, **path_args)


def language_cookie_options(secure: bool) -> dict[str, Any]:
    """How the language cookie is set (also by ``portal.page_cache`` on a stored page)."""
    return {"max_age": 365 * 24 * 3600, "httponly": True, "samesite": "Lax", "secure": secure}


def remember_language(response: Any) -> Any:
    """Save the language of a page the visitor chose, so ``/`` brings them back to it.

    Set only when it differs from the saved one: an unchanged choice sends no cookie, and the
    page can come from (and go into) the page cache.
    """
    lang = g.get("lang")
    if lang in LOCALES and request.cookies.get(LANGUAGE_COOKIE) != lang and request.method == "GET" \
            and response.status_code == 200:
        response.set_cookie(LANGUAGE_COOKIE, lang,
                            **language_cookie_options(bool(current_app.config["PRODUCTION"])))
    return response


def cli_language() -> str:
    """The language of ``flask`` command output: ``PORTAL_CLI_LANGUAGE``, else the shell's ``LANG``, else English."""
    import os

    for value in (os.environ.get("PORTAL_CLI_LANGUAGE", ""), os.environ.get("LANG", "")):
        primary = value.split(".", 1)[0].split("_", 1)[0].split("-", 1)[0].lower()
        if primary in LOCALES:
            return primary
    return "en"


def in_cli_language(command: Any) -> Any:
    """Run a ``flask`` command with its messages in :func:`cli_language` (inside the app context)."""
    from functools import wraps

    from flask_babel import force_locale

    @wraps(command)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with force_locale(cli_language()):
            return command(*args, **kwargs)

    return wrapped
