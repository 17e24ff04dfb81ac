"""Photos are judged by their bytes, stored upright, small, and without any hidden metadata."""

from __future__ import annotations

import struct
import zlib
from io import BytesIO

import pytest
from PIL import ExifTags, Image, ImageCms, TiffImagePlugin

from portal import uploads

RED, BLUE = (220, 20, 20), (20, 20, 220)
GPS_LATITUDE, GPS_LONGITUDE = 11.0 + 33 / 60 + 23.4 / 3600, 104.0 + 55 / 60 + 41 / 3600
SECRET_OWNER = b"Camera owner Sokha Chan"


# -- image factories (also used by the form and follow-up tests) ---------------------------------

def _gps_ifd(latitude: float, longitude: float) -> dict[int, object]:
    def dms(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        seconds = round(((value - degrees) * 60 - minutes) * 60 * 100)
        return (TiffImagePlugin.IFDRational(degrees), TiffImagePlugin.IFDRational(minutes),
                TiffImagePlugin.IFDRational(seconds, 100))
    return {1: "N" if latitude >= 0 else "S", 2: dms(abs(latitude)),
            3: "E" if longitude >= 0 else "W", 4: dms(abs(longitude))}


def _iptc_segment() -> bytes:
    payload = b"Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x0c\x1c\x02\x50\x00\x07" + b"Sokha C"
    return b"\xff\xed" + struct.pack(">H", len(payload) + 2) + payload


def jpeg_with_metadata(width: int = 60, height: int = 40, *, latitude: float = GPS_LATITUDE,
                       longitude: float = GPS_LONGITUDE, orientation: int = 6) -> bytes:
    """Left half red, right half blue; EXIF orientation and GPS, XMP, ICC, IPTC and a comment."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (width // 2, 0, width, height))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Artist] = SECRET_OWNER.decode()
    exif[ExifTags.IFD.GPSInfo] = _gps_ifd(latitude, longitude)
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    output = BytesIO()
    image.save(output, "JPEG", quality=95, exif=exif, icc_profile=icc, comment=SECRET_OWNER,
               xmp=b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>' + SECRET_OWNER + b"</rdf:RDF></x:xmpmeta>")
    data = output.getvalue()
    return data[:2] + _iptc_segment() + data[2:]


def plain_jpeg(width: int = 64, height: int = 48, color: tuple[int, int, int] = (120, 140, 90)) -> bytes:
    output = BytesIO()
    Image.new("RGB", (width, height), color).save(output, "JPEG")
    return output.getvalue()


def png_bytes(mode: str = "RGBA", size: tuple[int, int] = (50, 30), **save: object) -> bytes:
    image = Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else 0)
    output = BytesIO()
    image.save(output, "PNG", **save)
    return output.getvalue()


def png_claiming_size(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width × height`` pixels: a decompression bomb, cheaply."""
    output = BytesIO()
    Image.new("1", (1, 1)).save(output, "PNG")
    data = bytearray(output.getvalue())
    data[16:20] = width.to_bytes(4, "big")
    data[20:24] = height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


def jpeg_markers(data: bytes) -> list[int]:
    """The segment markers of a JPEG up to the image data (APPn, COM, DQT, SOF, DHT, SOS)."""
    assert data[:2] == b"\xff\xd8", "not a JPEG"
    markers, position = [], 2
    while position < len(data):
        assert data[position] == 0xFF
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: compressed data follows
            break
        length = int.from_bytes(data[position + 2:position + 4], "big")
        position += 2 + length
    return markers


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks, position = [], 8
    while position < len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        chunks.append(data[position + 4:position + 8])
        position += 12 + length
    return chunks


APP1, APP2, APP13, COMMENT = 0xE1, 0xE2, 0xED, 0xFE


# -- JPEG: upright, no metadata, GPS read first ------------------------------------------------

def test_the_factory_photo_really_carries_every_kind_of_metadata():
    markers = jpeg_markers(jpeg_with_metadata())
    assert {APP1, APP2, APP13, COMMENT} <= set(markers)


def test_a_jpeg_is_stored_upright_and_without_exif_xmp_icc_iptc_or_comment():
    photo = uploads.clean_photo(jpeg_with_metadata(60, 40, orientation=6))

    assert photo.mime_type == "image/jpeg"
    markers = jpeg_markers(photo.data)
    assert APP1 not in markers
    assert APP2 not in markers
    assert APP13 not in markers
    assert COMMENT not in markers
    assert b"Exif" not in photo.data
    assert b"xmpmeta" not in photo.data
    assert b"8BIM" not in photo.data
    assert SECRET_OWNER not in photo.data
    assert b"Sokha" not in photo.data
    stored = Image.open(BytesIO(photo.data))
    assert stored.size == (40, 60) == (photo.width, photo.height)  # turned upright
    assert not stored.getexif()
    top, bottom = stored.convert("RGB").getpixel((20, 5)), stored.convert("RGB").getpixel((20, 55))
    assert (top[0] > 150, top[2] < 100) == (True, True), f"the red half should be on top, got {top}"
    assert (bottom[2] > 150, bottom[0] < 100) == (True, True), f"the blue half should be at the bottom, got {bottom}"


def test_the_gps_position_is_read_before_it_is_stripped():
    photo = uploads.clean_photo(jpeg_with_metadata())
    assert photo.has_location
    assert photo.latitude == pytest.approx(GPS_LATITUDE, abs=1e-5)
    assert photo.longitude == pytest.approx(GPS_LONGITUDE, abs=1e-5)
    assert b"GPS" not in photo.data


def test_southern_and_western_positions_are_negative():
    photo = uploads.clean_photo(jpeg_with_metadata(latitude=-33.5, longitude=-70.25))
    assert photo.latitude == pytest.approx(-33.5, abs=1e-4)
    assert photo.longitude == pytest.approx(-70.25, abs=1e-4)


def test_a_photo_without_gps_has_no_location():
    assert not uploads.clean_photo(plain_jpeg()).has_location


def test_a_polyglot_jpeg_loses_its_hidden_html():
    data = plain_jpeg()
    comment = b"<script>alert('x')</script>"
    polyglot = data[:2] + b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment + data[2:]
    photo = uploads.clean_photo(polyglot)
    assert b"<script" not in photo.data


def test_large_photos_are_downscaled_to_2048_pixels():
    photo = uploads.clean_photo(plain_jpeg(3000, 1000))
    assert (photo.width, photo.height) == (2048, 683)
    assert Image.open(BytesIO(photo.data)).size == (2048, 683)


def test_the_stored_bytes_are_hashed():
    import hashlib

    photo = uploads.clean_photo(plain_jpeg())
    assert photo.sha256 == hashlib.sha256(photo.data).hexdigest()
    assert photo.size == len(photo.data)


# -- PNG and WebP ------------------------------------------------------------------------------

def test_a_png_with_transparency_stays_a_png_without_text_icc_or_exif():
    exif = Image.Exif()
    exif[ExifTags.Base.Artist] = "Sokha"
    from PIL import PngImagePlugin

    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Sokha Chan")
    text.add_itxt("XML:com.adobe.xmp", "<x:xmpmeta>Sokha</x:xmpmeta>")
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = png_bytes("RGBA", pnginfo=text, exif=exif, icc_profile=icc)
    assert {b"tEXt", b"iTXt", b"iCCP", b"eXIf"} <= set(png_chunks(data))

    photo = uploads.clean_photo(data)

    assert photo.mime_type == "image/png"
    chunks = set(png_chunks(photo.data))
    assert not chunks & {b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"eXIf", b"tIME"}
    assert b"Sokha" not in photo.data
    assert Image.open(BytesIO(photo.data)).mode == "RGBA"


def test_an_opaque_png_is_stored_as_a_compact_jpeg():
    photo = uploads.clean_photo(png_bytes("RGB"))
    assert photo.mime_type == "image/jpeg"


@pytest.mark.parametrize("mode", ["L", "1", "P", "I;16", "LA", "CMYK"])
def test_unusual_colour_modes_are_converted(mode):
    image = Image.new(mode, (30, 20))
    output = BytesIO()
    image.save(output, "JPEG" if mode == "CMYK" else "PNG")
    photo = uploads.clean_photo(output.getvalue())
    assert Image.open(BytesIO(photo.data)).mode in {"RGB", "L", "RGBA"}


def test_a_webp_is_accepted():
    output = BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(output, "WEBP")
    photo = uploads.clean_photo(output.getvalue())
    assert photo.mime_type == "image/jpeg"
    assert (photo.width, photo.height) == (40, 30)


# -- refusals ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "error"), [
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', uploads.NotAnImage),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', uploads.NotAnImage),
    (b"<!doctype html><html><script>alert(1)</script></html>", uploads.NotAnImage),
    (b"PK\x03\x04\x14\x00\x00\x00\x08\x00photo.jpg", uploads.NotAnImage),
    (b"%PDF-1.7\n", uploads.NotAnImage),
    (b"", uploads.NotAnImage),
    (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;<script>alert(1)</script>", uploads.UnsupportedFormat),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", uploads.UnsupportedFormat),
    (b"BM\x00\x00", uploads.UnsupportedFormat),
])
def test_files_that_are_not_jpeg_png_or_webp_are_refused(data, error):
    with pytest.raises(error) as caught:
        uploads.clean_photo(data)
    assert str(caught.value.message)


