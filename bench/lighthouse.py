"""Lighthouse audits of the home page, the monument list and the tip form in every language.

    python -m bench.lighthouse          (or bench/lighthouse.sh)

Starts the portal under gunicorn on 127.0.0.1 (production settings, SQLite with the demo content,
page cache on), audits each page with Lighthouse 12.2.3 in its default mobile mode (simulated slow
4G, a mid-range phone's CPU) in Debian's Chromium, writes the JSON reports to ``bench/results/`` and
prints the four scores of every page beside the target. Lighthouse is installed on first use with
``npm install --prefix bench lighthouse@12.2.3`` (``bench/node_modules/``, not committed).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.run import RESULTS, ROOT, BenchError, Gunicorn, Server, running, script, verdict_line

LIGHTHOUSE_VERSION = "12.2.3"
LIGHTHOUSE = ROOT / "bench" / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROME_FLAGS = ("--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
                "--disable-component-update --disable-sync")
PAGES = {"home": "/", "monuments": "/monuments/", "tip-form": "/tips/new"}
LANGUAGES = ("vi", "km", "en")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGET = 95


def ensure_lighthouse() -> None:
    package = ROOT / "bench" / "node_modules" / "lighthouse" / "package.json"
    if package.exists() and json.loads(package.read_text()).get("version") == LIGHTHOUSE_VERSION:
        return
    if not shutil.which("npm"):
        raise BenchError("npm is needed to install Lighthouse (apt-get install -y npm)")
    subprocess.run(["npm", "install", "--prefix", str(ROOT / "bench"), "--no-save", "--no-package-lock", "--no-audit",
                    "--no-fund", "-E", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)


def demo_database(workdir: Path) -> str:
    from sqlalchemy.orm import Session

    from portal import migrate
    from portal.db import make_engine
    from portal.demo.content import load_demo_content

    url = f"sqlite:///{workdir / 'portal.sqlite3'}"
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        with Session(engine) as session:
            load_demo_content(session)
            session.commit()
    finally:
        engine.dispose()
    return url


def portal_server(workdir: Path, name: str) -> Server:
    """The portal as a visitor meets it: gunicorn, production settings, the demo content, page cache on."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    env.update({"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
                "PORTAL_RECEIPT_KEY": secrets.token_urlsafe(48), "PORTAL_TOTP_KEY": secrets.token_urlsafe(48),
                "PORTAL_DATABASE_URL": demo_database(workdir)})
    return Server(name, "portal.wsgi:app", Gunicorn(2, 4), workdir, env, "/healthz")


def audit(url: str, out: Path, workdir: Path, attempts: int = 3) -> dict[str, int]:
    """One page's scores; a run Lighthouse itself reports as broken (e.g. ``NO_NAVSTART``) is repeated."""
    for attempt in range(1, attempts + 1):
        try:
            return _audit_once(url, out, workdir)
        except BenchError:
            if attempt == attempts:
                raise
            print(f"lighthouse failed on {url}; trying again", file=sys.stderr)
    raise AssertionError("unreachable")


def _audit_once(url: str, out: Path, workdir: Path) -> dict[str, int]:
    out.unlink(missing_ok=True)
    profile = tempfile.mkdtemp(prefix="chromium-", dir=workdir)
    command = ["timeout", "--kill-after=10", "120", str(LIGHTHOUSE), url, "--quiet", "--output=json",
               f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
               f"--chrome-flags={CHROME_FLAGS} --user-data-dir={profile}"]
    done = subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROMIUM}, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0 or not out.exists():
        raise BenchError(f"lighthouse failed on {url}: {done.stderr.strip()[-2000:]}")
    report = json.loads(out.read_text())
    return {name: round((report["categories"][name]["score"] or 0) * 100) for name in CATEGORIES}


def failing_audits(path: Path) -> list[str]:
    """The audits that cost points, for the summary."""
    report = json.loads(path.read_text())
    found: list[str] = []
    for name in CATEGORIES:
        for ref in report["categories"][name]["auditRefs"]:
            result = report["audits"][ref["id"]]
            if ref.get("weight", 0) > 0 and result.get("score") is not None and result["score"] < 1:
                found.append(f"{name}: {ref['id']} ({result['score']:.2f})")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/lighthouse.sh", description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--pages", default=",".join(PAGES))
    args = parser.parse_args(argv)
    ensure_lighthouse()
    if not Path(CHROMIUM).exists():
        raise BenchError(f"Chromium is not at {CHROMIUM} (apt-get install -y chromium)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="portal-lighthouse-"))
    rows: list[tuple[str, str, dict[str, int], Path]] = []
    try:
        with running(portal_server(workdir, "portal-lighthouse")) as site:
            for lang in args.languages.split(","):
                for page in args.pages.split(","):
                    out = RESULTS / f"lighthouse-{lang}-{page}.json"
                    scores = audit(f"{site.url}/{lang}{PAGES[page]}", out, workdir)
                    rows.append((lang, page, scores, out))
                    print(f"{lang} {page:10} " + "  ".join(f"{name} {scores[name]:>3}" for name in CATEGORIES),
                          file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    ok = True
    print(f"Lighthouse {LIGHTHOUSE_VERSION}, mobile (simulated slow 4G, 4× CPU slow-down), Debian Chromium; "
          f"target ≥ {TARGET} in each category")
    print(f"{'page':18} " + " ".join(f"{name:>15}" for name in CATEGORIES))
    for lang, page, scores, out in rows:
        print(f"{lang + ' ' + page:18} " + " ".join(f"{scores[name]:>15}" for name in CATEGORIES))
        if any(score < TARGET for score in scores.values()):
            ok = False
            print("    costs points: " + "; ".join(failing_audits(out)))
    print(f"reports: {RESULTS.relative_to(ROOT)}/lighthouse-*.json")
    print(verdict_line(ok))
    return 0 if ok else 1


if __name__ == "__main__":
    script(main, "lighthouse")
