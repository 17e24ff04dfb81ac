"""Demo content for the embedded default. Invented content is labelled as sample data.

Each feature adds its loader to ``LOADERS``; a loader takes a Session, adds rows and returns
a one-line summary of what it added.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from portal.services.content_demo import load_demo_content
from portal.services.tips import load_demo_tips

Loader = Callable[[Session], str]
LOADERS: list[Loader] = []
LOADERS.append(load_demo_content)
LOADERS.append(load_demo_tips)


def load_demo(session: Session) -> list[str]:
    """Run every loader once, each in its own transaction; loaders skip content already there."""
    summaries = []
    for loader in LOADERS:
        summaries.append(loader(session))
        session.commit()
    return summaries
