"""The words on the page: one term for one thing, the right register, no stray English or digits.

The glossary these tests hold the catalogs to is in translations/REVIEW.md. Each rejected variant
listed there has a pattern here, so a variant that comes back (a new string, a merged pending file,
demo text) fails a test instead of waiting for a native reviewer to notice it.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.demo import content as content_demo
from tests.content_helpers import load_demo

ROOT = Path(__file__).resolve().parents[1]


def _entries(lang: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) pairs, every plural form and context included."""
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
        catalog = read_po(handle, locale=lang)
    pairs = []
    for message in catalog:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, str) else message.id[0]
        targets = [message.string] if isinstance(message.string, str) else list(message.string)
        pairs.extend((source, target) for target in targets if target)
    return pairs


def _demo_texts(lang: str) -> list[tuple[str, str]]:
    """The public pages, news and figures of the demo content (not the sample monuments)."""
    texts = []
    for name, page in (("repatriation", content_demo.REPATRIATION), ("help", content_demo.HELP)):
        texts += [(f"{name} {field}", value) for field, value in page[lang].items()]
    for slug, _source, by_lang in content_demo.NEWS:
        texts += [(f"news {slug} {field}", value) for field, value in by_lang[lang].items()]
    for figure in content_demo.FIGURES:
        texts.append((f"figure {figure[2]}", figure[6][lang]))
    return texts


def _texts(lang: str) -> list[tuple[str, str]]:
    return _entries(lang) + _demo_texts(lang)


# --- Glossary: rejected variants (translations/REVIEW.md, "Glossary used") ----------------------

REJECTED = {
    "vi": {
        # The national bodies are Ủy ban Chuyên trách Chính phủ; "Ban Chuyên trách" is a province's.
        "Ban Chuyên trách for a national committee": r"(?<!Ủy )Ban Chuyên trách(?! tỉnh)",
        "phiên họp / hội nghị for the committees' Kỳ họp": r"phiên họp|hội nghị",
        "Kỳ họp with an Arabic number": r"[Kk]ỳ họp (lần )?thứ \d",
        "đội tìm kiếm without quy tập": r"(?i:đội) tìm kiếm(?!, quy tập)",
        "liên hệ (the portal says liên lạc)": r"(?i:liên hệ)",
        "thân nhân (the portal says gia đình)": r"(?i:thân nhân)",
        "vô hiệu hóa (the portal says khóa)": r"(?i:vô hiệu hóa)",
        "bạn to the public (the portal says Quý vị)": r"(?<![\w])(?i:bạn)(?![\w])",
        "date written 1 tháng 12, 2026": r"\d+ tháng \d+, \d{4}",
        "bare tin (news is tin tức / bản tin, a tip is tin báo)":
            r"(?<!thông )(?<!Thông )(?<!nhắn )(?<!báo )(?<!Báo )(?<!bản )(?<!Bản )(?<![\w])(?i:tin)(?![\w])"
            r"(?! (?:báo|tức|nhắn|cậy))",
    },
    "km": {
        "ទូរសព្ទ (the portal spells ទូរស័ព្ទ)": "ទូរសព្ទ",
        "ផ្តល់ with coeng ta (the portal writes ផ្ដល់)": "ផ្តល់",
        "coeng ta in words written with coeng da": "ម្តង|ដូចម្តេច|សេចក្តី|បណ្តាញ|ម្តាយ|ចាប់ផ្តើម",
        "គណៈកម្មាធិការស្វែងរក (the portal says គណៈកម្មាធិការពិសេស)": "គណៈកម្មាធិការស្វែងរក",
        "ម្ចាស់ព័ត៌មាន (the tipster is អ្នកផ្ដល់ព័ត៌មាន)": "ម្ចាស់ព័ត៌មាន",
        "កំណត់សម្គាល់ (a note is កំណត់ចំណាំ)": "កំណត់សម្គាល់",
        "second factor other than ការផ្ទៀងផ្ទាត់ពីរជំហាន": "កត្តាផ្ទៀងផ្ទាត់|ជំហានផ្ទៀងផ្ទាត់ទីពីរ",
        "ផ្សព្វផ្សាយ / ចុះផ្សាយ (published is ផ្សាយ)": "ផ្សព្វផ្សាយ|ចុះផ្សាយ|អ្នកចុះផ្សាយ",
        "សំណុំ as the classifier of remains (remains are counted in សព)": "សំណុំ",
        "ព័ត៌មានថ្មី for anything but news": "(?<!អត្ថបទ)ព័ត៌មានថ្មី(?!ៗ)",
        "bare អ្នក as the reader's pronoun (the portal says លោកអ្នក)":
            "(?<!លោក)អ្នក(?=ចង់|អាច|ដឹង|រស់|កំពុង|ស្គាល់|មិន|បាន|ត្រូវ|ជួយ|គិត)",
        "តាមរយៈ before a channel that already says តាម": "តាមរយៈ ?តាម",
    },
}

