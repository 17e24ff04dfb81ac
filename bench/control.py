"""The control: a hello-world Flask app, served by gunicorn exactly like the portal.

Its requests per second are the yardstick of the benchmark: every figure of the portal is given
as a ratio to this app, measured in the same run on the same machine.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
