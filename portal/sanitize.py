"""Text that arrives from outside: normalised here, and the only bleach configuration.

Tipster text is never marked safe: templates escape it and ``nl2br`` keeps line breaks.
Only staff-written rich text goes through :func:`clean_rich_text`.
"""

from __future__ import annotations

import re
import unicodedata

import bleach
from flask import Flask
from markupsafe import Markup, escape

RICH_TEXT_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "h2", "h3", "blockquote"})
RICH_TEXT_ATTRIBUTES = {"a": ["href", "title", "lang"], "p": ["lang"]}
RICH_TEXT_PROTOCOLS = frozenset({"http", "https", "mailto"})
# Bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): they make "\u202eexe.live"
# print as "evil.exe" on a field sheet. No tip needs them; Khmer and Vietnamese run left to right.
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
# Line breaks and the invisible characters Khmer and Vietnamese text carries, all kept by clean_text
# (word breaks and joiners, no-break and thin spaces, the soft hyphen, a byte-order mark).
KEPT_INVISIBLE = re.compile("[\n\u00a0\u00ad\u2009\u200a\u200b\u200c\u200d\u202f\u2060\u3000\ufeff]")


def clean_text(value: object) -> object:
    """NFC-normalise a submitted string and drop control characters (newlines kept) and bidi controls.

    Used as a filter on every text field of every form (see ``portal.forms.PortalForm``);
    values that are not strings (files, numbers) pass through untouched.
    """
    if not isinstance(value, str):
        return value
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    if KEPT_INVISIBLE.sub("", text).isprintable():
        # Nothing of categories C or Z but the space and the kept ones: nothing below would drop
        # (most text; checked in C instead of one character at a time in Python).
        return text.strip()
    kept = (
        char for char in text
        if char == "\n" or (unicodedata.category(char) not in {"Cc", "Cs", "Co", "Cn"} and char not in BIDI_CONTROLS)
    )
    return "".join(kept).strip()


# Elements whose content is code, not text: removed whole, not just their tags.
CODE_ELEMENTS = re.compile(r"<(script|style|template|iframe|object|noscript)\b.*?(</\1\s*>|$)", re.I | re.S)


def clean_rich_text(html: str) -> str:
    """Staff-written HTML (news, monument history) reduced to a small safe subset."""
    html = CODE_ELEMENTS.sub("", html)
    return bleach.clean(html, tags=RICH_TEXT_TAGS, attributes=RICH_TEXT_ATTRIBUTES,
                        protocols=RICH_TEXT_PROTOCOLS, strip=True)


def nl2br(text: str | None) -> Markup:
    """Escape first, then turn newlines into ``<br>``: safe for tipster text."""
    if not text:
        return Markup("")
    return Markup("<br>\n").join(escape(line) for line in text.split("\n"))


def init_app(app: Flask) -> None:
    app.jinja_env.filters["nl2br"] = nl2br
