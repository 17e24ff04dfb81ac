"""Forms for editing public content: monuments (with photos), pages, figures and news.

Text fields come once per language (``name_vi``, ``name_km``, ``name_en``…), each marked with its
language so the browser spell-checks and shapes it right; any language may be left empty.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from portal import geo
from portal.forms import PortalForm
from portal.i18n import LOCALES
from portal.models.content import (
    ADDRESS_MAX,
    ALT_MAX,
    LABEL_MAX,
    NAME_MAX,
    SLUG_MAX,
    SOURCE_PUBLISHER_MAX,
    SOURCE_TITLE_MAX,
    SUMMARY_MAX,
    TITLE_MAX,
)

RICH_MAX = 20_000
REQUIRED = _l("Please fill in this field.")
SLUG_RULE = Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
                   message=_l("Use lower-case Latin letters, digits and single hyphens, e.g. siem-reap."))
SEASON_RULE = Regexp(r"^\d{4}-\d{4}$", message=_l("Write the dry season as two years, e.g. 2024-2025."))
UNIT_LABELS = {"sets": _l("sets of remains"), "teams": _l("teams")}
METRIC_LABELS = {
    "remains_repatriated": _l("Remains repatriated"),
    "remains_found": _l("Remains found"),
    "remains_collected_all_time": _l("Remains collected (all time)"),
    "search_teams": _l("Search teams"),
    "other": _l("Other"),
}


def province_choices(empty: Any = None) -> list[Any]:
    choices: list[Any] = [("", empty)] if empty is not None else []
    return choices + [(p.code, f"{p.name_en} · {p.name_kh} · {p.name_vi}") for p in geo.provinces()]


def district_choices() -> list[Any]:
    choices: list[Any] = [("", _l("Not known"))]
    for p in geo.provinces():
        choices += [(d.code, f"{p.name_en}: {d.name_en} · {d.name_kh}") for d in geo.districts(p.code)]
    return choices


def _with_languages(form_class: type[PortalForm], fields: dict[str, Any]) -> type[PortalForm]:
    """Add one copy of each field per language, named ``<field>_<lang>`` and marked ``lang``."""
    for lang in LOCALES:
        for name, make in fields.items():
            setattr(form_class, f"{name}_{lang}", make(lang))
    return form_class


def texts_from(form: PortalForm, fields: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {lang: {name: getattr(form, f"{name}_{lang}").data or "" for name in fields} for lang in LOCALES}


def fill_texts(form: PortalForm, rows: Any, fields: tuple[str, ...]) -> None:
    for row in rows:
        for name in fields:
            field = getattr(form, f"{name}_{row.lang}", None)
            if field is not None:
                field.data = getattr(row, name)


def _text(label: Any, max_length: int) -> Any:
    return lambda lang: StringField(label, validators=[Optional(), Length(max=max_length)],
                                    render_kw={"lang": lang})


def _rich(label: Any) -> Any:
    return lambda lang: TextAreaField(label, validators=[Optional(), Length(max=RICH_MAX)],
                                      render_kw={"lang": lang, "rows": 8})


class MonumentForm(PortalForm):
    slug = StringField(_l("Web address name (slug)"), validators=[DataRequired(REQUIRED), Length(max=SLUG_MAX),
                                                                  SLUG_RULE])
    province_code = SelectField(_l("Province"), validators=[DataRequired(REQUIRED)])
    district_code = SelectField(_l("District"), validators=[Optional()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=ADDRESS_MAX)])
    latitude = DecimalField(_l("Latitude"), places=None, validators=[
        Optional(), NumberRange(min=9.0, max=15.0, message=_l("Cambodia lies between 9 and 15 degrees north."))])
    longitude = DecimalField(_l("Longitude"), places=None, validators=[
        Optional(), NumberRange(min=102.0, max=108.0, message=_l("Cambodia lies between 102 and 108 degrees east."))])
    position_approximate = BooleanField(
        _l("Position approximate (no report gives the monument's own place: only its town or province)"))
    built_year = IntegerField(_l("Year built"), validators=[Optional(), NumberRange(min=1900, max=2100)])
    restored_year = IntegerField(_l("Year restored"), validators=[Optional(), NumberRange(min=1900, max=2100)])
    published = BooleanField(_l("Published (shown on the public site)"), default=True)
    is_sample = BooleanField(_l("Sample data (shows a “sample data” label on the page)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.province_code.choices = province_choices(_l("Choose a province"))
        self.district_code.choices = district_choices()

    def validate_longitude(self, field: Any) -> None:
        if (field.data is None) != (self.latitude.data is None):
            raise ValidationError(_l("Give both latitude and longitude, or neither."))

    def validate_district_code(self, field: Any) -> None:
        if field.data and not field.data.startswith(self.province_code.data or "--"):
            raise ValidationError(_l("This district is not in the chosen province."))


MONUMENT_TEXT_FIELDS = ("name", "history", "visiting", "ceremonies")
_with_languages(MonumentForm, {
    "name": _text(_l("Name"), NAME_MAX),
    "history": _rich(_l("History")),
    "visiting": _rich(_l("Visiting and paying tribute")),
    "ceremonies": _rich(_l("Ceremonies")),
})


class PhotoForm(PortalForm):
    photo = FileField(_l("Photo (JPEG, PNG or WebP)"), validators=[FileRequired(REQUIRED)],
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    credit = StringField(_l("Photographer or source"), validators=[Optional(), Length(max=SOURCE_PUBLISHER_MAX)])
    # Its own id: the monument's form on the same page has an ``is_sample`` box too.
    is_sample = BooleanField(_l("Sample photo (not of the real monument)"), id="photo-is_sample")

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        if valid and not any((getattr(self, f"alt_{lang}").data or "").strip() for lang in LOCALES):
            self.alt_vi.errors = [*self.alt_vi.errors,
                                  str(_l("Describe the photo in at least one language, for people who cannot see it."))]
            return False
        return valid


class PhotoTextForm(PortalForm):
    credit = StringField(_l("Photographer or source"), validators=[Optional(), Length(max=SOURCE_PUBLISHER_MAX)])


for _form in (PhotoForm, PhotoTextForm):
    _with_languages(_form, {"alt": _text(_l("Description for people who cannot see the photo"), ALT_MAX)})


class PageForm(PortalForm):
    pass


PAGE_TEXT_FIELDS = ("title", "body")
_with_languages(PageForm, {"title": _text(_l("Title"), TITLE_MAX), "body": _rich(_l("Text"))})


class FigureForm(PortalForm):
    season = StringField(_l("Dry season"), validators=[Optional(), Length(max=9), SEASON_RULE])
    province_code = SelectField(_l("Province"), validators=[Optional()])
    metric = SelectField(_l("What is counted"), validators=[DataRequired(REQUIRED)])
    unit = SelectField(lazy_pgettext("unit of measure", "Unit"), validators=[DataRequired(REQUIRED)])
    value = IntegerField(_l("Number"), validators=[DataRequired(REQUIRED), NumberRange(min=0, max=10_000_000)])
    source_publisher = StringField(_l("Source: publisher"), validators=[DataRequired(REQUIRED),
                                                                        Length(max=SOURCE_PUBLISHER_MAX)])
    source_title = StringField(_l("Source: title of the report"), validators=[DataRequired(REQUIRED),
                                                                              Length(max=SOURCE_TITLE_MAX)])
    source_year = IntegerField(_l("Source: year"), validators=[Optional(), NumberRange(min=1979, max=2100)])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.province_code.choices = province_choices(_l("All of Cambodia or several provinces"))
        self.metric.choices = [(key, label) for key, label in METRIC_LABELS.items()]
        self.unit.choices = [(key, label) for key, label in UNIT_LABELS.items()]

    def validate_season(self, field: Any) -> None:
        parts = (field.data or "").split("-")
        if len(parts) == 2 and all(part.isdigit() for part in parts):
            if int(parts[1]) != int(parts[0]) + 1:
                raise ValidationError(_l("A dry season runs over two years that follow each other, e.g. 2024-2025."))


FIGURE_TEXT_FIELDS = ("label", "source_title")
_with_languages(FigureForm, {"label": _text(_l("What the number counts, in words"), LABEL_MAX),
                             "source_title": _text(_l("The source, described in this language"), SOURCE_TITLE_MAX)})


class NewsForm(PortalForm):
    slug = StringField(_l("Web address name (slug)"), validators=[DataRequired(REQUIRED), Length(max=SLUG_MAX),
                                                                  SLUG_RULE])
    published_on = DateField(_l("Date"), validators=[DataRequired(REQUIRED)])
    source_publisher = StringField(_l("Source: publisher"), validators=[Optional(), Length(max=SOURCE_PUBLISHER_MAX)])
    source_title = StringField(_l("Source: title"), validators=[Optional(), Length(max=SOURCE_TITLE_MAX)])
    source_year = IntegerField(_l("Source: year"), validators=[Optional(), NumberRange(min=1979, max=2100)])
    published = BooleanField(_l("Published (shown on the public site)"), default=True)
    is_sample = BooleanField(_l("Sample data (shows a “sample data” label)"))


NEWS_TEXT_FIELDS = ("title", "summary", "body", "source_title")
_with_languages(NewsForm, {
    "title": _text(_l("Title"), TITLE_MAX),
    "summary": lambda lang: TextAreaField(_l("Summary"), validators=[Optional(), Length(max=SUMMARY_MAX)],
                                          render_kw={"lang": lang, "rows": 3}),
    "body": _rich(_l("Text")),
    "source_title": _text(_l("The source, described in this language"), SOURCE_TITLE_MAX),
})
