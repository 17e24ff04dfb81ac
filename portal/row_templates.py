"""A table row's template, rendered once per page and filled in for every row.

Printed by Jinja, a page of 50 queue rows is 750 values, each looked up and escaped one by one:
that cost more than the query behind them. A row template rendered with :data:`MARKERS` as its
``line`` prints, instead of each value, a marker naming it; the HTML between the markers (tags,
classes, translated column names) is kept, and :func:`fill` puts every row's values, escaped
exactly as Jinja escapes them (:func:`escape_value`), in their places.

So a row template may only print ``line.<field>``: every test, comparison, filter or attribute
of a value is worked out before (the row's fields are ready to print). A marker refuses anything
else with a ``TypeError``, so such a template fails loudly instead of printing wrong rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from markupsafe import Markup

MARK = "\x00"  # never in a template's own text; the values are put in after the split


class _Marker:
    """Where ``line.<name>`` goes in the row."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __html__(self) -> str:
        return f"{MARK}{self.name}{MARK}"

    def _refuse(self, *_args: Any) -> Any:
        raise TypeError(f"a row template may only print line.{self.name}, not test, filter or look into it")

    __str__ = __bool__ = __eq__ = __ne__ = __lt__ = __gt__ = __len__ = __iter__ = __getitem__ = _refuse
    __hash__ = None  # type: ignore[assignment]

    def __getattr__(self, attr: str) -> Any:
        return self._refuse()


class _Markers:
    def __getattr__(self, name: str) -> _Marker:
        if name.startswith("_"):
            raise AttributeError(name)
        return _Marker(name)


MARKERS = _Markers()


@dataclass(frozen=True)
class RowTemplate:
    """The row's HTML cut at its values: ``literals[0]``, value ``fields[0]``, ``literals[1]``, …"""

    literals: tuple[str, ...]
    fields: tuple[int, ...]  # positions in the row tuple


def row_template(name: str, fields: Sequence[str], **context: Hashable) -> RowTemplate:
    """Template ``name`` rendered with markers for ``line`` (``fields``: the names of a row
    tuple's items, in order) and cut at its values; ``context``: anything else it prints, the
    same for every row. Kept per app, language and context (the template prints no more than its
    translated words and ``context``), unless templates reload."""
    from flask_babel import get_locale

    from portal.i18n import current_locale

    key = (name, tuple(fields), current_locale(), str(get_locale()), tuple(sorted(context.items())))
    kept: dict[tuple[Any, ...], RowTemplate] = current_app.extensions.setdefault("portal.row_templates", {})
    template = kept.get(key)
    if template is None:
        template = _cut(name, fields, context)
        if not current_app.jinja_env.auto_reload and len(kept) < 256:
            kept[key] = template
    return template


def _cut(name: str, fields: Sequence[str], context: dict[str, Any]) -> RowTemplate:
    html = current_app.jinja_env.get_template(name).render(line=MARKERS, **context)
    pieces = html.split(MARK)
    try:
        positions = tuple(fields.index(field) for field in pieces[1::2])
    except ValueError:
        raise TypeError(f"{name} prints a field that is not one of {', '.join(fields)}") from None
    return RowTemplate(literals=tuple(pieces[0::2]), fields=positions)


def escape_value(value: Any) -> str:
    """``markupsafe.escape(value)`` as a plain string: the same five characters replaced the same
    way (and HTML objects kept as they are), without building a ``Markup`` for each value, which
    was most of the cost of a row."""
    if type(value) is not str:
        if hasattr(value, "__html__"):
            return str(value.__html__())
        value = str(value)
    return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def fill(template: RowTemplate, rows: Iterable[Sequence[Any]]) -> Markup:
    """Every row through the template, each value escaped (the template's HTML was escaped when
    it was rendered)."""
    first, rest = template.literals[0], tuple(zip(template.fields, template.literals[1:], strict=True))
    out: list[str] = []
    for row in rows:
        out.append(first)
        for position, literal in rest:
            out.append(escape_value(row[position]))
            out.append(literal)
    # Literal HTML from an autoescaped template and values escaped just above.
    return Markup("".join(out))  # noqa: S704
