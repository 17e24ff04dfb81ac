"""The stack control: the durable-write control done with the libraries the portal is built on.

The same 28-part ``multipart/form-data`` body (``bench/wrk/post_tip.lua``) and the same one durable
insert as ``bench/durable_control.py``, but as the portal's stack does it, and nothing else:

- Flask's signed session cookie, holding the CSRF secret, checked by Flask-WTF's ``CSRFProtect``;
- a Flask-Limiter limit on the view (moving window, in memory, as ``bench/run`` starts the portal);
- a Flask-WTF form of the same 26 fields, each a ``StringField`` with a length cap, validated;
- one SQLAlchemy 2 session, ``BEGIN IMMEDIATE`` from the engine's ``begin`` event (as ``portal.db``
  does on SQLite), a Core insert and a commit (WAL, ``synchronous=FULL``);
- a small Jinja page with a fresh code, gzip-compressed.

No audit row, no text cleaning, no place check, no receipt scheme, no security headers: what the
portal does beyond this is its own work, and ``bench/run`` reports the tip POST against this
control beside the durable-write one (no target; issue 20 asks for the durable-write ratio).
It stores into the durable-write control's table (``BENCH_CONTROL_DB``), with its own run tag.
"""

from __future__ import annotations

import gzip
import os
import secrets
from typing import Any

from flask import Flask, Response
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, generate_csrf
from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine, event, insert
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session
from wtforms import StringField
from wtforms.validators import Length, Optional

from bench import durable_control
from bench.durable_control import FIELDS, TABLE

FORM_FIELDS = tuple(name for name in FIELDS if name != "csrf_token")
MAX_LENGTH = 4000
PAGE = ("<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Received</title><main>"
        "<h1>Thank you</h1><p>Your receipt code: <strong>{{ code }}</strong></p></main>")


def make_engine(target: str) -> Engine:
    if target.startswith(("postgresql://", "postgres://")):
        return create_engine(make_url(target).set(drivername="postgresql+psycopg"))
    # The durable-write control's own connections (WAL, synchronous=FULL, no driver transactions);
    # SQLAlchemy begins each transaction as portal.db does.
    engine = create_engine("sqlite://", creator=lambda: durable_control._connect(target))

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class TipForm(FlaskForm):
    """The tip's 26 fields, each only capped in length. ``CSRFProtect`` checks the token once before
    the view (as the portal checks it once, in its form): the form does not check it again."""

    class Meta:
        csrf = False


for _name in FORM_FIELDS:
    setattr(TipForm, _name, StringField(_name, validators=[Optional(), Length(max=MAX_LENGTH)]))

app = Flask(__name__)
# One key for every worker (bench/run sets it): a cookie signed by one must be read by the others.
app.config.update(SECRET_KEY=os.environ.get("BENCH_CONTROL_SECRET") or secrets.token_hex(32),
                  WTF_CSRF_TIME_LIMIT=None)
CSRFProtect(app)
limiter = Limiter(get_remote_address, app=app, storage_uri="memory://", strategy="moving-window")
engine = make_engine(os.environ.get("BENCH_CONTROL_DB", ":memory:"))
table = Table(TABLE, MetaData(), Column("id", Integer, primary_key=True),
              *(Column(name, Text, nullable=False) for name in FIELDS))
page_template = app.jinja_env.from_string(PAGE)  # compiled once, as Flask keeps a template file


@app.get("/")
def form() -> str:
    """The CSRF token in a form field, as the tip form carries it; the session cookie comes with it."""
    return f'<input type="hidden" name="csrf_token" value="{generate_csrf()}">'


@app.post("/tip")
@limiter.limit("1000000/hour")
def store_tip() -> Response | tuple[str, int]:
    tip = TipForm()
    if not tip.validate():
        return "invalid", 400
    values = {name: tip[name].data or "" for name in FORM_FIELDS}
    with Session(engine) as session, session.begin():
        session.connection().execute(insert(table), {**values, "csrf_token": ""})
    page = page_template.render(code=secrets.token_hex(8))
    response = Response(gzip.compress(page.encode("utf-8"), compresslevel=6), 201, mimetype="text/html")
    response.headers["Content-Encoding"] = "gzip"
    return response