# Staff pages may say bạn (colleagues); the public is always Quý vị.
STAFF_REGISTER_OK = "bạn to the public (the portal says Quý vị)"


def _staff_only_ids() -> set[str]:
    from babel.messages.extract import extract_from_dir

    from tests.test_catalogs import KEYWORDS

    public, staff = set(), set()
    method_map = [("portal/**.py", "python"), ("templates/**.html", "jinja2"), ("templates/**.xml", "jinja2")]
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map=method_map, keywords=KEYWORDS,
            options_map={"templates/**.html": {}, "templates/**.xml": {}}):
        source = message if isinstance(message, str) else message[0]
        is_staff = filename.startswith(("templates/staff", "portal/staff", "portal/cli.py", "portal/services/"))
        (staff if is_staff else public).add(source)
    return staff - public


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_no_rejected_glossary_variant(lang):
    staff_only = _staff_only_ids() if lang == "vi" else set()
    found = []
    for name, pattern in REJECTED[lang].items():
        for source, target in _texts(lang):
            if name == STAFF_REGISTER_OK and source in staff_only:
                continue
            if re.search(pattern, target):
                found.append((name, source[:60], re.findall(f".{{0,30}}(?:{pattern}).{{0,30}}", target)))
    assert found == [], "\n".join(map(str, found))


# --- km: tip, news and information kept apart ---------------------------------------------------

TIP_IN_SOURCE = re.compile(r"\b(tip|tips|report|reports)\b", re.I)
PRESS_REPORT = re.compile(r"report on|report or article|of the report|title of the report|public report", re.I)
# A tip is របាយការណ៍ on staff pages; on the tipster's pages it is information someone gave
# (ព័ត៌មានដែល…ផ្ដល់, ការផ្ដល់ព័ត៌មាន, ផ្ដល់ព័ត៌មាន), never ព័ត៌មាន on its own.
KM_TIP = re.compile(r"របាយការណ៍|ផ្ដល់ព័ត៌មាន|ព័ត៌មាន(?:[^\s។]{0,12})ដែល(?:លោកអ្នក|ខ្ញុំ|គាត់|ប្រជាជន|គេ)?"
                    r"(?:បាន|ចង់|នឹង)?ផ្ដល់")


def test_km_tip_is_never_bare_information():
    wrong = [(source, target) for source, target in _entries("km")
             if TIP_IN_SOURCE.search(source) and not PRESS_REPORT.search(source) and not KM_TIP.search(target)]
    assert wrong == [], "\n".join(map(str, wrong))


def test_km_news_is_news_and_only_news():
    entries = _entries("km")
    entries = [(s.replace("Việt Nam News", "VNS"), t) for s, t in entries]
    news = [(s, t) for s, t in entries if re.search(r"\bnews\b", s, re.I)
            and not re.search(r"ព័ត៌មានថ្មីៗ|អត្ថបទព័ត៌មាន", t)]
    not_news = [(s, t) for s, t in entries if re.search(r"ព័ត៌មានថ្មីៗ|អត្ថបទព័ត៌មាន", t)
                and not re.search(r"\bnews\b", s, re.I)]
    assert news == [], "\n".join(map(str, news))
    assert not_news == [], "\n".join(map(str, not_news))


