"""Việt Nam's places, for families: today's provinces and communes (``vietnam-provinces``, the
2025 structure of 34 provinces and 3,321 communes, from the General Statistics Office), the
provinces that were merged into each of them, and old district-era addresses read into today's
commune (``vietnam-address-converter``). The only module that reads either library.

A death notice (giấy báo tử) written in 1978 names a hometown in the provinces of its day: "Nghệ
Tĩnh", "Hà Nam Ninh". :data:`FORMER_PROVINCES` lists, for each of today's provinces, the names under
which its land was known, so that matching can read a tipster's "quê Nam Định" as today's Ninh Bình.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vietnam_provinces import Province, Ward

from portal.i18n import fold

# What a province's or commune's name starts with, in the data and in what people type.
_UNIT_WORDS = re.compile(r"^(?:thanh pho|tinh|tp|xa|phuong|thi tran|dac khu|huyen|quan|thi xa)\s+")

# Provinces of 1976–1991 and before, by the names of today's provinces their land now lies in.
# From the National Assembly's resolution of 27 December 1975 on merging provinces (Cao Lạng, Hà
# Tuyên, Hà Sơn Bình, Hà Nam Ninh, Nghệ Tĩnh, Hoàng Liên Sơn) and the 1976 mergers in the centre and
# south, split again between 1989 and 2004. Used only to propose matches (staff decide), never shown
# as fact.
_HISTORICAL = {
    "Cao Lạng": ("Cao Bằng", "Lạng Sơn"),
    "Hà Tuyên": ("Tuyên Quang",),
    "Hà Sơn Bình": ("Hà Nội", "Phú Thọ"),
    "Hà Tây": ("Hà Nội",),
    "Nam Hà": ("Ninh Bình",),
    "Hà Nam Ninh": ("Ninh Bình",),
    "Nghệ Tĩnh": ("Nghệ An", "Hà Tĩnh"),
    "Hoàng Liên Sơn": ("Lào Cai",),
    "Nghĩa Lộ": ("Lào Cai", "Sơn La"),
    "Bắc Thái": ("Thái Nguyên",),
    "Hà Bắc": ("Bắc Ninh",),
    "Hải Hưng": ("Hải Phòng", "Hưng Yên"),
    "Vĩnh Phú": ("Phú Thọ",),
    "Bình Trị Thiên": ("Quảng Trị", "Huế"),
    "Nghĩa Bình": ("Quảng Ngãi", "Gia Lai"),
    "Phú Khánh": ("Đắk Lắk", "Khánh Hòa"),
    "Thuận Hải": ("Khánh Hòa", "Lâm Đồng"),
    "Quảng Nam Đà Nẵng": ("Đà Nẵng",),
    "Gia Lai Kon Tum": ("Gia Lai", "Quảng Ngãi"),
    "Sông Bé": ("Hồ Chí Minh", "Đồng Nai"),
    "Hậu Giang": ("Cần Thơ",),
    "Cửu Long": ("Vĩnh Long",),
    "Minh Hải": ("Cà Mau",),
}
# Today's province of each of the 63 provinces before 1 July 2025 (Resolution 202/2025/QH15), read
# from vietnam-address-converter's mapping of old to new units (the provinces that kept their name
# are left out).
_MERGED_2025 = {
    "Bà Rịa Vũng Tàu": "Hồ Chí Minh", "Bình Dương": "Hồ Chí Minh", "Bình Phước": "Đồng Nai",
    "Bình Thuận": "Lâm Đồng", "Bình Định": "Gia Lai", "Bạc Liêu": "Cà Mau", "Bắc Giang": "Bắc Ninh",
    "Bắc Kạn": "Thái Nguyên", "Bến Tre": "Vĩnh Long", "Hà Giang": "Tuyên Quang", "Hà Nam": "Ninh Bình",
    "Hòa Bình": "Phú Thọ", "Hải Dương": "Hải Phòng", "Hậu Giang": "Cần Thơ", "Kiên Giang": "An Giang",
    "Kon Tum": "Quảng Ngãi", "Long An": "Tây Ninh", "Nam Định": "Ninh Bình", "Ninh Thuận": "Khánh Hòa",
    "Phú Yên": "Đắk Lắk", "Quảng Bình": "Quảng Trị", "Quảng Nam": "Đà Nẵng", "Sóc Trăng": "Cần Thơ",
    "Thái Bình": "Hưng Yên", "Tiền Giang": "Đồng Tháp", "Trà Vinh": "Vĩnh Long", "Vĩnh Phúc": "Phú Thọ",
    "Yên Bái": "Lào Cai", "Đắk Nông": "Lâm Đồng",
}


def bare_name(name: str) -> str:
    """A unit's name folded, without "tỉnh", "thành phố", "xã", "phường"…: ``Tỉnh Nghệ An`` → ``nghe an``."""
    folded = fold(name)
    while True:
        shorter = _UNIT_WORDS.sub("", folded)
        if shorter == folded:
            return folded
        folded = shorter


