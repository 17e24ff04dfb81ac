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
])
def test_clean_text(raw, clean):
    assert clean_text(raw) == clean
    assert unicodedata.is_normalized("NFC", clean_text(raw))


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


def test_fold_makes_typed_without_diacritics_match():
    assert fold("tuong dai") in fold("Tượng đài hữu nghị")


def test_khmer_digits_only_for_khmer():
    assert localise_digits("781 – 2024", "km") == "៧៨១ – ២០២៤"
    assert localise_digits("781", "vi") == "781"


def test_nl2br_escapes_before_breaking_lines():
    assert str(nl2br("<b>a</b>\nb")) == "&lt;b&gt;a&lt;/b&gt;<br>\nb"