def test_km_menu_items_cannot_be_confused():
    km = dict(_entries("km"))
    assert km["News"] == "ព័ត៌មានថ្មីៗ"
    assert "ព័ត៌មានថ្មីៗ" not in km["Follow up a report"]
    assert km["Follow up a report"] != "តាមដានព័ត៌មាន"
    assert "អត្ថបទព័ត៌មាន" in km["Add a news item"]
    assert km["Tip"] == km["Tips"] == "របាយការណ៍"
    assert km["Tipster"] == "អ្នកផ្ដល់ព័ត៌មាន"


def test_vi_keeps_tips_and_news_apart():
    vi = dict(_entries("vi"))
    assert vi["News"] == "Tin tức"
    assert vi["Tip"] == "Tin báo"
    assert vi["Add a news item"] == "Thêm bản tin"
    for source, target in _entries("vi"):
        if re.search(r"\bnews item\b", source, re.I):
            assert "bản tin" in target.lower(), source
        if re.search(r"\btips?\b", source, re.I) and not re.search(r"tipster", source, re.I):
            assert "tin báo" in target.lower() or "báo tin" in target.lower(), source


def test_vi_official_phrase_names_the_martyrs():
    """The official phrase is "hài cốt liệt sĩ quân tình nguyện và chuyên gia Việt Nam"."""
    wrong = [(s, t) for s, t in _texts("vi") if re.search(r"hài cốt quân tình nguyện", t)]
    assert wrong == []


# --- Dates --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "expected"), [
    ("vi", "ngày 1 tháng 12 năm 2026"), ("km", "១ ធ្នូ ២០២៦"), ("en", "December 1, 2026")])
def test_long_dates_as_each_language_writes_them(app, lang, expected):
    from datetime import date

    with app.test_request_context(f"/{lang}/"):
        from flask import render_template_string

        assert render_template_string("{{ day | date }}", day=date(2026, 12, 1)) == expected
        assert render_template_string("{{ day | date('long') }}", day=date(2026, 12, 1)) == expected


# --- Every public page in vi and km: no English, no Latin digits on km pages -------------------

# Proper names and codes that are written in Latin script in every language.
LATIN_ALLOWED = {
    # names of the languages in the switcher, each inside its own lang attribute anyway
    "English", "Tiếng", "Việt",
    # publications, agencies, services, formats
    "Nam", "News", "VNA", "VNS", "TTXVN", "OpenStreetMap", "Google", "Maps", "Atom", "Zalo",
    "Telegram", "Facebook", "JPEG", "PNG", "WebP", "MB", "GPS", "QR", "PDF", "UTC", "K92", "cambodia", "geo",
    # the receipt-code alphabet explained on the follow-up page, and its example code
    "A", "Z", "I", "L", "O",
    # compass letters of a coordinate example (11°33'23"N), which the form reads as written
    "N", "E",
}
# A receipt code (the example on the follow-up page) is typed in Latin letters and digits.
RECEIPT_CODE = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){3}\b")
LATIN_WORD = re.compile(r"[A-Za-zÀ-ɏḀ-ỿ][A-Za-z0-9À-ɏḀ-ỿ]*")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _VisibleText(HTMLParser):
    """Text a reader sees: no tags, attributes, scripts, styles, nor elements in another language."""

    def __init__(self, lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = lang
        self.stack: list[bool] = []  # True where the element (or one it is inside) is skipped
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        values = dict(attrs)
        other_lang = "lang" in values and values["lang"] not in (self.lang, None) and tag != "html"
        skipped = bool(self.stack and self.stack[-1]) or tag in ("script", "style") or other_lang
        self.stack.append(skipped)

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)


