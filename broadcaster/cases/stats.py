"""Monthly statistics per case kind: counts by state, median time to reunite; lost property counts.

A case or item belongs to the venue-local month it was opened / found in.
"""
from __future__ import annotations

from datetime import date, datetime, time
from statistics import median
from zoneinfo import ZoneInfo

from sqlalchemy import select

from broadcaster.store.db import Database
from broadcaster.errors import ValidationError
from broadcaster.cases.numbering import venue_tz
from broadcaster.store.models.cases import CaseKind, CaseState, FollowUp, LostItem, LostItemState, PersonCase


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    if not 1 <= month <= 12:
        raise ValidationError(f"month: 1-12, got {month}")
    start = datetime.combine(date(year, month, 1), time(), tz)
    end = datetime.combine(date(year + month // 12, month % 12 + 1, 1), time(), tz)
    return start, end


def monthly_stats(db: Database, year: int, month: int, tz: ZoneInfo | None = None) -> dict:
    start, end = month_bounds(year, month, tz or venue_tz())
    with db.session() as s:
        cases = list(s.scalars(select(PersonCase).where(PersonCase.created_at >= start,
                                                        PersonCase.created_at < end)))
        followed = set(s.scalars(select(FollowUp.case_id)))
        items = list(s.scalars(select(LostItem).where(LostItem.found_at >= start, LostItem.found_at < end)))
    out: dict = {"month": f"{year:04d}-{month:02d}", "cases": {}, "lost_property": {}}
    for kind in CaseKind:
        mine = [c for c in cases if c.kind is kind]
        minutes = [(c.reunited_at - c.created_at).total_seconds() / 60 for c in mine if c.reunited_at]
        closed = [c for c in mine if c.state is CaseState.CLOSED]
        out["cases"][kind.value] = {
            "total": len(mine),
            "children": sum(c.is_child for c in mine),
            "by_state": {st.value: sum(c.state is st for c in mine) for st in CaseState},
            "escalated": sum(c.escalated_at is not None for c in mine),
            "reunited": len(minutes),
            "median_minutes_to_reunite": round(median(minutes), 1) if minutes else None,
            "followed_up": sum(c.id in followed for c in closed),
        }
    out["lost_property"] = {"registered": len(items),
                            **{st.value: sum(i.state is st for i in items) for st in LostItemState}}
    return out
