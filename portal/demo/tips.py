"""Sample tips for the demo: a few invented tips, each marked ``[Sample]`` (:data:`SAMPLE_PREFIX`).

The tipster's status page reads :data:`SAMPLE_PREFIX` to say that a tip is a sample.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.models.tip import AuthorKind, HowKnown, LocationSource, Tip, TipChannel, TipMessage, TipStatus, tipster_time
from portal.services import receipts
from portal.services.tips import build_search_text

SAMPLE_PREFIX = "[Sample]"


@dataclass
class _SampleTip:
    place: tuple[str | None, ...]
    description: str
    what_seen: str
    period: str
    how_known: HowKnown | None
    graves: int | None
    language: str
    status: TipStatus = TipStatus.NEW
    coordinates: tuple[float, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


SAMPLE_TIPS = (
    _SampleTip(("03", "0305", None, None), "Behind the old pagoda, near two tamarind trees by the pond.",
               "My father showed me where soldiers were buried after the fighting. We put incense there "
               "every year.", "1979", HowKnown.TOLD, 3, "km", TipStatus.NEW,
               extra={"on_behalf": True, "on_behalf_relationship": "Village chief, writing for an elder"}),
    _SampleTip(("17", None, None, None), "Edge of a rice field, about 2 km east of the district market.",
               "I saw a small mound with a broken wooden marker when I was a child.", "about 1980",
               HowKnown.SAW, 1, "vi", TipStatus.IN_REVIEW, (13.36, 103.86)),
    _SampleTip(("02", None, None, None), "Near the railway line, under a large mango tree.",
               "A letter from a comrade names this place as where our unit buried two men.",
               "dry season 1984–1985", HowKnown.DOCUMENTS, 2, "vi", TipStatus.PASSED_TO_TEAM,
               extra={"fallen_unit": "Sample unit name", "fallen_hometown": "Sample hometown"}),
    _SampleTip(("21", None, None, None), "Old rubber plantation road, third bend.",
               "People in the village talk about graves there.", "", HowKnown.TOLD, None, "en",
               TipStatus.VERIFIED),
)


def load_demo_tips(session: Session) -> str:
    """A few sample tips, each marked ``[Sample]``; their receipt codes are printed for trying out."""
    from flask import current_app

    existing = session.scalar(select(Tip.id).where(Tip.place_description.startswith(SAMPLE_PREFIX)))
    if existing is not None:
        return "Sample tips: already loaded"
    key = current_app.config["RECEIPT_KEY"]
    codes: list[str] = []
    for sample in SAMPLE_TIPS:
        province, district, commune, village = sample.place
        code = receipts.generate()
        now = tipster_time()
        tip = Tip(
            status=sample.status, created_at=now, updated_at=now,
            province_code=province, district_code=district, commune_code=commune, village_code=village,
            place_description=f"{SAMPLE_PREFIX} {sample.description}", local_name="",
            latitude=sample.coordinates[0] if sample.coordinates else None,
            longitude=sample.coordinates[1] if sample.coordinates else None,
            uncertainty_m=1000 if sample.coordinates else None,
            location_source=LocationSource.TYPED if sample.coordinates else None,
            what_seen=f"{SAMPLE_PREFIX} {sample.what_seen}", how_known=sample.how_known, period=sample.period,
            estimated_graves=sample.graves, fallen_names="", fallen_unit="", fallen_hometown="",
            on_behalf=False, anonymous=True, consent=False, language=sample.language,
            channel=TipChannel.WEB, receipt_hash=receipts.receipt_hash(code, key),
        )
        for name, value in sample.extra.items():
            setattr(tip, name, value)
        tip.search_text = build_search_text(tip)
        if sample.status != TipStatus.NEW:
            tip.messages = [TipMessage(author_kind=AuthorKind.STAFF, created_at=now,
                                       body=f"{SAMPLE_PREFIX} Thank you. Could you tell us how far the "
                                            "place is from the main road?")]
        session.add(tip)
        codes.append(code)
    return f"Sample tips: {len(codes)} added (receipt codes to try the follow-up page: {', '.join(codes)})"
