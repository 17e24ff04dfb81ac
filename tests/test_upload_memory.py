"""Decoding photos is bounded in memory (issue #13, item 10).

A 166 KB PNG of 6,300 × 6,300 pixels used to take a gunicorn worker from 273 to 943 MB, and four
such tips at once to 2.9 GB. Now JPEG is decoded already reduced, PNG and WebP have a lower pixel
limit, and one process decodes one photo at a time. The load test sends four tips of five of the
largest photos still accepted, all at once, to one gunicorn worker with four threads (as in
production) and reads the worker's peak resident memory (``VmHWM``) from ``/proc``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image, ImageFile
from sqlalchemy import func, select

from portal import uploads
from portal.db import make_engine
from portal.models.tip import Tip, TipPhoto
from tests.gunicorn_server import Browser, Gunicorn, multipart, server_database
from tests.test_uploads import png_claiming_size
from tests.tip_helpers import send_photo

MB = 1024 * 1024
TIPS_AT_ONCE = 4
PHOTOS_PER_TIP = 5
# Above the worker's memory once it has served a tip, for four tips of five of the largest photos
# at once. Measured on 2026-12-01: one decode at a time, at most about 230 MB over the baseline;
# before, about 1.3 GB (four decodes together, each copying the full-size image several times).
PEAK_BOUND_MB = 450


# -- the largest photos still accepted ---------------------------------------------------------

def _saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    output = BytesIO()
    image.save(output, fmt, **options)
    return output.getvalue()


@functools.cache
def largest_accepted_photos() -> list[tuple[str, bytes, str]]:
    """Five photos at (or next to) each limit, each as costly to decode as that limit allows."""
    webp_side = int(uploads.MAX_PIXELS_BY_FORMAT["WEBP"] ** 0.5)
    png_side = int(uploads.MAX_PIXELS_BY_FORMAT["PNG"] ** 0.5)
    # The largest JPEG the decoder cannot reduce (halving it would go below the stored size) …
    unreduced_jpeg = 2 * uploads.MAX_SIDE - 2
    # … and one at the general limit (40 megapixels, decoded at half size).
    big_jpeg = (7300, int(uploads.MAX_PIXELS / 7300))
    return [
        ("transparent.png", _saved(Image.new("RGBA", (png_side, png_side), (10, 200, 10, 128)), "PNG"), "image/png"),
        ("opaque.png", _saved(Image.new("RGB", (png_side, png_side), (10, 120, 200)), "PNG"), "image/png"),
        ("photo.webp", _saved(Image.new("RGBA", (webp_side, webp_side), (200, 10, 10, 100)), "WEBP", quality=80),
         "image/webp"),
        ("square.jpg", _saved(Image.new("RGB", (unreduced_jpeg, unreduced_jpeg), (90, 90, 30)), "JPEG"), "image/jpeg"),
        ("camera.jpg", _saved(Image.new("RGB", big_jpeg, (30, 90, 90)), "JPEG"), "image/jpeg"),
    ]


def test_the_largest_photos_are_accepted_and_stored_small():
    for name, data, _mime in largest_accepted_photos():
        photo = uploads.clean_photo(data)
        assert max(photo.width, photo.height) <= uploads.MAX_SIDE, name


def test_png_and_webp_have_a_lower_pixel_limit_than_jpeg():
    assert max(uploads.MAX_PIXELS_BY_FORMAT.values()) < uploads.MAX_PIXELS


def test_a_6300_pixel_square_png_is_refused_before_decoding():
    # Below the general limit (39.7 megapixels), above the PNG one.
    with pytest.raises(uploads.TooManyPixels):
        uploads.clean_photo(png_claiming_size(6300, 6300))


def test_a_webp_is_measured_from_its_header_before_pillow_opens_it():
    side = int(uploads.MAX_PIXELS_BY_FORMAT["WEBP"] ** 0.5) + 64
    data = _saved(Image.new("RGB", (side, side // 4)), "WEBP")
    assert uploads._webp_size(data) == (side, side // 4)
    too_big = _saved(Image.new("RGB", (side, side)), "WEBP", lossless=True)
    with pytest.raises(uploads.TooManyPixels):
        uploads.clean_photo(too_big)


@pytest.mark.parametrize(("size", "decoded_at_most"), [
    ((7300, 5475), (3650, 2738)),     # 40 MP: decoded at half size
    ((12600, 3150), (3150, 788)),     # a panorama: at a quarter (its stored size is 2,048 × 512)
    ((4095, 4095), (2048, 2048)),     # just big enough to halve
    ((16384, 1024), (2048, 128)),     # at an eighth
])
def test_a_jpeg_is_decoded_no_larger_than_its_stored_size_needs(size, decoded_at_most, monkeypatch):
    decoded: list[tuple[int, int]] = []
    original_load = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        decoded.append(self.size)
        return original_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    photo = uploads.clean_photo(_saved(Image.new("RGB", size, (1, 2, 3)), "JPEG"))
    assert decoded
    assert decoded[0][0] <= decoded_at_most[0]
    assert decoded[0][1] <= decoded_at_most[1]
    assert (photo.width, photo.height) == uploads.stored_size(*size)


def test_one_photo_is_decoded_at_a_time_in_a_process_always_by_the_same_thread(monkeypatch):
    # The same thread, not just one at a time: glibc gives each thread a memory arena of its own,
    # and each request thread would keep the memory of its last decode.
    data = _saved(Image.new("RGB", (300, 200)), "JPEG")
    at_once, busiest, decoders = 0, 0, set()
    lock = threading.Lock()
    original = uploads._clean

    def counting(data: bytes, max_pixels: int, max_side: int) -> uploads.CleanPhoto:
        nonlocal at_once, busiest
        with lock:
            at_once += 1
            busiest = max(busiest, at_once)
            decoders.add(threading.get_ident())
        try:
            return original(data, max_pixels, max_side)
        finally:
            with lock:
                at_once -= 1

    monkeypatch.setattr(uploads, "_clean", counting)
    callers = [threading.Thread(target=uploads.clean_photo, args=(data,)) for _ in range(8)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join()
    assert busiest == 1
    assert len(decoders) == 1
    assert decoders.isdisjoint(thread.ident for thread in callers)


# -- the tipster's view: refused in their language, nothing typed lost --------------------------

TOO_MANY_PIXELS = {
    "en": "This picture has too many pixels to be a photo from a camera. Please choose a smaller photo.",
    "vi": "Ảnh này có quá nhiều điểm ảnh so với ảnh chụp từ máy ảnh. Vui lòng chọn ảnh nhỏ hơn.",
    "km": "រូបភាពនេះមានភីកសែលច្រើនពេក មិនដូចរូបថតពីកាមេរ៉ាទេ។ សូមជ្រើសរើសរូបថតដែលតូចជាងនេះ។",
}


@pytest.mark.parametrize("lang", ["vi", "km", "en"])
def test_a_6300_pixel_png_in_a_tip_is_refused_in_the_tipsters_language_and_the_text_kept(client, db_session,
                                                                                       lang):
    words = {"vi": "Mộ ở sau chùa cũ", "km": "ផ្នូរនៅក្រោយវត្តចាស់", "en": "Graves behind the old pagoda"}[lang]
    receipt = client.post(f"/{lang}/tips/new", data={
        "place_description": words, "what_seen": words, "how_known": "told", "anonymous": "y",
        "action": "submit"})
    assert receipt.status_code == 201  # the words are stored before any photo travels
    response = send_photo(client, receipt, png_claiming_size(6300, 6300), "huge.png", "image/png", lang=lang)

    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert TOO_MANY_PIXELS[lang] in html
    assert "huge.png" in html
    [tip] = db_session.scalars(select(Tip)).all()
    assert tip.what_seen == words
    assert db_session.scalar(select(func.count(TipPhoto.id))) == 0


# -- under load: four tips of five of the largest photos, at once, to one worker ------------------

def _peak_rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    assert match, status
    return int(match.group(1)) / 1024


@pytest.fixture
def load_database(tmp_path: Path) -> Iterator[str]:
    with server_database(tmp_path) as url:
        yield url


def _send_tip(port: int, photos: list[tuple[str, bytes, str]], index: int, answers: list[int]) -> None:
    """The report, then its photos one after another from the receipt page, as a browser sends them."""
    browser = Browser(port, timeout=120)
    token = browser.csrf_token("/vi/tips/new")
    body, content_type = multipart(
        [("csrf_token", token), ("submission_id", f"memory-test-{index:04d}-abcdefgh"),
         ("place_description", f"Sau chùa cũ, tin báo số {index}"), ("what_seen", "Bố tôi kể có mộ ở đây"),
         ("how_known", "told"), ("anonymous", "y"), ("action", "submit")])
    status, html = browser.post("/vi/tips/new", body, content_type)
    answers.append(status)
    for name, data, mime in photos:
        followup = re.search(r'name="followup" type="hidden" value="([^"]+)"|name="followup" value="([^"]+)"', html)
        assert followup, html[:2000]
        body, content_type = multipart([("csrf_token", token), ("followup", followup.group(1) or followup.group(2))],
                                       [("photo", name, data, mime)])
        status, html = browser.post("/vi/tips/photos", body, content_type)
        answers.append(status)


@pytest.mark.load
def test_four_tips_of_five_large_photos_at_once_stay_within_the_memory_bound(load_database, tmp_path):
    photos = largest_accepted_photos()
    assert len(photos) == PHOTOS_PER_TIP
    assert all(len(data) <= 10 * MB for _name, data, _mime in photos)
    server = Gunicorn(tmp_path / "server", env={
        "PORTAL_DATABASE_URL": load_database, "PORTAL_TIP_RATE_LIMIT": "1000/hour",
        "GUNICORN_CMD_ARGS": "--threads 4",
    }, workers=1, worker_class="gthread")
    answers: list[int] = []
    try:
        server.start()
        (worker,) = server.workers_now()
        # Warm up: one tip with one small photo loads everything a tip needs.
        _send_tip(server.port, [("small.jpg", _saved(Image.new("RGB", (64, 48)), "JPEG"), "image/jpeg")], 0, [])
        baseline = _peak_rss_mb(worker)
        threads = [threading.Thread(target=_send_tip, args=(server.port, photos, n + 1, answers))
                   for n in range(TIPS_AT_ONCE)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        peak = _peak_rss_mb(worker)
        assert server.workers_now() == [worker], "the worker was replaced: " + server.log_tail()
    finally:
        server.stop()

    print(f"\n[memory] worker peak RSS {baseline:.0f} MB after warm-up, {peak:.0f} MB after "
          f"{TIPS_AT_ONCE} tips × {PHOTOS_PER_TIP} photos at once (+{peak - baseline:.0f} MB)")
    assert answers == [201] * (TIPS_AT_ONCE * (1 + PHOTOS_PER_TIP))
    engine = make_engine(load_database)
    try:
        with engine.connect() as conn:
            assert conn.scalar(select(func.count(TipPhoto.id))) == 1 + TIPS_AT_ONCE * PHOTOS_PER_TIP
    finally:
        engine.dispose()
    assert peak - baseline < PEAK_BOUND_MB
