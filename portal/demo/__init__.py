"""Demo content for the embedded default (``flask demo``). Invented content is labelled as sample data.

Nothing the portal does depends on this package: it only adds rows through the services.
``content`` holds the cited demo pages, news and figures, ``tips`` the sample tips. Each loader
takes a Session, adds rows and returns a one-line summary of what it added.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from portal.demo.content import load_demo_content
from portal.demo.tips import load_demo_tips

Loader = Callable[[Session], str]
LOADERS: list[Loader] = [load_demo_content, load_demo_tips]


def load_demo(session: Session) -> list[str]:
    """Run every loader once, each in its own transaction; loaders skip content already there."""
    summaries = []
    for loader in LOADERS:
        summaries.append(loader(session))
        session.commit()
    return summaries
