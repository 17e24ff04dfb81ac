"""A whole page rendered once per language and page, with holes for what changes per request.

The receipt page after a tip is the same HTML for every tip sent from one page in one language
on one day, but for three values: the receipt code and the photo form's two tokens. Rendering it
through Jinja for every tip (layout, macros, some fifty translations) cost more than storing the
tip. The queue's first page is the same for one member but for its rows (HTML already, see
``portal.row_templates``), its next-page link and a CSRF token. :func:`kept_page` renders the
template once with a marker in place of each such value, cuts the HTML at the markers and keeps
the pieces; each request then only joins the pieces and its own values, escaped exactly as Jinja
escapes them (:func:`portal.row_templates.escape_value`; HTML objects are put in as they are).

What a kept page may depend on: its key (:func:`portal.navigation.chrome_key`: language, host,
page, query, method) plus what the caller passes as ``key``, and its holes. Every other value
must be part of ``key``. The markers are plain strings, so a hole may only be *printed* (in text
or an attribute), never tested or filtered: :func:`kept_page` checks that every hole was printed
and nothing else was cut, and refuses otherwise (``TypeError``), so a template that transformed a
value fails loudly instead of keeping a wrong page. A page with flashed messages waiting is never
kept: it is rendered as usual, once.

No kept piece ever holds a hole's value: the markers are rendered, never the values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app, render_template, session

from portal.navigation import chrome_key, kept
from portal.row_templates import MARK, escape_value

KEPT_PAGES = 64  # pages (template × language × host × day × …): the least recently used dropped beyond

# What the caller renders the page with, given what to print in each hole.
PageContext = Callable[[Mapping[str, str]], dict[str, Any]]


@dataclass(frozen=True)
class KeptPage:
    """The page cut at its holes: ``literals[0]``, hole ``holes[0]``, ``literals[1]``, …"""

    literals: tuple[str, ...]
    holes: tuple[str, ...]

    def fill(self, values: Mapping[str, str]) -> str:
        out = [self.literals[0]]
        for name, literal in zip(self.holes, self.literals[1:], strict=True):
            out.append(escape_value(values[name]))
            out.append(literal)
        return "".join(out)


def markers(names: tuple[str, ...] | Mapping[str, Any]) -> dict[str, str]:
    """What a kept page is rendered with: in each hole, its own name between two ``MARK``."""
    return {name: f"{MARK}{name}{MARK}" for name in names}


def kept_page(template: str, holes: Mapping[str, str], context: PageContext, *key: Hashable) -> str:
    """``template`` rendered with ``context(values)`` — but through a kept :class:`KeptPage`.

    ``holes``: this request's value for each hole (a receipt code, a token). ``context``: the
    render's variables, made from what goes in each hole (called with markers the first time, and
    never again while the page is kept). ``key``: every other value the page depends on beyond
    :func:`~portal.navigation.chrome_key` (a date, a count, a setting)."""
    if "_flashes" in session or current_app.jinja_env.auto_reload:
        return render_template(template, **context(holes))
    full_key = chrome_key(f"page:{template}", (tuple(sorted(holes)), *key))
    page = kept("portal.kept_pages", full_key, lambda: _cut(
        template, render_template(template, **context(markers(holes))), frozenset(holes)), KEPT_PAGES)
    return page.fill(holes)


def _cut(template: str, html: str, names: frozenset[str]) -> KeptPage:
    pieces = html.split(MARK)
    cut = tuple(pieces[1::2])
    if len(pieces) % 2 == 0 or not set(cut) <= names:
        raise TypeError(f"{template} printed a hole's marker changed or cut: holes may only be printed")
    if missing := names - set(cut):
        raise TypeError(f"{template} did not print its hole(s) {', '.join(sorted(missing))} as given")
    return KeptPage(literals=tuple(pieces[0::2]), holes=cut)