@dataclass(frozen=True)
class VnPlace:
    code: str  # two digits for a province, five for a commune
    name: str  # as the General Statistics Office writes it: "Nghệ An", "Xã Quỳnh Anh"
    province_code: str


@lru_cache(maxsize=1)
def provinces() -> tuple[VnPlace, ...]:
    """Today's 34 provinces, in alphabetical order of their names."""
    places = [VnPlace(f"{int(p.code):02d}", _short_province_name(p.name), f"{int(p.code):02d}")
              for p in Province.iter_all()]
    return tuple(sorted(places, key=lambda place: bare_name(place.name)))


def _short_province_name(name: str) -> str:
    return name.removeprefix("Thành phố ").removeprefix("Tỉnh ")


@lru_cache(maxsize=64)
def communes(province_code: str) -> tuple[VnPlace, ...]:
    """Today's communes and wards of a province, in alphabetical order."""
    places = [VnPlace(f"{int(w.code):05d}", w.name, province_code) for w in Ward.iter_all()
              if f"{int(w.province_code):02d}" == province_code]
    return tuple(sorted(places, key=lambda place: bare_name(place.name)))


def province(code: str | None) -> VnPlace | None:
    return next((p for p in provinces() if p.code == code), None) if code else None


def commune(code: str | None) -> VnPlace | None:
    if not code or not code.isdigit() or len(code) != 5:
        return None
    return _communes_by_code().get(code)


@lru_cache(maxsize=1)
def _communes_by_code() -> dict[str, VnPlace]:
    return {c.code: c for p in provinces() for c in communes(p.code)}


@lru_cache(maxsize=1)
def _province_codes_by_name() -> dict[str, str]:
    return {bare_name(p.name): p.code for p in provinces()}


@lru_cache(maxsize=64)
def former_names(province_code: str) -> tuple[str, ...]:
    """Today's province's own name and every earlier province whose land lies in it, folded bare."""
    today = province(province_code)
    if today is None:
        return ()
    own = bare_name(today.name)
    names = [own, *(bare_name(old) for old, new in _MERGED_2025.items() if bare_name(new) == own),
             *(bare_name(old) for old, news in _HISTORICAL.items() if own in {bare_name(n) for n in news})]
    return tuple(dict.fromkeys(names))


def provinces_named_in(text: str) -> set[str]:
    """Today's provinces whose name, or an earlier province's name, appears in ``text``."""
    folded = f" {fold(text)} "
    found: set[str] = set()
    for code in (p.code for p in provinces()):
        if any(f" {name} " in folded for name in former_names(code)):
            found.add(code)
    return found


@dataclass(frozen=True)
class Converted:
    """An old address read into today's province and commune."""

    province_code: str
    commune_code: str | None
    confidence: float


_converter: Any = None
_converter_lock = threading.Lock()


def _the_converter() -> Any:
    """vietnam-address-converter's converter, built once per process (it takes seconds: it indexes
    every old commune's name)."""
    global _converter
    with _converter_lock:
        if _converter is None:
            from vietnam_address_converter import create_converter

            _converter = create_converter()
        return _converter


def convert_old_address(text: str) -> Converted | None:
    """Today's province and commune of an old address ("xã Quỳnh Đôi, huyện Quỳnh Lưu, Nghệ Tĩnh"),
    or None when the converter cannot place it, or places it only in a province it cannot narrow."""
    if not text or not text.strip():
        return None
    result = _the_converter().auto_convert_address(text)
    converted = (result or {}).get("converted_new") or {}
    province_name = (converted.get("province") or {}).get("name")
    code = _province_codes_by_name().get(bare_name(province_name or ""))
    if code is None:
        return None
    conversion = result.get("conversion") or {}
    confidence = float(conversion.get("confidence") or 0)
    ward_name = bare_name((converted.get("ward") or {}).get("name") or "")
    commune_code = next((c.code for c in communes(code) if bare_name(c.name) == ward_name), None) \
        if ward_name and confidence >= 0.9 else None
    return Converted(code, commune_code, confidence)
