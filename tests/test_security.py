"""The security baseline: exact headers on every response, cookies, CSRF, secrets, limits."""

from __future__ import annotations

import pytest
from flask import Blueprint, render_template_string
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from portal.config import ConfigError, build_config
from portal.extensions import limiter
from portal.forms import PortalForm
from portal.security import form_checks_csrf
from tests.conftest import make_app

EXPECTED_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        "img-src 'self' data: https://tile.openstreetmap.org; font-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=(), usb=(), "
                          "interest-cohort=(), browsing-topics=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class NoteForm(PortalForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=100)])
    body = TextAreaField("Body", validators=[Length(max=2000)])


def _add_test_routes(app):
    """A form view and a rate-limited view, as the feature blueprints write them."""
    bp = Blueprint("testing", __name__)
    template = (
        "{% from '_macros.html' import field, form_errors %}"
        "<form method=post>{{ form_errors(form) }}{{ form.csrf_token }}{{ field(form.title) }}"
        "{{ field(form.body) }}</form>"
    )

    @bp.route("/<lang:lang>/testing/form", methods=["GET", "POST"])
    @form_checks_csrf
    def note():
        form = NoteForm()
        if form.validate_on_submit():
            return "saved:" + form.title.data
        return render_template_string(template, form=form)

    @bp.post("/<lang:lang>/testing/unmarked")
    def unmarked():
        return "acted"

    @bp.get("/<lang:lang>/testing/limited")
    @limiter.limit("1/minute")
    def limited():
        return "fine"

    @bp.get("/<lang:lang>/testing/boom")
    def boom():
        raise RuntimeError("secret internals")

    app.register_blueprint(bp)
    return app


@pytest.fixture
def strict_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True,
                   PROPAGATE_EXCEPTIONS=False)
    return _add_test_routes(app)


@pytest.mark.parametrize(("method", "path", "status"), [
    ("GET", "/vi/", 200),
    ("GET", "/km/privacy", 200),
    ("GET", "/", 302),
    ("GET", "/en/missing", 404),
    ("POST", "/vi/", 405),
    ("GET", "/vi/testing/boom", 500),
    ("POST", "/vi/testing/unmarked", 400),
    ("GET", "/healthz", 200),
    ("GET", "/static/css/site.css", 200),
])
def test_every_response_has_the_exact_security_headers(strict_app, method, path, status):
    response = strict_app.test_client().open(path, method=method)
    assert response.status_code == status
    for name, value in EXPECTED_HEADERS.items():
        assert response.headers.get(name) == value, name
    assert "Strict-Transport-Security" not in response.headers
    response.close()


def test_500_page_shows_no_stack_trace(strict_app):
    response = strict_app.test_client().get("/km/testing/boom")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "secret internals" not in html
    assert "Traceback" not in html
    assert '<html lang="km">' in html


def test_a_500_whose_error_page_breaks_too_is_still_translated_with_headers(strict_app):
    """When whatever broke the page breaks the error page as well, the answer is still ours: a plain,
    translated text with the security headers, not the server's bare page."""
    from jinja2 import ChoiceLoader, DictLoader

    strict_app.jinja_env.loader = ChoiceLoader([
        DictLoader({"errors/error.html": "{{ no_such_thing.attribute() }}"}), strict_app.jinja_env.loader])
    response = strict_app.test_client().get("/km/testing/boom")
    assert response.status_code == 500
    assert response.mimetype == "text/plain"
    assert "secret internals" not in response.get_data(as_text=True)
    assert response.get_data(as_text=True).startswith(str(_km_title(strict_app)))
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def _km_title(app):
    from flask_babel import force_locale

    from portal.errors import MESSAGES

    with app.test_request_context("/km/"), force_locale("km"):
        return str(MESSAGES[500][0])


def test_production_adds_hsts_and_secure_cookies(database_url, tmp_path):
    app = make_app(database_url, tmp_path, PORTAL_ENV="production")
    response = app.test_client().get("/vi/")
    assert response.headers["Strict-Transport-Security"] == "max-age=63072000; includeSubDomains"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("secret", [None, "", "dev-only-secret-key-do-not-use-in-production", "short"])
