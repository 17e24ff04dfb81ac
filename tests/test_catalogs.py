"""The catalogs are complete and honest: every string a person reads is translated in vi and km."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "translations"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{\w*\}")
KHMER = re.compile(r"[\u1780-\u17ff]")
# Names, codes and symbols that read the same in every language.
SAME_IN_EVERY_LANGUAGE = {
    "Tiếng Việt", "English", "ខ្មែរ", "Zalo", "Telegram", "Facebook", "OpenStreetMap", "Google Maps",
    "GPX", "CSV", "GeoJSON", "TOTP", "QR", "Email", "E-mail", "OK", "K92", "Atom", "Zalo / Telegram / Facebook",
}


def _catalog(lang: str):
    with open(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=lang)


def _extracted_ids() -> set[str]:
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.xml", "jinja2")]
    ids: set[str] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map=method_map, keywords=KEYWORDS,
        options_map={"templates/**.html": {}, "templates/**.xml": {}},
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def _entries(lang: str):
    return [m for m in _catalog(lang) if m.id]


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_no_untranslated_fuzzy_or_obsolete_entries(lang):
    catalog = _catalog(lang)
    untranslated = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str)
                                                           else all(m.string))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []
    assert list(catalog.obsolete) == []


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_every_string_in_the_code_is_in_the_catalog(lang):
    in_catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in _entries(lang)}
    missing = sorted(_extracted_ids() - in_catalog)
    assert missing == [], "run pybabel extract/update (README, Translations)"


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_placeholders_match(lang):
    wrong = []
    for message in _entries(lang):
        source = message.id if isinstance(message.id, str) else message.id[0]
        target = message.string if isinstance(message.string, str) else message.string[0]
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(target)):
            wrong.append((source, target))
    assert wrong == []


def _has_words(text: str) -> bool:
    """Whether a string has words to translate once its placeholders are taken out."""
    return bool(re.search(r"[^\W\d_]{2,}", PLACEHOLDER.sub("", text).replace("UTC", "")))


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_no_entry_is_left_in_english(lang):
    same = [m.id for m in _entries(lang)
            if m.string == m.id and m.id not in SAME_IN_EVERY_LANGUAGE and _has_words(m.id)]
    assert same == []


def test_every_khmer_entry_is_written_in_khmer_script():
    latin_only = [m.id for m in _entries("km")
                  if isinstance(m.string, str) and not KHMER.search(m.string)
                  and m.id not in SAME_IN_EVERY_LANGUAGE and _has_words(m.id)]
    assert latin_only == []


JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
TAG = re.compile(r"<[^>]+>", re.S)
ENTITY = re.compile(r"&[#\w]+;")


@pytest.mark.parametrize("template", sorted(p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html")),
                         ids=str)
def test_templates_have_no_text_outside_gettext(template):
    """Text typed straight into a template is invisible to extraction, so it would never be translated."""
    source = (ROOT / template).read_text(encoding="utf-8")
    source = re.sub(r"<(script|style)\b.*?</\1>", "", source, flags=re.S)
    text = ENTITY.sub(" ", TAG.sub(" ", JINJA.sub(" ", source)))
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if not w.isupper() or len(w) > 3]
    assert words == []
