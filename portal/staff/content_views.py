"""Editing the public content (editors and admins): monuments and their photos, pages, figures, news.

Views read forms and call ``portal.services.content_editing``, which does each change in one write
transaction: it cleans rich text, refreshes search text, marks cached pages stale and audits.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal import uploads
from portal.db import get_session
from portal.forms import ButtonForm, check_button
from portal.i18n import current_locale
from portal.models.content import Figure, Monument, MonumentPhoto, NewsItem, Page
from portal.models.staff import StaffRole
from portal.navigation import EDITABLE_PAGES
from portal.security import form_checks_csrf
from portal.services import content as content_service
from portal.services import content_editing
from portal.services.content_editing import Actor, ContentError, ContentNotFound
from portal.staff import bp
from portal.staff.access import current_actor, register_section, roles_required
from portal.staff.content_forms import (
    FIGURE_TEXT_FIELDS,
    MONUMENT_TEXT_FIELDS,
    NEWS_TEXT_FIELDS,
    PAGE_TEXT_FIELDS,
    FigureForm,
    MonumentForm,
    NewsForm,
    PageForm,
    PhotoForm,
    PhotoTextForm,
    fill_texts,
    texts_from,
)

EDITORS = (StaffRole.EDITOR,)  # admins are always admitted
CONTENT_ERRORS = {
    "slug already used": _l("Another item already uses this web address name."),
    "district is not in the province": _l("This district is not in the chosen province."),
    "an official figure needs its source": _l("An official figure needs its source: publisher and title."),
}

register_section("staff.content", _l("Public content"),
                 _l("Monuments, photos, the repatriation and help pages, figures and news, in three languages."),
                 order=40)


def _db() -> Any:
    return get_session()


def _content_error(form: Any, exc: ContentError, field_name: str = "slug") -> None:
    message = CONTENT_ERRORS.get(str(exc))
    field = getattr(form, field_name)
    field.errors = [*field.errors, str(message) if message else str(exc)]


def _get_or_404(model: Any, item_id: int, *options: Any) -> Any:
    item = _db().scalars(select(model).where(model.id == item_id).options(*options)).first()
    if item is None:
        abort(404)
    return item


# ---------------------------------------------------------------------------------------------
# Overview and what lacks a translation


@bp.get("/content/")
@roles_required(*EDITORS)
def content() -> ResponseReturnValue:
    db = _db()
    lang = current_locale()
    monuments = db.scalars(select(Monument).options(selectinload(Monument.texts)).order_by(Monument.slug)).all()
    figures = db.scalars(select(Figure).options(selectinload(Figure.texts))
                         .order_by(Figure.season.desc(), Figure.province_code, Figure.id)).all()
    news = db.scalars(select(NewsItem).options(selectinload(NewsItem.texts))
                      .order_by(NewsItem.published_on.desc(), NewsItem.id.desc())).all()
    return render_template(
        "staff/content/index.html",
        monuments=[(m, content_service.pick(m.texts, lang, "name")) for m in monuments],
        figures=[(f, content_service.pick(f.texts, lang, "label")) for f in figures],
        news=[(n, content_service.pick(n.texts, lang, "title")) for n in news],
        pages={slug: page.editor_label for slug, page in EDITABLE_PAGES.items()},
        missing_count=len(content_service.missing_translations(db, lang)),
    )


@bp.get("/content/missing-translations")
@roles_required(*EDITORS)
def content_missing() -> ResponseReturnValue:
    return render_template("staff/content/missing.html",
                           missing=content_service.missing_translations(_db(), current_locale()))


# ---------------------------------------------------------------------------------------------
# Monuments


def _monument_form_values(form: MonumentForm) -> dict[str, Any]:
    return {
        "slug": form.slug.data or "", "province_code": form.province_code.data or "",
        "district_code": form.district_code.data or None, "address": form.address.data or "",
        "latitude": float(form.latitude.data) if form.latitude.data is not None else None,
        "longitude": float(form.longitude.data) if form.longitude.data is not None else None,
        "built_year": form.built_year.data, "restored_year": form.restored_year.data,
        "is_sample": bool(form.is_sample.data), "published": bool(form.published.data),
        "position_approximate": bool(form.position_approximate.data),
        "texts": texts_from(form, MONUMENT_TEXT_FIELDS),
    }


@bp.route("/content/monuments/new", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*EDITORS)
def monument_new() -> ResponseReturnValue:
    form = MonumentForm()
    if form.validate_on_submit():
        try:
            monument = content_editing.edit_monument(_db(), None, actor=Actor.of(current_actor()),
                                                     **_monument_form_values(form))
        except ContentError as exc:
            _content_error(form, exc, "district_code" if "district" in str(exc) else "slug")
        else:
            flash(_("The monument was saved."), "ok")
            return redirect(url_for("staff.monument_edit", monument_id=monument.id))
    return render_template("staff/content/monument.html", form=form, monument=None)


@bp.route("/content/monuments/<int:monument_id>", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*EDITORS)
def monument_edit(monument_id: int) -> ResponseReturnValue:
    monument = _get_or_404(Monument, monument_id, selectinload(Monument.texts), selectinload(Monument.photos))
    if request.method == "GET":
        form = MonumentForm(obj=monument)
        fill_texts(form, monument.texts, MONUMENT_TEXT_FIELDS)
    else:
        form = MonumentForm()
    if form.validate_on_submit():
        try:
            content_editing.edit_monument(_db(), monument_id, actor=Actor.of(current_actor()),
                                          **_monument_form_values(form))
        except ContentNotFound:
            abort(404)
        except ContentError as exc:
            _content_error(form, exc, "district_code" if "district" in str(exc) else "slug")
        else:
            flash(_("The monument was saved."), "ok")
            return redirect(url_for("staff.monument_edit", monument_id=monument_id))
    return render_template("staff/content/monument.html", form=form, monument=monument,
                           photo_form=PhotoForm(formdata=None), button=ButtonForm(formdata=None),
                           photo_forms={p.id: _photo_text_form(p) for p in monument.photos})


def _photo_text_form(photo: MonumentPhoto) -> PhotoTextForm:
    form = PhotoTextForm(formdata=None, prefix=f"photo-{photo.id}", credit=photo.credit)
    for lang in ("vi", "km", "en"):
        getattr(form, f"alt_{lang}").data = photo.alt(lang)
    return form


@bp.post("/content/monuments/<int:monument_id>/delete")
@form_checks_csrf
@roles_required(*EDITORS)
def monument_delete(monument_id: int) -> ResponseReturnValue:
    check_button()
    try:
        content_editing.remove_monument(_db(), monument_id, actor=Actor.of(current_actor()))
    except ContentNotFound:
        abort(404)
    flash(_("The monument was deleted."), "ok")
    return redirect(url_for("staff.content"))


@bp.post("/content/monuments/<int:monument_id>/photos")
@form_checks_csrf
@roles_required(*EDITORS)
def monument_photo_add(monument_id: int) -> ResponseReturnValue:
    monument = _get_or_404(Monument, monument_id, selectinload(Monument.texts), selectinload(Monument.photos))
    photo_form = PhotoForm()
    if photo_form.validate_on_submit():
        max_bytes = int(current_app.config["MAX_PHOTO_MB"]) * 1024 * 1024
        try:
            clean = uploads.process_upload(photo_form.photo.data.stream, max_bytes=max_bytes)
        except uploads.PhotoError as exc:
            photo_form.photo.errors = [*photo_form.photo.errors,
                                       str(exc.message) % {"mb": current_app.config["MAX_PHOTO_MB"]}]
        else:
            try:
                content_editing.upload_photo(
                    _db(), monument_id, data=clean.data, content_type=clean.mime_type, width=clean.width,
                    height=clean.height, credit=photo_form.credit.data or "", is_sample=bool(photo_form.is_sample.data),
                    alts={lang: getattr(photo_form, f"alt_{lang}").data or "" for lang in ("vi", "km", "en")},
                    actor=Actor.of(current_actor()))
            except ContentNotFound:
                abort(404)
            flash(_("The photo was added."), "ok")
            return redirect(url_for("staff.monument_edit", monument_id=monument_id) + "#photos")
    form = MonumentForm(obj=monument)
    fill_texts(form, monument.texts, MONUMENT_TEXT_FIELDS)
    return render_template("staff/content/monument.html", form=form, monument=monument, photo_form=photo_form,
                           button=ButtonForm(formdata=None),
                           photo_forms={p.id: _photo_text_form(p) for p in monument.photos}), 400


@bp.post("/content/photos/<int:monument_photo_id>")
@form_checks_csrf
@roles_required(*EDITORS)
def monument_photo_edit(monument_photo_id: int) -> ResponseReturnValue:
    photo = _get_or_404(MonumentPhoto, monument_photo_id, selectinload(MonumentPhoto.monument))
    form = PhotoTextForm(prefix=f"photo-{photo.id}")
    if form.validate_on_submit():
        try:
            content_editing.edit_photo(
                _db(), monument_photo_id, credit=form.credit.data or "", actor=Actor.of(current_actor()),
                alts={lang: getattr(form, f"alt_{lang}").data or "" for lang in ("vi", "km", "en")})
        except ContentNotFound:
            abort(404)
        flash(_("The photo's descriptions were saved."), "ok")
    else:
        flash(_("The photo's descriptions could not be saved. Please check them and try again."), "error")
    return redirect(url_for("staff.monument_edit", monument_id=photo.monument_id) + f"#photo-{photo.id}")


@bp.post("/content/photos/<int:monument_photo_id>/delete")
@form_checks_csrf
@roles_required(*EDITORS)
def monument_photo_delete(monument_photo_id: int) -> ResponseReturnValue:
    check_button()
    try:
        monument_id = content_editing.remove_photo(_db(), monument_photo_id, actor=Actor.of(current_actor()))
    except ContentNotFound:
        abort(404)
    flash(_("The photo was removed."), "ok")
    return redirect(url_for("staff.monument_edit", monument_id=monument_id) + "#photos")


@bp.get("/content/photos/<int:monument_photo_id>/image")
@roles_required(*EDITORS)
def monument_photo_image(monument_photo_id: int) -> ResponseReturnValue:
    """The photo itself for the editing page (also for monuments that are not published yet)."""
    photo = _db().get(MonumentPhoto, monument_photo_id)
    if photo is None:
        abort(404)
    return Response(photo.data, mimetype=photo.content_type)


# ---------------------------------------------------------------------------------------------
# Pages


@bp.route("/content/pages/<page_slug>", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*EDITORS)
def page_edit(page_slug: str) -> ResponseReturnValue:
    if page_slug not in EDITABLE_PAGES:
        abort(404)
    db = _db()
    page = db.scalars(select(Page).where(Page.slug == page_slug).options(selectinload(Page.texts))).first()
    form = PageForm()
    if request.method == "GET" and page is not None:
        fill_texts(form, page.texts, PAGE_TEXT_FIELDS)
    if form.validate_on_submit():
        content_editing.edit_page(db, page_slug, texts=texts_from(form, PAGE_TEXT_FIELDS),
                                  actor=Actor.of(current_actor()))
        flash(_("The page was saved."), "ok")
        return redirect(url_for("staff.page_edit", page_slug=page_slug))
    return render_template("staff/content/page.html", form=form, page_slug=page_slug,
                           page_name=EDITABLE_PAGES[page_slug].editor_label,
                           public_endpoint=EDITABLE_PAGES[page_slug].endpoint)


# ---------------------------------------------------------------------------------------------
# Figures


def _figure_values(form: FigureForm) -> dict[str, Any]:
    return {
        "season": form.season.data or None, "province_code": form.province_code.data or None,
        "metric": form.metric.data or "other", "unit": form.unit.data or "sets", "value": int(form.value.data or 0),
        "source_publisher": form.source_publisher.data or "", "source_title": form.source_title.data or "",
        "source_year": form.source_year.data, "texts": texts_from(form, FIGURE_TEXT_FIELDS),
    }


@bp.route("/content/figures/new", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*EDITORS)
def figure_new() -> ResponseReturnValue:
    return _figure_page(None)


@bp.route("/content/figures/<int:figure_id>", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*EDITORS)
def figure_edit(figure_id: int) -> ResponseReturnValue:
    return _figure_page(_get_or_404(Figure, figure_id, selectinload(Figure.texts)))


def _figure_page(figure: Figure | None) -> ResponseReturnValue:
    if request.method == "GET" and figure is not None:
        form = FigureForm(obj=figure)
        form.province_code.data = figure.province_code or ""
        form.season.data = figure.season or ""
        fill_texts(form, figure.texts, FIGURE_TEXT_FIELDS)
    else:
        form = FigureForm()
    if form.validate_on_submit():
        try:
            saved = content_editing.edit_figure(_db(), figure.id if figure else None, actor=Actor.of(current_actor()),
                                                **_figure_values(form))
        except ContentNotFound:
            abort(404)
        except ContentError as exc:
            _content_error(form, exc, "source_publisher")
        else:
            flash(_("The figure was saved."), "ok")
            return redirect(url_for("staff.figure_edit", figure_id=saved.id))
    return render_template("staff/content/figure.html", form=form, figure=figure, button=ButtonForm(formdata=None))


@bp.post("/content/figures/<int:figure_id>/delete")
@form_checks_csrf
@roles_required(*EDITORS)
def figure_delete(figure_id: int) -> ResponseReturnValue:
    check_button()
    try:
        content_editing.remove_figure(_db(), figure_id, actor=Actor.of(current_actor()))
    except ContentNotFound:
        abort(404)
    flash(_("The figure was deleted."), "ok")
    return redirect(url_for("staff.content") + "#figures")


# ---------------------------------------------------------------------------------------------
# News


def _news_values(form: NewsForm) -> dict[str, Any]:
    return {
        "slug": form.slug.data or "", "published_on": form.published_on.data,
        "source_publisher": form.source_publisher.data or "", "source_title": form.source_title.data or "",
        "source_year": form.source_year.data, "is_sample": bool(form.is_sample.data),
        "published": bool(form.published.data), "texts": texts_from(form, NEWS_TEXT_FIELDS),
    }


@bp.route("/content/news/new", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*EDITORS)
def news_new() -> ResponseReturnValue:
    return _news_page(None)


@bp.route("/content/news/<int:news_id>", methods=["GET", "POST"])
@form_checks_csrf
@roles_required(*EDITORS)
def news_edit(news_id: int) -> ResponseReturnValue:
    return _news_page(_get_or_404(NewsItem, news_id, selectinload(NewsItem.texts)))


def _news_page(item: NewsItem | None) -> ResponseReturnValue:
    if request.method == "GET" and item is not None:
        form = NewsForm(obj=item)
        fill_texts(form, item.texts, NEWS_TEXT_FIELDS)
    else:
        form = NewsForm()
    if form.validate_on_submit():
        try:
            saved = content_editing.edit_news(_db(), item.id if item else None, actor=Actor.of(current_actor()),
                                              **_news_values(form))
        except ContentNotFound:
            abort(404)
        except ContentError as exc:
            _content_error(form, exc)
        else:
            flash(_("The news item was saved."), "ok")
            return redirect(url_for("staff.news_edit", news_id=saved.id))
    return render_template("staff/content/news.html", form=form, item=item, button=ButtonForm(formdata=None))


@bp.post("/content/news/<int:news_id>/delete")
@form_checks_csrf
@roles_required(*EDITORS)
def news_delete(news_id: int) -> ResponseReturnValue:
    check_button()
    try:
        content_editing.remove_news(_db(), news_id, actor=Actor.of(current_actor()))
    except ContentNotFound:
        abort(404)
    flash(_("The news item was deleted."), "ok")
    return redirect(url_for("staff.content") + "#news")

