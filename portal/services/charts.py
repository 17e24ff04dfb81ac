"""Bar charts drawn on the server as SVG: no chart library, no script, no inline style.

Colours and fonts are SVG presentation attributes (``fill=``), which the strict CSP allows. The
chart is an image with a title and a description; the page shows the same numbers in a table.
Labels are wrapped here because SVG text does not wrap: Latin and Vietnamese at spaces, Khmer at
spaces and zero-width spaces, and a Khmer word too long for a line between its clusters.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 360
FONT_SIZE = 16
BAR_HEIGHT = 24
GAP = 14
VALUE_ROOM = 64
INK = "#1b1f23"
BAR = "#7a1f1f"
TRACK = "#f4f1ea"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    lang: str | None = None  # the label's language when it differs from the page's


def _is_khmer(char: str) -> bool:
    return "\u1780" <= char <= "\u17ff"


def _units(text: str) -> float:
    """Approximate width in ems: Khmer subscripts and vowel signs above or below take no room."""
    width = 0.0
    after_coeng = False
    for char in text:
        if char == "\u17d2":  # coeng: the next consonant is written below
            after_coeng = True
            continue
        if after_coeng or unicodedata.category(char) == "Mn":
            after_coeng = False
            continue
        width += 0.62 if _is_khmer(char) else (0.3 if char == " " else 0.55)
    return width


def _clusters(word: str) -> list[str]:
    """Split a word before each base character that does not hang off the previous one."""
    parts: list[str] = []
    for i, char in enumerate(word):
        joins = parts and (unicodedata.category(char) in {"Mn", "Mc"} or char == "\u17d2"
                           or word[i - 1] == "\u17d2")
        if joins:
            parts[-1] += char
        else:
            parts.append(char)
    return parts


def wrap(text: str, max_ems: float) -> list[str]:
    """Lines of at most ``max_ems`` (approximately), breaking only where a reader would."""
    words = [w for w in text.replace("\u200b", " ").split(" ") if w]
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if _units(candidate) <= max_ems:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        if _units(word) <= max_ems:
            line = word
            continue
        for piece in _clusters(word):  # only an unbroken Khmer word gets here in practice
            if line and _units(line + piece) > max_ems:
                lines.append(line)
                line = ""
            line += piece
    if line:
        lines.append(line)
    return lines or [""]


def bar_chart(bars: Sequence[Bar], *, chart_id: str, title: str, description: str, locale: str,
              format_value: Callable[[int], str] = str) -> Markup:
    """An accessible horizontal bar chart: ``role="img"``, ``<title>`` and ``<desc>``."""
    line_height = FONT_SIZE * (1.9 if locale == "km" else 1.35)
    max_ems = (WIDTH - 4) / FONT_SIZE
    top = 4.0
    peak = max((bar.value for bar in bars), default=0) or 1
    parts: list[str] = []
    for bar in bars:
        lang_attr = Markup(' lang="{}"').format(bar.lang) if bar.lang and bar.lang != locale else ""
        for line in wrap(bar.label, max_ems):
            top += line_height
            parts.append(Markup('<text x="0" y="{:.1f}" font-size="{}" fill="{}"{}>{}</text>').format(
                top - line_height * 0.28, FONT_SIZE, INK, lang_attr, line))
        top += 4
        length = max(2.0, (WIDTH - VALUE_ROOM) * bar.value / peak)
        parts.append(Markup('<rect x="0" y="{:.1f}" width="{:.1f}" height="{}" fill="{}"/>').format(
            top, WIDTH - VALUE_ROOM, BAR_HEIGHT, TRACK))
        parts.append(Markup('<rect x="0" y="{:.1f}" width="{:.1f}" height="{}" fill="{}"/>').format(
            top, length, BAR_HEIGHT, BAR))
        parts.append(Markup('<text x="{:.1f}" y="{:.1f}" font-size="{}" font-weight="700" fill="{}">{}</text>')
                     .format(length + 6, top + BAR_HEIGHT * 0.75, FONT_SIZE, INK, format_value(bar.value)))
        top += BAR_HEIGHT + GAP
    height = top + 4
    return Markup(
        '<svg class="chart" role="img" aria-labelledby="{0}-title {0}-desc" viewBox="0 0 {1} {2:.0f}" '
        'width="{1}" height="{2:.0f}" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{0}-title">{3}</title><desc id="{0}-desc">{4}</desc>{5}</svg>'
    ).format(chart_id, WIDTH, height, title, description, Markup("").join(parts))


def describe(bars: Sequence[Bar], format_value: Callable[[int], str] = str) -> str:
    """The chart's numbers as one sentence for ``<desc>``: "label: value; label: value"."""
    return "; ".join(f"{bar.label}: {format_value(bar.value)}" for bar in bars)

