"""The only place that opens, checks and re-encodes images.

A photo is judged by its bytes, never by its name or declared type. Pillow opens only JPEG,
PNG and WebP, so SVG, HTML, ZIP, HEIC and polyglots are refused. The pixel count is checked
*before* anything is decoded (Pillow's own limit only warns between 1× and 2× its value), then
the image is rotated upright by its EXIF orientation, downscaled and re-encoded from its pixels
alone: no EXIF, GPS, XMP, IPTC, ICC profile or comment survives. GPS coordinates are read
before that, only so a tipster who asks for it can have the photo's location fill the form.

Decoding is what costs memory (a 166 KB PNG of 6,300 × 6,300 pixels once took a worker from
273 to 943 MB), so it is bounded three ways. JPEG is decoded already reduced, by 1/2, 1/4 or 1/8,
to no more than the stored size needs (``Image.draft``). PNG and WebP cannot be reduced while
decoding, so they have a lower pixel limit, checked from the header before anything is
allocated (a WebP decoder allocates its canvas when it is created). And one process decodes
one photo at a time: a tip's photos, and the photos of tips sent together to the same worker's
threads, wait their turn instead of all being decoded at once (see :func:`clean_photo`).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
import warnings
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from PIL import ExifTags, Image, UnidentifiedImageError
from werkzeug.datastructures import FileStorage

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
MAX_PIXELS = 40_000_000          # 40 megapixels: any phone camera, never a bomb
# PNG and WebP are decoded at full size (4 bytes a pixel, and a WebP decoder keeps two canvases of
# its own besides): a 4,096 × 4,096 PNG, or any phone's 12-megapixel photo as WebP, still fits.
MAX_PIXELS_BY_FORMAT = {"PNG": 4096 * 4096, "WEBP": 12_500_000}
DECODES_AT_ONCE = 1              # photos decoded at the same time in one process
MAX_SIDE = 2048                  # stored photos are at most 2,048 px on their longer side
JPEG_QUALITY = 85
READ_CHUNK = 64 * 1024

# Recognised by their first bytes only so the refusal can say "this kind of photo" rather
# than "not a photo"; none of them is ever decoded.
OTHER_IMAGE_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (4, b"ftypheic", "HEIC"), (4, b"ftypheix", "HEIC"), (4, b"ftypmif1", "HEIF"),
    (4, b"ftypmsf1", "HEIF"), (4, b"ftyphevc", "HEIC"), (4, b"ftypavif", "AVIF"),
    (0, b"GIF87a", "GIF"), (0, b"GIF89a", "GIF"), (0, b"BM", "BMP"),
    (0, b"II*\x00", "TIFF"), (0, b"MM\x00*", "TIFF"),
)


class PhotoError(ValueError):
    """A photo was refused; ``message`` says why in the visitor's language."""

    message: Any = _l("This file could not be used as a photo.")

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or str(type(self).__name__))


class NotAnImage(PhotoError):
    message = _l("This file is not a photo. Please choose a photo (JPEG, PNG or WebP).")


class UnsupportedFormat(PhotoError):
    message = _l("This kind of picture cannot be used here. Please send it as a JPEG, PNG or WebP photo "
                 "(on most phones, sharing or taking a screenshot of it gives one).")


class PhotoTooLarge(PhotoError):
    message = _l("This photo is too large. Each photo may be up to %(mb)s MB.")


class TooManyPixels(PhotoError):
    message = _l("This picture has too many pixels to be a photo from a camera. Please choose a "
                 "smaller photo.")


class DamagedImage(PhotoError):
    message = _l("This photo is damaged or was not sent completely. Please choose it again.")


