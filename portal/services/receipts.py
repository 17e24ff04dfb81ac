"""Receipt codes: what a tipster keeps to follow up a report.

A code is 15 random characters and one check character from an alphabet without 0/O, 1/I/L
(74 bits of entropy), shown as four groups of four: ``K7QM-4XRT-9HPA-3ZWN``. It is easy to read
aloud and to type on a phone. Only an HMAC-SHA256 of the code, keyed with ``RECEIPT_KEY``, is
stored; the plain code exists only in the response that shows it once.

The check character (a weighted sum modulo 31) catches every single mistyped character and
every swap of two characters, so a typing mistake can be pointed out without looking anything up; that answer
depends only on what was typed, never on which codes exist.
"""

from __future__ import annotations

import hmac
import secrets
import unicodedata
from hashlib import sha256

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RANDOM_LENGTH = 15
CODE_LENGTH = RANDOM_LENGTH + 1
GROUP = 4
# What people put between groups, or around the code when they copy it.
SEPARATORS = dict.fromkeys(map(ord, " -‐‑‒–—―_.·/\t\n\r\u00a0\u200b\u200c\u200d\u2060\ufeff"))


class MalformedReceipt(ValueError):
    """What was typed cannot be a receipt code (``reason``: empty, length, characters, checksum)."""

    def __init__(self, reason: str, characters: str = "") -> None:
        super().__init__(reason)
        self.reason = reason
        self.characters = characters


def _weighted_sum(code: str) -> int:
    return sum(weight * ALPHABET.index(char) for weight, char in enumerate(code, start=1))


def _check_character(payload: str) -> str:
    """The character that makes ``sum(position × value)`` of the whole code divisible by 31.

    31 is prime and the weights 1–16 are distinct, so changing any one character, or swapping
    any two different ones, changes the sum modulo 31 (the ISBN-10 idea, with 31 for 11).
    """
    n = len(ALPHABET)
    inverse = pow(len(payload) + 1, -1, n)
    return ALPHABET[(-_weighted_sum(payload) * inverse) % n]


def _checks_out(code: str) -> bool:
    return _weighted_sum(code) % len(ALPHABET) == 0


def format_code(code: str) -> str:
    """``K7QM4XRT9HPA3ZWN`` → ``K7QM-4XRT-9HPA-3ZWN``."""
    return "-".join(code[i:i + GROUP] for i in range(0, len(code), GROUP))


def generate() -> str:
    """A new receipt code, formatted in groups."""
    payload = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return format_code(payload + _check_character(payload))


def normalise(text: str) -> str:
    """The code as stored-for-hashing: upper case, no separators; raise :class:`MalformedReceipt`."""
    code = unicodedata.normalize("NFKC", text or "").translate(SEPARATORS).upper()
    if not code:
        raise MalformedReceipt("empty")
    wrong = "".join(sorted({char for char in code if char not in ALPHABET}))
    if wrong:
        raise MalformedReceipt("characters", wrong)
    if len(code) != CODE_LENGTH:
        raise MalformedReceipt("length")
    if not _checks_out(code):
        raise MalformedReceipt("checksum")
    return code


def receipt_hash(code: str, key: str | bytes) -> str:
    """HMAC-SHA256 (hex) of a code, keyed with the app's ``RECEIPT_KEY``; normalises first."""
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key_bytes, normalise(code).encode("ascii"), sha256).hexdigest()


def _derived_key(key: str | bytes, purpose: bytes) -> bytes:
    key_bytes = key.encode("utf-8") if isinstance(key, str) else key
    return hmac.new(key_bytes, b"portal.receipts." + purpose, sha256).digest()


def for_submission(submission_id: str, key: str | bytes) -> str:
    """The receipt code of the form with this (random, one-off) submission id.

    Derived rather than drawn, so that a form sent again — a double tap, or a retry after the
    connection broke before the answer arrived — shows the tipster the same code instead of
    losing it. Only the tipster's page holds the submission id; the database keeps its hash.
    """
    return _code_from_digest(hmac.new(_derived_key(key, b"code"), submission_id.encode("utf-8"), sha256).digest())


def _code_from_digest(digest: bytes) -> str:
    number = int.from_bytes(digest)
    payload = []
    for _ in range(RANDOM_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        payload.append(ALPHABET[index])
    code = "".join(payload)
    return format_code(code + _check_character(code))


def for_printed_form(batch_salt: str, serial: int, key: str | bytes) -> str:
    """The receipt code printed on form ``serial`` of a batch of paper forms.

    Worked out from the batch's random salt and the receipt key, so a batch can be printed again
    (a jammed printer) while the database holds only each code's hash: the salt alone, without the
    key, gives nothing.
    """
    message = f"{batch_salt}:{serial}".encode("ascii")
    return _code_from_digest(hmac.new(_derived_key(key, b"printed"), message, sha256).digest())


def submission_hash(submission_id: str, key: str | bytes) -> str:
    """What the database keeps of a submission id (so it cannot be used to derive the receipt)."""
    return hmac.new(_derived_key(key, b"submission"), submission_id.encode("utf-8"), sha256).hexdigest()
