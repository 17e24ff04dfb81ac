"""Search teams of a dry season: data, seeded from public reports and edited by admins.

Only teams a public report names are seeded (``SOURCED_TEAMS``). Việt Nam keeps 11 teams in
Cambodia in 2025–2026 (FACTS.md, source 1); the others are added by an admin on the teams page when
a source names them. Every change is audited.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.db import write_transaction
from portal.models.site import SearchTeam
from portal.models.staff import StaffUser
from portal.services.audit import record

SEASON = "2025-2026"


@dataclass(frozen=True)
class TeamSeed:
    code: str
    name: str
    source: str


# Each with the public report that names it (publisher, date, title as described; address where known).
SOURCED_TEAMS: tuple[TeamSeed, ...] = (
    TeamSeed("K92", "Bộ Chỉ huy Quân sự tỉnh An Giang",
             "TTXVN, 6 Oct 2025: An Giang–Koh Kong cooperation minutes, phase 25, dry season 2025–2026"),
    TeamSeed("K93", "Bộ Chỉ huy Quân sự tỉnh An Giang",
             "VietnamPlus, Jul 2025: Takeo and Kampong Speu (vietnamplus.vn/…-post1050657.vnp)"),
    TeamSeed("K70", "Ban Chỉ đạo 515 tỉnh Tây Ninh",
             "VietnamPlus (TTXVN), 11 Dec 2025: phase 25, dry season 2025–2026 (…-post1082318.vnp)"),
    TeamSeed("K71", "Ban Chỉ đạo 515 tỉnh Tây Ninh",
             "VietnamPlus (TTXVN), 11 Dec 2025: phase 25, dry season 2025–2026 (…-post1082318.vnp)"),
    TeamSeed("K73", "Ban Chỉ đạo 515 tỉnh Tây Ninh",
             "VietnamPlus (TTXVN), 11 Dec 2025: phase 25, dry season 2025–2026 (…-post1082318.vnp)"),
    TeamSeed("K53", "Bộ Chỉ huy Quân sự tỉnh Quảng Ngãi",
             "VietnamPlus, 17 Dec 2025: dry season 2025–2026, Laos and Ratanakiri (…-post1083572.vnp)"),
    TeamSeed("K91", "Bộ Chỉ huy Quân sự tỉnh Đồng Tháp",
             "Báo Quân khu 9 (undated): Pursat and Prey Veng; 2025–2026 not confirmed"),
    TeamSeed("K90", "Quân khu 9",
             "QĐND, 2015: Kandal and Kampong Chhnang; 2025–2026 not confirmed"),
)


class TeamError(ValueError):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def seed_teams(session: Session, actor_name: str = "command line") -> list[str]:
    """Add the sourced teams that are missing; returns the codes added."""
    with write_transaction(session):
        have = set(session.scalars(select(SearchTeam.code)))
        added = []
        for seed in SOURCED_TEAMS:
            if seed.code not in have:
                session.add(SearchTeam(code=seed.code, name=seed.name, season=SEASON, active=True,
                                       source=seed.source))
                added.append(seed.code)
        if added:
            record(session, "team.seeded", actor_name=actor_name, subject="teams", codes=added)
        return added


def teams(session: Session) -> list[SearchTeam]:
    return list(session.scalars(select(SearchTeam).order_by(SearchTeam.code)))


def save_team(session: Session, actor: StaffUser, *, team_id: int | None, code: str, name: str, season: str,
              source: str, active: bool = True) -> SearchTeam:
    """Add a team (``team_id`` None) or change one; codes are unique."""
    code = code.strip().upper()
    with write_transaction(session):
        clash = session.scalar(select(SearchTeam.id).where(SearchTeam.code == code))
        if clash is not None and clash != team_id:
            raise TeamError("code_taken")
        team = session.get(SearchTeam, team_id) if team_id else SearchTeam()
        if team is None:
            raise TeamError("not_found")
        team.code, team.name, team.season, team.source, team.active = code, name.strip(), season, source.strip(), active
        session.add(team)
        session.flush()
        record(session, "team.saved", actor_id=actor.id, actor_name=actor.username, subject=f"team:{team.id}",
               code=code, season=season, active=active)
        return team