@dataclass(frozen=True)
class CleanPhoto:
    """A re-encoded photo ready to store, and the GPS position it carried (if any)."""

    data: bytes
    mime_type: str
    width: int
    height: int
    sha256: str
    latitude: float | None = None
    longitude: float | None = None

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def read_limited(stream: IO[bytes], max_bytes: int) -> bytes:
    """Read at most ``max_bytes`` from an upload; raise :class:`PhotoTooLarge` beyond that."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = stream.read(min(READ_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if total > max_bytes:
            raise PhotoTooLarge(f"more than {max_bytes} bytes")
    return b"".join(chunks)


def _sniff_other_format(data: bytes) -> str | None:
    for offset, signature, name in OTHER_IMAGE_SIGNATURES:
        if data[offset:offset + len(signature)] == signature:
            return name
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    """The canvas size a WebP file declares (VP8, VP8L or VP8X header), read without Pillow."""
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30 and data[23:26] == b"\x9d\x01\x2a":
        return (int.from_bytes(data[26:28], "little") & 0x3FFF, int.from_bytes(data[28:30], "little") & 0x3FFF)
    if chunk == b"VP8L" and len(data) >= 25 and data[20] == 0x2F:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        return int.from_bytes(data[24:27], "little") + 1, int.from_bytes(data[27:30], "little") + 1
    return None


def _check_webp_header(data: bytes, max_pixels: int) -> None:
    """Pillow's WebP decoder allocates its canvases when the file is opened: check first."""
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        return
    size = _webp_size(data)
    if size is None:
        raise DamagedImage("WebP header without a size")
    width, height = size
    if width * height > min(max_pixels, MAX_PIXELS_BY_FORMAT["WEBP"]):
        raise TooManyPixels(f"WebP {width}×{height}")


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open (not decode) the image and check its size before any pixel is read."""
    if not data:
        raise NotAnImage("empty file")
    _check_webp_header(data, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(BytesIO(data), formats=list(ALLOWED_FORMATS))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise TooManyPixels(str(exc)) from exc
    except UnidentifiedImageError as exc:
        other = _sniff_other_format(data)
        if other:
            raise UnsupportedFormat(other) from exc
        raise NotAnImage("not JPEG, PNG or WebP") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise DamagedImage(str(exc)) from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        raise DamagedImage("empty image")
    limit = min(max_pixels, MAX_PIXELS_BY_FORMAT.get(str(image.format), max_pixels))
    if width * height > limit:
        image.close()
        raise TooManyPixels(f"{image.format} {width}×{height}")
    return image


def _rational(value: Any) -> float:
    return float(value)


def _gps_coordinate(parts: Any, ref: Any, negative: str) -> float | None:
    if not parts or len(parts) != 3:
        return None
    degrees, minutes, seconds = (_rational(p) for p in parts)
    value = degrees + minutes / 60 + seconds / 3600
    if not math.isfinite(value):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    if str(ref or "").strip().upper().startswith(negative):
        value = -value
    return value


def read_gps(image: Image.Image) -> tuple[float, float] | None:
    """The photo's GPS position in decimal degrees, or ``None`` (also when the data is odd)."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        if not gps:
            return None
        latitude = _gps_coordinate(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
        longitude = _gps_coordinate(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef),
                                    "W")
    except Exception:  # noqa: BLE001  (odd EXIF must never refuse a photo; it just has no location)
        return None
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    if latitude == 0 and longitude == 0:
        return None
    return round(latitude, 6), round(longitude, 6)


def _has_transparency(image: Image.Image) -> bool:
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return True
    return "transparency" in image.info


def _to_storable_mode(image: Image.Image) -> tuple[Image.Image, bool]:
    """RGB, L or RGBA (the image itself when it already is one); and whether it needs its alpha."""
    if _has_transparency(image):
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")
        alpha_min, _alpha_max = rgba.getchannel("A").getextrema()
        if alpha_min == 255:
            return rgba.convert("RGB"), False
        return rgba, True
    if image.mode.startswith("I"):
        # 16-bit greyscale: scale down to 8 bits rather than clipping everything to white.
        return image.convert("I").point(lambda value: value * (1 / 256)).convert("L"), False
    if image.mode in ("L", "RGB"):
        return image, False
    if image.mode == "1":
        return image.convert("L"), False
    return image.convert("RGB"), False


def stored_size(width: int, height: int, max_side: int = MAX_SIDE) -> tuple[int, int]:
    """The size a photo is stored at: at most ``max_side`` on its longer side, never enlarged."""
    longer = max(width, height)
    if longer <= max_side:
        return width, height
    return max(1, round(width * max_side / longer)), max(1, round(height * max_side / longer))