def visible_text(html: str, lang: str) -> str:
    parser = _VisibleText(lang)
    parser.feed(html)
    return " ".join(" ".join(parser.parts).split())


def _public_urls(app, session, lang: str) -> list[str]:
    from portal.models.content import Monument, NewsItem

    urls = [f"/{lang}/", f"/{lang}/privacy", f"/{lang}/monuments/", f"/{lang}/repatriation/",
            f"/{lang}/statistics/", f"/{lang}/help", f"/{lang}/news/", f"/{lang}/tips/new", f"/{lang}/tips/status",
            f"/{lang}/monuments/?q={NO_MATCH[lang]}", f"/{lang}/statistics/?season=all", f"/{lang}/no-such-page",
            f"/{lang}/statistics/communes", f"/{lang}/inquiries/new", f"/{lang}/inquiries/status"]
    from sqlalchemy import select

    urls += [f"/{lang}/news/{slug}" for slug in session.scalars(select(NewsItem.slug)).all()]
    # Monument pages: each source's title and publisher carry the report's own language.
    urls += [f"/{lang}/monuments/{slug}" for slug in session.scalars(select(Monument.slug)).all()]
    return urls


NO_MATCH = {"vi": "không", "km": "គ្មាន"}


def test_every_public_endpoint_is_rendered_here(app):
    """A new public page must join the list above (or be excused here)."""
    excused = {"static", "favicon", "public.root", "public.monument_photo", "public.news_feed", "public.healthz",
               "public.robots", "public.sitemap", "tips.places"}
    covered = {"public.home", "public.privacy", "public.monuments", "public.monument", "public.repatriation",
               "public.statistics", "public.help", "public.news", "public.news_item", "tips.new", "tips.status",
               "public.site_map", "families.new", "families.status"}
    public = {r.endpoint for r in app.url_map.iter_rules() if "GET" in (r.methods or ())
              and not r.endpoint.startswith("staff")}
    assert public - excused - covered == set()


@pytest.mark.parametrize("lang", ["vi", "km"])
def test_public_pages_have_no_english_and_no_latin_digits_in_khmer(app, client, db_session, lang):
    load_demo(db_session)
    problems = []
    for url in _public_urls(app, db_session, lang):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        text = RECEIPT_CODE.sub(" ", visible_text(response.get_data(as_text=True), lang))
        words = sorted({w for w in LATIN_WORD.findall(text) if w not in LATIN_ALLOWED})
        if lang == "vi":
            # Vietnamese is written in Latin letters: look for English words instead.
            words = sorted({w for w in words if w.lower() in ENGLISH_WORDS})
        if words:
            problems.append((url, "latin", words))
        if lang == "km":
            digits = [t for t in re.findall(r"[^\s]*[0-9][^\s]*", text) if t.strip("()។,.") not in LATIN_ALLOWED]
            if digits:
                problems.append((url, "digits", sorted(set(digits))))
        if lang == "vi" and re.search(r"(?<![\w])(?i:bạn)(?![\w])", text):
            problems.append((url, "register", "bạn"))
    assert problems == [], "\n".join(map(str, problems))


# Common English words, for the Vietnamese pages (whose own words are in Latin letters too).
ENGLISH_WORDS = set("""
about address all and any are as at be by contact data for from has have here how if
is it its not of on or our page please report sample search see send set the their there this
was we what when where which who will with you your source sets remains meeting committee
committees specialised signing ceremony press vietnamese province provinces portal placeholder
""".split())


def test_visible_text_skips_markup_scripts_and_other_languages():
    html = ('<html lang="km"><head><title>ទំព័រ</title><style>p{}</style></head><body>'
            '<p title="English">ខ្មែរ <span lang="vi">Tiếng Việt</span></p><script>var a = 1;</script>'
            '<img alt="photo"><br>សួស្ដី</body></html>')
    assert visible_text(html, "km") == "ទំព័រ ខ្មែរ សួស្ដី"
