"""Table rows rendered once with markers and filled per row (``portal.row_templates``): the same
HTML as Jinja prints, every value escaped, each language its own words."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup, escape

from portal.row_templates import MARKERS, escape_value, fill, row_template
from portal.staff.review_views import QueueLine
from tests.staff_fixtures import create_staff, login
from tests.tip_factory import make_tip

# (No NUL: forms strip control characters before a tip is stored, and PostgreSQL refuses them in text.)
HOSTILE = '<script>alert("x")</script> & \'quoted\' {{ 7*7 }} \u200b %(x)s'


def _line(**changes: object) -> QueueLine:
    values = dict(href="/en/staff/tips/7", id=7, summary=HOSTILE, status="new", status_label="New <b>",
                  place="Siem Reap & co", received_iso="2026-01-10T08:00:00+00:00", received="8:00 AM",
                  photos="2", assignee='"moderator"')
    values.update(changes)
    return QueueLine(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("lang", ["en", "vi", "km"])
def test_a_filled_row_is_what_jinja_prints(app, lang):
    lines = [_line(), _line(id=8, href="/en/staff/tips/8", summary="plain", assignee="—")]
    with app.test_request_context(f"/{lang}/staff/queue"):
        template = app.jinja_env.get_template("staff/review/_queue_row.html")
        expected = "".join(template.render(line=line) for line in lines)
        filled = fill(row_template("staff/review/_queue_row.html", QueueLine._fields), lines)
    assert str(filled) == expected
    assert "<script>" not in filled and "&lt;script&gt;" in filled


@pytest.mark.parametrize("value", [
    HOSTILE, "", "plain", "&amp; already", "&&<<>>\"\"''", 7, 0, None, 2.5, Markup("<b>kept</b>"), "ខ្មែរ Tiếng Việt",
])
def test_a_value_is_escaped_as_markupsafe_escapes_it(value):
    assert escape_value(value) == str(escape(value))


@pytest.mark.parametrize("source", [
    "{% if line.summary %}x{% endif %}",
    "{{ line.summary | upper }}",
    "{{ line.summary.strip() }}",
    "{{ line.photos == '0' }}",
    "{% for c in line.summary %}{{ c }}{% endfor %}",
    "{{ line.summary ~ '!' }}",
])
def test_a_row_template_cannot_test_or_change_its_values(app, source):
    with app.test_request_context("/en/"), pytest.raises(TypeError):
        app.jinja_env.from_string(source).render(line=MARKERS)


def test_each_language_gets_its_own_column_names_and_the_tipster_text_stays_escaped(app):
    make_tip(app, what_seen=HOSTILE)
    moderator = create_staff(app, "moderator")
    client = app.test_client()
    login(client, moderator, lang="km")
    pages = {lang: client.get(f"/{lang}/staff/queue").text for lang in ("km", "vi", "km", "en")}
    labels = {lang: set(re.findall(r'<td data-label="([^"]+)"', html)) for lang, html in pages.items()}
    assert labels["en"] == {"Status", "Place", "Received", "Photos", "Assigned to"}
    assert labels["km"].isdisjoint(labels["en"]) and labels["vi"].isdisjoint(labels["en"])
    assert labels["km"].isdisjoint(labels["vi"])
    for html in pages.values():
        assert "<script>alert" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;quoted&#39; {{ 7*7 }}" in html