def test_a_truncated_jpeg_is_refused_as_damaged():
    image = Image.effect_noise((300, 300), 80).convert("RGB")
    output = BytesIO()
    image.save(output, "JPEG", quality=90)
    data = output.getvalue()
    with pytest.raises(uploads.DamagedImage) as caught:
        uploads.clean_photo(data[: len(data) // 2])
    assert "damaged" in str(caught.value.message)


@pytest.mark.parametrize(("width", "height"), [
    (7000, 7000),      # 49 MP: above our limit, below Pillow's (which would say nothing)
    (10000, 10000),    # 100 MP: Pillow would only warn
    (20000, 20000),    # 400 MP: Pillow refuses by itself
    (1, 2**31 - 1),
])
def test_a_decompression_bomb_is_refused_before_decoding(width, height):
    with pytest.raises(uploads.TooManyPixels) as caught:
        uploads.clean_photo(png_claiming_size(width, height))
    assert "pixels" in str(caught.value.message)


def test_the_pixel_limit_is_explicit_and_below_pillows_own():
    assert uploads.MAX_PIXELS < Image.MAX_IMAGE_PIXELS  # type: ignore[operator]


def test_reading_stops_at_the_size_limit():
    stream = BytesIO(b"x" * 2000)
    with pytest.raises(uploads.PhotoTooLarge):
        uploads.read_limited(stream, 1000)
    assert uploads.read_limited(BytesIO(b"x" * 1000), 1000) == b"x" * 1000


def test_process_upload_reads_and_cleans():
    photo = uploads.process_upload(BytesIO(jpeg_with_metadata()), max_bytes=1024 * 1024)
    assert APP1 not in jpeg_markers(photo.data)
    with pytest.raises(uploads.PhotoTooLarge):
        uploads.process_upload(BytesIO(jpeg_with_metadata()), max_bytes=100)


def test_odd_gps_data_never_refuses_a_photo():
    image = Image.new("RGB", (20, 20))
    exif = Image.Exif()
    exif[ExifTags.IFD.GPSInfo] = {1: "N", 2: (TiffImagePlugin.IFDRational(1, 0),) * 3, 3: "E"}
    output = BytesIO()
    image.save(output, "JPEG", exif=exif)
    photo = uploads.clean_photo(output.getvalue())
    assert not photo.has_location
