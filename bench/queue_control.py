"""The queue control: the review queue's page 1 reduced to its query and its rows.

It runs the portal's own keyset query (``portal.services.queue.queue_statement``, built once at
start) on the benchmark's database through SQLAlchemy, as the portal does, and renders the 50 rows
— link, summary, status, place code, time, photo count, assignee — in a bare Jinja template: no
layout, no sign-in, no filters form, no translations. Served by gunicorn exactly like the portal,
on the same database (``BENCH_CONTROL_DB``, a SQLAlchemy URL); the queue's CPU target is a multiple
of this app's (issue 20).
"""

from __future__ import annotations

import os

from flask import Flask

from portal.db import make_engine
from portal.services.queue import PAGE_SIZE, QueueFilter, queue_statement

TEMPLATE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Queue</title></head><body>
<table>
{%- for r in rows %}
<tr><td><a href="/vi/staff/tips/{{ r[0] }}">#{{ r[0] }}</a> {{ (r[8] or r[9] or "") | truncate(90) }}</td>
<td>{{ r[1].value }}</td><td>{{ r[3] or r[2] or "—" }}</td><td>{{ r[4].isoformat() }}</td>
<td>{{ r[5] }}</td><td>{{ r[6] or "—" }}</td></tr>
{%- endfor %}
</table></body></html>"""

app = Flask(__name__)
engine = make_engine(os.environ.get("BENCH_CONTROL_DB", "sqlite://"))
STATEMENT = queue_statement(QueueFilter(), None, PAGE_SIZE)
PAGE = app.jinja_env.from_string(TEMPLATE)  # compiled once, as Flask keeps a template file


@app.get("/")
def ready() -> str:
    return "ready"


@app.get("/queue")
def queue_rows() -> str:
    with engine.connect() as connection:
        rows = connection.execute(STATEMENT).all()[:PAGE_SIZE]
    return PAGE.render(rows=rows)