def jpeg_scale(width: int, height: int, size: tuple[int, int]) -> int:
    """The largest JPEG decoding scale (1/8, 1/4, 1/2 or 1) that still gives at least ``size``.

    The decoder's output is rounded up (libjpeg's ``jdiv_round_up``), so 4,095 pixels halve to 2,048.
    """
    for scale in (8, 4, 2):
        if -(-width // scale) >= size[0] and -(-height // scale) >= size[1]:
            return scale
    return 1


def _decode_reduced(image: Image.Image, size: tuple[int, int]) -> None:
    """Make the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding: never below ``size``."""
    scale = jpeg_scale(image.width, image.height, size)
    if scale > 1:
        # Pillow picks the largest scale s with width // request >= s (and the same for height).
        image.draft(image.mode, (max(1, image.width // scale), max(1, image.height // scale)))


_UPRIGHT = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
            5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
            8: Image.Transpose.ROTATE_90}


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except Exception:  # noqa: BLE001  (odd EXIF must never refuse a photo; it is stored as it is)
        return 1


# The process's photo decoder: one thread (per process, made again after a fork) that every
# request thread hands its photos to, so that photos are decoded one at a time, and always by the
# same thread. Decoded in the request threads, one at a time, a worker still grew by a full
# decode for each of its threads: each thread's memory allocator (glibc gives every thread an
# arena of its own) kept what that thread had freed for itself.
_decoder_lock = threading.Lock()
_decoder: tuple[int, ThreadPoolExecutor] | None = None


def _decoder_thread() -> ThreadPoolExecutor:
    global _decoder
    with _decoder_lock:
        if _decoder is None or _decoder[0] != os.getpid():
            _decoder = (os.getpid(), ThreadPoolExecutor(max_workers=DECODES_AT_ONCE,
                                                        thread_name_prefix="photo-decoder"))
        return _decoder[1]


def clean_photo(data: bytes, *, max_pixels: int = MAX_PIXELS, max_side: int = MAX_SIDE) -> CleanPhoto:
    """Check, rotate, downscale and re-encode a photo; raise a :class:`PhotoError` subclass.

    The work is done by this process's photo decoder: this waits for the photos handed to it
    before (by this request or by others) to be done first."""
    return _decoder_thread().submit(_clean, data, max_pixels, max_side).result()


def _replace(old: Image.Image, new: Image.Image) -> Image.Image:
    """``new``, once ``old``'s pixels are freed."""
    old.close()
    return new


def _clean(data: bytes, max_pixels: int, max_side: int) -> CleanPhoto:
    image = _open(data, max_pixels)
    gps = read_gps(image)
    orientation = _orientation(image)
    size = stored_size(*image.size, max_side)
    try:
        if image.format == "JPEG" or image.format == "MPO":
            _decode_reduced(image, size)
        image.load()
        # Full size at most once more (for modes that cannot be resampled as they are), then small,
        # then upright; each image is closed (its pixels freed) as soon as the next one is made.
        converted, alpha = _to_storable_mode(image)
        if converted.size != size:
            converted = _replace(converted, converted.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0))
        if orientation in _UPRIGHT:
            converted = _replace(converted, converted.transpose(_UPRIGHT[orientation]))
        # A new image from the pixels alone: nothing of the original's metadata comes along.
        pixels = _replace(converted, Image.frombytes(converted.mode, converted.size, converted.tobytes()))
        image.close()
        output = BytesIO()
        if alpha:
            pixels.save(output, "PNG", compress_level=6)
            mime_type = "image/png"
        else:
            pixels.save(output, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
            mime_type = "image/jpeg"
    except PhotoError:
        raise
    except (OSError, ValueError, SyntaxError, EOFError, IndexError, KeyError, TypeError,
            ZeroDivisionError, MemoryError, Image.DecompressionBombError) as exc:
        raise DamagedImage(str(exc)) from exc
    finally:
        image.close()
    stored = output.getvalue()
    return CleanPhoto(
        data=stored, mime_type=mime_type, width=pixels.width, height=pixels.height,
        sha256=hashlib.sha256(stored).hexdigest(),
        latitude=gps[0] if gps else None, longitude=gps[1] if gps else None,
    )


def process_upload(stream: IO[bytes], *, max_bytes: int, max_pixels: int = MAX_PIXELS,
                   max_side: int = MAX_SIDE) -> CleanPhoto:
    """Read an uploaded file with a size cap and clean it."""
    return clean_photo(read_limited(stream, max_bytes), max_pixels=max_pixels, max_side=max_side)


# -- photos chosen in a form (the tip form, the follow-up form, staff-entered tips) ---------------

def chosen_files(files: Sequence[Any] | None) -> list[FileStorage]:
    return [f for f in (files or []) if isinstance(f, FileStorage) and f.filename]


def _display_name(storage: FileStorage) -> str:
    name = (storage.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    return name if len(name) <= 60 else name[:57] + "…"


def process_photos(files: Sequence[FileStorage], max_mb: int) -> tuple[list[CleanPhoto], list[str]]:
    """Clean every chosen photo; return the cleaned ones and one message per refused photo."""
    cleaned: list[CleanPhoto] = []
    problems: list[str] = []
    for storage in files:
        try:
            cleaned.append(process_upload(storage.stream, max_bytes=max_mb * 1024 * 1024))
        except PhotoError as exc:
            reason = exc.message % {"mb": max_mb} if isinstance(exc, PhotoTooLarge) else exc.message
            problems.append(_("Photo “%(name)s” was not accepted: %(reason)s", name=_display_name(storage),
                              reason=reason))
    return cleaned, problems


def too_many_photos(files: Sequence[FileStorage], limit: int) -> str | None:
    if len(files) > limit:
        return _("You can send up to %(count)s photos. Please choose fewer.", count=limit)
    return None


def photo_count_ok(field: Any, files: Sequence[FileStorage], limit: int) -> bool:
    """After a form is validated: put "too many photos" beside its photo field; False if so."""
    problem = too_many_photos(files, limit)
    if problem:
        field.errors = [*field.errors, problem]
    return problem is None
