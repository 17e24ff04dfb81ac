"""Helpers for the tip form and follow-up tests: reading pages the way a visitor would."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

from flask import Flask
from flask_babel import force_locale

VOID = {"input", "br", "img", "meta", "link", "hr", "source", "area", "base", "col", "embed", "wbr", "track"}


class Element:
    def __init__(self, tag: str, attrs: dict[str, str]) -> None:
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.open: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: (v if v is not None else "") for k, v in attrs})
        self.elements.append(element)
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.open) - 1, -1, -1):
            if self.open[index].tag == tag:
                del self.open[index:]
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.text += data


class Page:
    """A parsed HTML page: elements by id, by name, by class."""

    def __init__(self, html: str) -> None:
        self.html = html
        collector = _Collector()
        collector.feed(html)
        self.elements = collector.elements

    def by_id(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.get("id") == element_id), None)

    def all(self, tag: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for element in self.elements:
            if tag and element.tag != tag:
                continue
            if all(element.get(name.rstrip("_").replace("_", "-")) == value for name, value in attrs.items()):
                found.append(element)
        return found

    def with_class(self, name: str) -> list[Element]:
        return [e for e in self.elements if name in e.get("class").split()]

    def field_value(self, name: str) -> str | None:
        for element in self.elements:
            if element.get("name") != name:
                continue
            if element.tag == "textarea":
                text = element.text
                return text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
            if element.tag == "input" and element.get("type") in ("checkbox", "radio"):
                if "checked" in element.attrs:
                    return element.get("value", "y")
                continue
            if element.tag == "input":
                return element.get("value")
            if element.tag == "select":
                return self._selected(element)
        return None

    def _selected(self, select: Element) -> str:
        index = self.elements.index(select)
        for element in self.elements[index + 1:]:
            if element.tag == "select":
                break
            if element.tag == "option" and "selected" in element.attrs:
                return element.get("value")
        return ""

    def options(self, select_id: str) -> list[str]:
        select = self.by_id(select_id)
        assert select is not None, f"no select #{select_id}"
        index = self.elements.index(select)
        values = []
        for element in self.elements[index + 1:]:
            if element.tag == "select":
                break
            if element.tag == "option":
                values.append(element.get("value"))
        return values

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", self.html))

    def error_for(self, field_id: str) -> str:
        """The text of a field's error, checked to be tied to the field by aria-describedby."""
        error = self.by_id(f"{field_id}-error")
        assert error is not None, f"no error shown for {field_id}"
        assert "field-error" in error.get("class").split()
        described = [e for e in self.elements
                     if e.tag in ("input", "select", "textarea")
                     and f"{field_id}-error" in e.get("aria-describedby").split()]
        assert described, f"no field points to #{field_id}-error with aria-describedby"
        return error.text.strip()


def page(response: Any) -> Page:
    return Page(response.get_data(as_text=True))


def translated(app: Flask, lang: str, message: Any, **variables: Any) -> str:
    """What a (lazy) message reads as in a language, for comparing with a page."""
    with app.test_request_context(f"/{lang}/"), force_locale(lang):
        text = str(message)
        return text % variables if variables else text


def photo_file(data: bytes, name: str = "photo.jpg", mime: str = "image/jpeg") -> tuple[BytesIO, str, str]:
    return BytesIO(data), name, mime


