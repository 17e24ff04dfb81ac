"""Receipt codes: easy to read aloud and type, hard to guess, stored only as a keyed hash."""

from __future__ import annotations

import hmac
import math
import re
from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.services import receipts

CODE_PATTERN = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){3}$")
KEY = "test-receipt-key-" + "y" * 32


def test_a_code_reads_as_four_groups_of_four_without_confusable_characters():
    for _ in range(200):
        code = receipts.generate()
        assert CODE_PATTERN.match(code), code
        assert not set(code) & set("01OILl")


def test_a_code_carries_at_least_60_random_bits():
    assert receipts.RANDOM_LENGTH * math.log2(len(receipts.ALPHABET)) >= 60
    assert len(set(receipts.ALPHABET)) == len(receipts.ALPHABET) == 31


def test_codes_do_not_repeat():
    codes = {receipts.generate() for _ in range(5000)}
    assert len(codes) == 5000


def test_every_generated_code_checks_out():
    for _ in range(200):
        code = receipts.generate()
        assert receipts.normalise(code) == code.replace("-", "")


@pytest.mark.parametrize("typed", [
    "{code}", "{lower}", "  {code}  ", "{plain}", "{spaced}", "{endash}", "{fullwidth}",
])
def test_the_way_a_code_is_typed_does_not_matter(typed):
    code = receipts.generate()
    plain = code.replace("-", "")
    variants = {
        "code": code, "lower": code.lower(), "plain": plain, "spaced": code.replace("-", " "),
        "endash": code.replace("-", " – "),
        "fullwidth": "".join(chr(ord(c) + 0xFEE0) for c in plain),
    }
    assert receipts.normalise(typed.format(**variants)) == plain


@pytest.mark.parametrize(("typed", "reason"), [
    ("", "empty"),
    ("  - ", "empty"),
    ("K7QM-4XRT-9HPA-3ZW", "length"),
    ("K7QM-4XRT-9HPA-3ZWNN", "length"),
    ("K7QM-4XRT-9HPA-3ZW0", "characters"),
    ("K7QO-4XRT-9HPA-3ZWN", "characters"),
    ("I7QM-4XRT-9HPA-3ZWN", "characters"),
    ("L7QM-4XRT-9HPA-3ZW1", "characters"),
    ("ក7QM-4XRT-9HPA-3ZWN", "characters"),
])
def test_malformed_codes_are_refused_with_a_reason(typed, reason):
    with pytest.raises(receipts.MalformedReceipt) as caught:
        receipts.normalise(typed)
    assert caught.value.reason == reason


def test_the_refusal_names_the_characters_that_never_occur():
    with pytest.raises(receipts.MalformedReceipt) as caught:
        receipts.normalise("K7QO-4XRT-9HPA-3ZW0")
    assert caught.value.characters == "0O"


def test_every_single_mistyped_character_is_noticed():
    code = receipts.generate().replace("-", "")
    for position in range(len(code)):
        for replacement in receipts.ALPHABET:
            if replacement == code[position]:
                continue
            typo = code[:position] + replacement + code[position + 1:]
            with pytest.raises(receipts.MalformedReceipt) as caught:
                receipts.normalise(typo)
            assert caught.value.reason == "checksum"


def test_every_swap_of_two_characters_is_noticed():
    code = receipts.generate().replace("-", "")
    for i in range(len(code)):
        for j in range(i + 1, len(code)):
            if code[i] == code[j]:
                continue
            swapped = code[:i] + code[j] + code[i + 1:j] + code[i] + code[j + 1:]
            with pytest.raises(receipts.MalformedReceipt) as caught:
                receipts.normalise(swapped)
            assert caught.value.reason == "checksum"


def test_the_hash_is_an_hmac_of_the_normalised_code_under_the_receipt_key():
    code = receipts.generate()
    expected = hmac.new(KEY.encode(), code.replace("-", "").encode(), sha256).hexdigest()
    assert receipts.receipt_hash(code, KEY) == expected
    assert receipts.receipt_hash(code.lower().replace("-", " "), KEY) == expected
    assert re.fullmatch(r"[0-9a-f]{64}", expected)
    assert code.replace("-", "") not in expected.upper()


def test_another_key_gives_another_hash():
    code = receipts.generate()
    assert receipts.receipt_hash(code, KEY) != receipts.receipt_hash(code, KEY + "other")
    assert receipts.receipt_hash(code, KEY.encode()) == receipts.receipt_hash(code, KEY)


def test_hashing_a_malformed_code_refuses_it():
    with pytest.raises(receipts.MalformedReceipt):
        receipts.receipt_hash("not a code", KEY)


@settings(max_examples=max(200, settings().max_examples))
@given(st.text(max_size=40))
def test_any_typed_text_is_either_a_code_or_a_clear_refusal(text):
    reason = None
    try:
        normalised = receipts.normalise(text)
    except receipts.MalformedReceipt as exc:
        reason = exc.reason
    if reason is None:
        assert len(normalised) == receipts.CODE_LENGTH
        assert set(normalised) <= set(receipts.ALPHABET)
    else:
        assert reason in {"empty", "length", "characters", "checksum"}