def test_production_refuses_a_missing_or_default_secret(secret, tmp_path):
    environ = {"PORTAL_ENV": "production", "PORTAL_RECEIPT_KEY": "r" * 40}
    if secret is not None:
        environ["PORTAL_SECRET_KEY"] = secret
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY"):
        build_config(str(tmp_path), environ=environ)


def test_production_refuses_a_default_receipt_key(tmp_path):
    environ = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "s" * 40}
    with pytest.raises(ConfigError, match="PORTAL_RECEIPT_KEY"):
        build_config(str(tmp_path), environ=environ)


@pytest.mark.parametrize("value", ["Production", "prod", "PRODUCTION", "production ", "staging", "dev"])
def test_an_unknown_environment_name_is_refused(value, tmp_path):
    """Anything but the two known names would run with development behaviour: refuse instead."""
    environ = {"PORTAL_ENV": value, "PORTAL_SECRET_KEY": "s" * 40, "PORTAL_RECEIPT_KEY": "r" * 40}
    with pytest.raises(ConfigError, match="PORTAL_ENV must be one of development, production"):
        build_config(str(tmp_path), environ=environ)


def test_development_makes_its_own_random_keys_and_keeps_them(tmp_path):
    first = build_config(str(tmp_path / "one"), environ={})
    again = build_config(str(tmp_path / "one"), environ={})
    other = build_config(str(tmp_path / "two"), environ={})
    for key in ("SECRET_KEY", "RECEIPT_KEY"):
        assert len(first[key]) >= 32
        assert first[key] == again[key]          # a restart keeps sessions and receipt codes working
        assert first[key] != other[key]          # no two instances share a key
        path = tmp_path / "one" / f"{key.lower()}.key"
        assert path.stat().st_mode & 0o077 == 0  # readable by the owner only
    assert first["SECRET_KEY"] != first["RECEIPT_KEY"]
    from pathlib import Path

    import portal.config

    assert first["SECRET_KEY"] not in Path(portal.config.__file__).read_text(encoding="utf-8")


@pytest.mark.parametrize("public", ["dev-only-secret-key-do-not-use-in-production",
                                    "dev-only-receipt-key-do-not-use-in-production"])
def test_keys_published_in_old_code_are_refused_everywhere(public, tmp_path):
    with pytest.raises(ConfigError):
        build_config(str(tmp_path), environ={"PORTAL_SECRET_KEY": public})
    with pytest.raises(ConfigError):
        build_config(str(tmp_path), environ={"PORTAL_RECEIPT_KEY": public})


def test_production_refuses_the_same_value_for_both_keys(tmp_path):
    environ = {"PORTAL_ENV": "production", "PORTAL_SECRET_KEY": "k" * 40, "PORTAL_RECEIPT_KEY": "k" * 40}
    with pytest.raises(ConfigError, match="two different values"):
        build_config(str(tmp_path), environ=environ)


def test_a_session_signed_with_the_old_public_key_is_not_accepted(database_url, tmp_path):
    """A development instance without PORTAL_SECRET_KEY: the key once printed in the code forges nothing."""
    import time

    from flask.sessions import SecureCookieSessionInterface
    from itsdangerous import URLSafeTimedSerializer

    from tests.staff_fixtures import create_staff

    app = make_app(database_url, tmp_path, SECRET_KEY=None)
    admin = create_staff(app, "admin")
    now = int(time.time())

    interface = SecureCookieSessionInterface()
    forged = URLSafeTimedSerializer(
        "dev-only-secret-key-do-not-use-in-production", salt=interface.salt, serializer=interface.serializer,
        signer_kwargs={"key_derivation": interface.key_derivation, "digest_method": interface.digest_method},
    ).dumps({"staff": {"id": admin.id, "gen": 0, "since": now, "seen": now}})
    client = app.test_client()
    client.set_cookie("portal", forged)
    response = client.get("/vi/staff/queue")
    assert response.status_code == 302
    assert "/vi/staff/login" in response.location


