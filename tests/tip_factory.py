"""Making tips for tests through the real submission service."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy import update

from portal.db import new_session
from portal.models.tip import Tip
from portal.services.tips import SubmittedTip, TipInput, submit_tip
from portal.uploads import CleanPhoto, clean_photo


def photo(colour: str = "olive", size: tuple[int, int] = (64, 48)) -> CleanPhoto:
    """A real JPEG, cleaned as an upload would be."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return clean_photo(buffer.getvalue())


def make_tip(app: Flask, *, created_at: datetime | None = None, photos: int = 0,
             **fields: Any) -> SubmittedTip:
    data = TipInput(language=fields.pop("language", "km"),
                    what_seen=fields.pop("what_seen", "Graves near the old pagoda"), **fields)
    with app.app_context():
        session = new_session()
        try:
            submitted = submit_tip(session, data, [photo() for _ in range(photos)],
                                   receipt_key=app.config["RECEIPT_KEY"])
            if created_at is not None:
                session.execute(update(Tip).where(Tip.id == submitted.tip_id).values(created_at=created_at))
                session.commit()
        finally:
            session.close()
    return submitted
