"""Making sites and teams for tests through the real services."""

from __future__ import annotations

from flask import Flask

from portal.db import new_session, write_transaction
from portal.models.site import SearchTeam
from portal.models.staff import StaffUser
from portal.services import sites


def make_team(app: Flask, code: str = "K92", name: str = "An Giang provincial military command") -> int:
    with app.app_context():
        session = new_session()
        try:
            with write_transaction(session):
                team = SearchTeam(code=code, name=name, season="2025-2026", active=True, source="test")
                session.add(team)
                session.flush()
                return team.id
        finally:
            session.close()


def site_from_tips(app: Flask, staff_id: int, tip_ids: list[int], name: str = "Old pagoda") -> int:
    with app.app_context():
        session = new_session()
        try:
            actor = session.get(StaffUser, staff_id)
            assert actor is not None
            site = sites.create_site_from_tip(session, tip_ids[0], actor, name)
            for tip_id in tip_ids[1:]:
                sites.attach_tip(session, site.id, tip_id, actor)
            return site.id
        finally:
            session.close()