def test_wsgi_entry_point_refuses_to_start_in_production_without_secrets(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", "import portal.wsgi"], capture_output=True, text=True, check=False,
        env={"PORTAL_ENV": "production", "PORTAL_DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "PATH": ""},
    )
    assert result.returncode != 0
    assert "PORTAL_SECRET_KEY must be set" in result.stderr


def test_development_cookies_are_httponly_and_lax(app):
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_trusted_proxies_setting_reads_forwarded_address(database_url, tmp_path):
    from flask import request

    app = make_app(database_url, tmp_path, TRUSTED_PROXIES=1)
    with app.test_request_context("/vi/", headers={"X-Forwarded-For": "203.0.113.9"},
                                  environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        # The request goes through ProxyFix only in the WSGI pipeline; check that it is installed.
        assert type(app.wsgi_app).__name__ == "ProxyFix"
        assert request.remote_addr == "127.0.0.1"
    no_proxy = make_app(database_url, tmp_path)
    assert type(no_proxy.wsgi_app).__name__ != "ProxyFix"


def test_post_without_csrf_token_is_refused_and_not_acted_on(strict_app):
    response = strict_app.test_client().post("/km/testing/unmarked")
    assert response.status_code == 400
    assert "acted" not in response.get_data(as_text=True)
    assert '<html lang="km">' in response.get_data(as_text=True)


def test_expired_csrf_token_reshows_the_form_with_its_text(strict_app):
    client = strict_app.test_client()
    client.get("/vi/testing/form")
    response = client.post("/vi/testing/form", data={
        "csrf_token": "expired-or-forged", "title": "Mộ ở gần chùa", "body": "ផ្នូរនៅជិតវត្ត\ndòng hai",
    })
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "saved:" not in html
    assert 'id="csrf-error"' in html
    assert 'value="Mộ ở gần chùa"' in html
    assert "ផ្នូរនៅជិតវត្ត\ndòng hai</textarea>" in html
    assert 'name="csrf_token" type="hidden" value="' in html  # a fresh token to send it again


def test_form_with_a_valid_token_is_accepted(strict_app):
    import re

    client = strict_app.test_client()
    html = client.get("/vi/testing/form").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post("/vi/testing/form", data={"csrf_token": token, "title": "ok"})
    assert response.get_data(as_text=True) == "saved:ok"


def test_submitted_text_is_normalised_and_stripped_of_control_characters(app):
    _add_test_routes(app)
    response = app.test_client().post("/vi/testing/form", data={
        "title": "  Tu\u031bo\u031b\u0300ng\x00 \x1bđa\u0300i\x07  ", "body": "a\r\nb\x0bc",
    })
    assert response.get_data(as_text=True) == "saved:Tường đài"


def test_rate_limit_answers_with_a_translated_429(strict_app):
    client = strict_app.test_client()
    assert client.get("/km/testing/limited").status_code == 200
    response = client.get("/km/testing/limited")
    assert response.status_code == 429
    assert '<html lang="km">' in response.get_data(as_text=True)


def test_request_body_is_limited(app):
    _add_test_routes(app)
    assert app.config["MAX_CONTENT_LENGTH"] == (5 * 10 + 2) * 1024 * 1024
    response = app.test_client().post("/vi/testing/form", data=b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1),
                                      content_type="application/octet-stream")
    assert response.status_code == 413


def test_trusted_hosts_refuse_a_forged_host_header(database_url, tmp_path):
    from portal.config import from_environment

    assert from_environment({"PORTAL_TRUSTED_HOSTS": "portal.example, www.portal.example"})["TRUSTED_HOSTS"] == [
        "portal.example", "www.portal.example"]
    app = make_app(database_url, tmp_path, TRUSTED_HOSTS=["portal.example"])
    client = app.test_client()
    assert client.get("/vi/", headers={"Host": "portal.example"}).status_code == 200
    forged = client.get("/vi/", headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert "evil.example" not in forged.get_data(as_text=True)
