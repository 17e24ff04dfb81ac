"""Staff rich text goes through the one bleach allow-list: what it keeps and what it removes."""

from __future__ import annotations

import pytest

from portal.sanitize import clean_rich_text


@pytest.mark.parametrize("html", [
    "<p>Một đoạn văn.</p>",
    '<p><a href="https://example.org/report">a link</a></p>',
    '<a href="http://example.org/">plain http</a>',
    '<a href="mailto:committee@example.org">write to us</a>',
    "<ul><li>one</li><li>two</li></ul>",
    "<ol><li>first</li></ol>",
    "<h2>Heading</h2><h3>Sub-heading</h3>",
    "<p><strong>bold</strong> and <em>italic</em><br>next line</p>",
    "<blockquote>quoted</blockquote>",
    '<p lang="km">ខ្មែរ</p>',
])
def test_keeps_the_allowed_markup(html):
    assert clean_rich_text(html) == html


@pytest.mark.parametrize(("html", "forbidden"), [
    ("<script>alert(1)</script><p>text</p>", "<script"),
    ('<p onclick="alert(1)">text</p>', "onclick"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ('<a href="#" onmouseover="alert(1)">x</a>', "onmouseover"),
    ('<a href="javascript:alert(1)">x</a>', "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "href"),
    ('<a href=" javascript:alert(1)">x</a>', "javascript"),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', "data:"),
    ('<p style="color:red">text</p>', "style"),
    ("<style>p{color:red}</style><p>text</p>", "<style"),
    ('<iframe src="https://example.org"></iframe>', "iframe"),
    ('<form action="https://example.org"><input></form>', "<form"),
    ('<svg><script>alert(1)</script></svg>', "<svg"),
])
def test_removes_what_is_not_allowed(html, forbidden):
    cleaned = clean_rich_text(html)
    assert forbidden.lower() not in cleaned.lower()


def test_removed_link_keeps_its_text():
    assert clean_rich_text('<a href="javascript:alert(1)">read more</a>') == "<a>read more</a>"


def test_style_attribute_goes_but_the_paragraph_stays():
    assert clean_rich_text('<p style="x" class="y">text</p>') == "<p>text</p>"


def test_text_that_looks_like_markup_is_escaped():
    assert clean_rich_text("1 < 2 & <unknown>tag</unknown>") == "1 &lt; 2 &amp; tag"


def test_code_elements_are_removed_with_their_content():
    cleaned = clean_rich_text("<p>Lễ viếng</p><script>alert(1)</script><style>p{color:red}</style><script>unclosed")
    assert cleaned == "<p>Lễ viếng</p>"