TEXTS = {
    "vi": {
        "place_description": "Sau chùa cũ, gần hai cây me bên ao.",
        "local_name": "Gò Mả Bộ Đội",
        "what_seen": "Bố tôi kể rằng năm 1979 bộ đội Việt Nam được chôn ở đây. Có ba nấm mộ.",
        "period": "mùa khô 1979",
        "fallen_names": "Nguyễn Văn A",
        "fallen_unit": "Sư đoàn 9",
        "fallen_hometown": "Tây Ninh",
        "contact_name": "Trần Thị B",
        "relationship": "Trưởng ấp, viết thay cho cụ Sok",
    },
    "km": {
        "place_description": "នៅក្រោយវត្តចាស់ ជិតដើមអម្ពិលពីរ ក្បែរស្រះ។",
        "local_name": "ទួលផ្នូរទាហាន",
        "what_seen": "ឪពុកខ្ញុំបានប្រាប់ថា ទាហានវៀតណាមត្រូវបានកប់នៅទីនេះ ក្នុងឆ្នាំ១៩៧៩។",
        "period": "រដូវប្រាំង ១៩៧៩",
        "fallen_names": "មិនដឹង",
        "fallen_unit": "",
        "fallen_hometown": "",
        "contact_name": "សុខ ចាន់",
        "relationship": "មេភូមិ",
    },
    "en": {
        "place_description": "Behind the old pagoda, near two tamarind trees by the pond.",
        "local_name": "Soldiers' Mound",
        "what_seen": "My father told me Vietnamese soldiers were buried here in 1979. Three graves.",
        "period": "dry season 1979",
        "fallen_names": "Unknown",
        "fallen_unit": "9th Division",
        "fallen_hometown": "Tay Ninh",
        "contact_name": "Sok Chan",
        "relationship": "Village chief, for an elder",
    },
}


def full_form(lang: str = "en", **overrides: Any) -> dict[str, Any]:
    """Every field of the tip form filled in, as a careful tipster would."""
    text = TEXTS[lang]
    data: dict[str, Any] = {
        "submission_id": "test-submission-key-" + lang + "-0001",
        "province": "03", "district": "0305", "commune": "030501", "village": "03050101",
        "place_description": text["place_description"], "local_name": text["local_name"],
        "coordinates": "12.05, 105.45", "uncertainty": "200", "location_source": "typed",
        "what_seen": text["what_seen"], "how_known": "told", "period": text["period"],
        "estimated_graves": "៣" if lang == "km" else "3",
        "fallen_names": text["fallen_names"], "fallen_unit": text["fallen_unit"],
        "fallen_hometown": text["fallen_hometown"],
        "contact_name": text["contact_name"], "contact_phone": "+855 12 345 678",
        "contact_email": "tipster@example.org", "contact_messaging": "@tipster",
        "contact_language": lang, "on_behalf": "y", "on_behalf_relationship": text["relationship"],
        "consent": "y", "action": "submit",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def short_form(**overrides: Any) -> dict[str, Any]:
    """The least a tipster must give: where (a province) and what."""
    data: dict[str, Any] = {"submission_id": "short-submission-key-0001", "province": "17",
                            "what_seen": "Graves behind the pagoda", "action": "submit"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def send_photo(client: Any, page_with_form: Any, data: bytes, name: str = "photo.jpg", mime: str = "image/jpeg",
               *, lang: str = "en", **fields: Any) -> Any:
    """Send one photo through the photo form of a receipt, status or photo page (as the tipster's
    browser does after the report is stored)."""
    form = page(page_with_form)
    body = {"followup": form.field_value("followup"), "photo": photo_file(data, name, mime), **fields}
    token = form.field_value("csrf_token")
    if token:
        body["csrf_token"] = token
    return client.post(f"/{lang}/tips/photos", data=body, content_type="multipart/form-data")


def send_tip_with_photos(client: Any, form: dict[str, Any], photos: list[tuple[bytes, str, str]], *,
                         lang: str = "en", **photo_fields: Any) -> tuple[Any, list[Any]]:
    """The two steps of a tip with photos: the written report, then each photo on its own."""
    receipt = client.post(f"/{lang}/tips/new", data=form)
    answers, last = [], receipt
    for data, name, mime in photos:
        answer = send_photo(client, last, data, name, mime, lang=lang, **photo_fields)
        answers.append(answer)
        last = answer if page(answer).by_id("photo-form") is not None else last
    return receipt, answers
