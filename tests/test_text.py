"""Text in: one cleaning function for every form, one folding function for search."""

from __future__ import annotations

import unicodedata

import pytest

from portal.i18n import fold, localise_digits
from portal.sanitize import clean_text, nl2br


@pytest.mark.parametrize(("raw", "clean"), [
    ("Tu\u031bo\u031b\u0300ng đa\u0300i", "Tường đài"),          # decomposed Vietnamese → NFC
    ("a\x00b\x07c\x1bd", "abcd"),                                   # control characters dropped
    ("line one\r\nline two\rthree", "line one\nline two\nthree"),   # newlines kept, unified
    ("tab\tseparated", "tab separated"),
    ("  padded  ", "padded"),
    ("ផ្នូរ\u200bនៅ", "ផ្នូរ\u200bនៅ"),                             # Khmer and its word breaks untouched
    ("\ufdd0private\ue000use", "privateuse"),                       # noncharacters / private use dropped
    ("\u202eexe.live\u202c", "exe.live"),                           # bidi override: no "evil.exe" spoof
    ("a\u202ab\u202bc\u202dd", "abcd"),                              # bidi embeddings
    ("\u2066x\u2067y\u2068z\u2069", "xyz"),                          # bidi isolates
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean
    assert unicodedata.is_normalized("NFC", clean_text(raw))


def _dropped(char: str) -> bool:
    """The rule, one character at a time: control, surrogate, private-use, unassigned, bidi."""
    return char != "\n" and (unicodedata.category(char) in {"Cc", "Cs", "Co", "Cn"}
                             or 0x202A <= ord(char) <= 0x202E or 0x2066 <= ord(char) <= 0x2069)


def test_clean_text_drops_exactly_what_the_rule_drops_for_every_character_near_text():
    # Every code point of the BMP and a few beyond, between ordinary letters: text that needs no
    # change takes a shortcut, and it must never let through a character the rule drops.
    points = [*range(0, 0x10000, 1), *range(0x1F300, 0x1F700), 0xE0001, 0xF0000, 0x10FFFD]
    for point in points:
        char = chr(point)
        if unicodedata.category(char) == "Cs":
            continue  # a lone surrogate cannot come from a form (it is not UTF-8)
        raw = f"Tường {char} ផ្នូរ"
        expected = unicodedata.normalize("NFC", raw.replace("\r", "\n").replace("\t", " "))
        expected = "".join(c for c in expected if not _dropped(c)).strip()
        assert clean_text(raw) == expected, hex(point)


def test_clean_text_leaves_non_strings_alone():
    assert clean_text(None) is None
    assert clean_text(5) == 5


@pytest.mark.parametrize(("text", "folded"), [
    ("Tượng đài", "tuong dai"),
    ("ĐÀI HỮU NGHỊ Việt Nam–Campuchia", "dai huu nghi viet nam–campuchia"),
    ("Xiêm Riệp", "xiem riep"),
    ("  many   spaces\nand lines ", "many spaces and lines"),
    ("សៀម\u200bរាប", "សៀមរាប"),          # zero-width space removed
    ("សៀម\u2060រាប", "សៀមរាប"),          # word joiner removed
    ("ព្រះវិហារ", "ព្រះវិហារ"),           # Khmer vowel signs and subscripts are kept
])
def test_fold(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize(("text", "folded"), [
    ("Kra-chê", "kra che"),                  # a hyphen joins syllables: read as a space
    ("Bát\u2011tam\u2011băng", "bat tam bang"),  # so does a non-breaking hyphen
    ("Kra.chê,", "kra che"),                 # dots and commas too
    ("O'Reang (Mondulkiri)", "o reang mondulkiri"),
    ("“Nam Vang”", "nam vang"),               # quotes
    ("ភ្នំពេញ។", "ភ្នំពេញ"),                    # the Khmer full stop; the word itself is kept
    ("+855 12", "+855 12"),                  # symbols stay
    ("50%_x", "50%_x"),                      # and % and _, which search takes literally
])
def test_fold_reads_punctuation_as_a_space(text, folded):
    assert fold(text) == folded


def test_fold_matches_a_hyphenated_name_with_the_spaced_one():
    assert fold("Kra-chê") == fold("Kra Chê") == fold("kra che")


@pytest.mark.parametrize(("typed", "code"), [
    ("Kra-chê", "10"), ("kra che", "10"), ("Kra Tiê", "10"),
    ("Nam Vang", "12"), ("nam-vang", "12"), ("Phnôm Pênh", "12"),
    ("Bát-tam-băng", "02"), ("bat tam bang", "02"), ("Xiêm-Riệp", "17"),
])
def test_historical_colloquial_and_hyphenated_province_names_are_found(typed, code):
    from portal import geo

    assert geo.find_province(typed) == code
    assert any(fold(typed) == fold(name) or fold(typed).replace(" ", "") == fold(name).replace(" ", "")
               for name in geo.province_names(code))


def test_fold_makes_typed_without_diacritics_match():
    assert fold("tuong dai") in fold("Tượng đài hữu nghị")


def test_khmer_digits_only_for_khmer():
    assert localise_digits("781 – 2024", "km") == "៧៨១ – ២០២៤"
    assert localise_digits("781", "vi") == "781"


def test_nl2br_escapes_before_breaking_lines():
    assert str(nl2br("<b>a</b>\nb")) == "&lt;b&gt;a&lt;/b&gt;<br>\nb"


def test_locale_dependent_filters_on_constants_follow_each_request(app):
    """Jinja folds a filter on a constant when it compiles a template: a worker that first drew a
    Khmer page must still show Latin digits on Vietnamese and English pages (and the reverse)."""
    client = app.test_client()
    khmer = client.get("/km/tips/new").get_data(as_text=True)
    assert '<span class="step-number">១</span>' in khmer
    for lang in ("vi", "en"):
        html = client.get(f"/{lang}/tips/new").get_data(as_text=True)
        assert '<span class="step-number">1</span>' in html, lang
        home = client.get(f"/{lang}/").get_data(as_text=True)
        assert "781" in home and "៧៨១" not in home, lang
    assert "៧៨១" in client.get("/km/").get_data(as_text=True)


def test_locale_dependent_filters_are_never_folded(app):
    source = "{{ 781 | number }} {{ 1 | digits }} {{ 2024 | number }}"
    with app.test_request_context("/km/"):
        template = app.jinja_env.from_string(source)  # compiled while a Khmer page is drawn
        assert template.render() == "៧៨១ ១ ២,០២៤"
    for path, expected in (("/vi/", "781 1 2.024"), ("/en/", "781 1 2,024")):
        with app.test_request_context(path):
            assert template.render() == expected, path
