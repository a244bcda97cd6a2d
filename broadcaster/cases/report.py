"""The desk's monthly report (每月整理、总结、统计报主管上级): per case kind the count, how many were
resolved and the median time to resolve; missing persons reunited within 10 and 30 minutes; complaint
categories and channels; follow-up visits' satisfaction, attitude and timeliness
(calls that did not reach the visitor are counted apart, without scores). A case belongs to
the venue-local month it was opened (reported, received, found) in; a visit to the month it was made.

What "resolved" means per kind: a missing-person case when the person is found or reunited (else
closed); lost property when handed back; a complaint when the visitor was answered; an incident when
closed. ``rows()`` flattens the report for CSV; the PDF is ``broadcaster.cases.report_pdf``.
"""
from __future__ import annotations

from datetime import datetime
from statistics import mean, median
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from broadcaster.cases.numbering import venue_tz
from broadcaster.cases.stats import month_bounds
from broadcaster.errors import ValidationError
from broadcaster.store.db import Database
from broadcaster.store.models.cases import LostItem, PersonCase
from broadcaster.store.models.desk import (Complaint, ComplaintCategory, ComplaintChannel, FollowUpVisit, Incident,
                                           IncidentState)

KINDS = ("person", "lost_item", "complaint", "incident")
SCORES = ("satisfaction", "attitude", "timeliness")


def parse_month(value: str | None, now: datetime, tz: ZoneInfo) -> tuple[int, int]:
    """``YYYY-MM`` (default: this venue month)."""
    if not value:
        local = now.astimezone(tz)
        return local.year, local.month
    try:
        year, month = (int(x) for x in value.strip().split("-"))
        month_bounds(year, month, tz)
    except (ValueError, ValidationError):
        raise ValidationError("month: use YYYY-MM, e.g. 2026-11") from None
    return year, month


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() / 60 if start and end and end >= start else None


def _summary(times: list[float | None], count: int) -> dict:
    done = [t for t in times if t is not None]
    return {"count": count, "resolved": len(done), "median_minutes": round(median(done), 1) if done else None}


def monthly_report(db: Database, year: int, month: int, tz: ZoneInfo | None = None) -> dict:
    tz = tz or venue_tz()
    start, end = month_bounds(year, month, tz)
    with db.session() as s:
        people = list(s.scalars(select(PersonCase).where(PersonCase.created_at >= start, PersonCase.created_at < end)))
        items = list(s.scalars(select(LostItem).options(selectinload(LostItem.claim))
                               .where(LostItem.found_at >= start, LostItem.found_at < end)))
        complaints = list(s.scalars(select(Complaint).where(Complaint.received_at >= start,
                                                            Complaint.received_at < end)))
        incidents = list(s.scalars(select(Incident).options(selectinload(Incident.steps))
                                   .where(Incident.occurred_at >= start, Incident.occurred_at < end)))
        visits = list(s.scalars(select(FollowUpVisit).where(FollowUpVisit.done_at >= start,
                                                            FollowUpVisit.done_at < end)))
    kinds: dict[str, dict] = {}
    person_times = [_minutes(c.created_at, c.reunited_at or c.found_at or c.closed_at) for c in people]
    reunite = [m for m in (_minutes(c.created_at, c.reunited_at) for c in people) if m is not None]
    kinds["person"] = {**_summary(person_times, len(people)),
                       "children": sum(c.is_child for c in people),
                       "reunited": len(reunite),
                       "within_10": sum(m <= 10 for m in reunite), "within_30": sum(m <= 30 for m in reunite)}
    kinds["lost_item"] = _summary([_minutes(i.found_at, i.claim.handed_over_at if i.claim else None) for i in items],
                                  len(items))
    kinds["complaint"] = {**_summary([_minutes(c.received_at, c.answered_at) for c in complaints], len(complaints)),
                          "closed": sum(c.closed_at is not None for c in complaints),
                          "by_category": {k.value: sum(c.category is k for c in complaints) for k in ComplaintCategory},
                          "by_channel": {k.value: sum(c.channel is k for c in complaints) for k in ComplaintChannel}}
    kinds["incident"] = {**_summary([_minutes(i.occurred_at, i.closed_at) for i in incidents], len(incidents)),
                         "hospital": sum(any(st.step == IncidentState.HOSPITAL.value for st in i.steps)
                                         for i in incidents)}
    satisfaction = {}
    for kind in KINDS:
        mine = [v for v in visits if v.case_kind == kind and not v.unreachable]
        satisfaction[kind] = {"visits": len(mine),
                              "unreachable": sum(v.case_kind == kind and v.unreachable for v in visits), **{
            score: round(mean(getattr(v, score) for v in mine if getattr(v, score)), 2)
            if any(getattr(v, score) for v in mine) else None for score in SCORES}}
    return {"month": f"{year:04d}-{month:02d}", "kinds": kinds, "satisfaction": satisfaction}


def duration(minutes: float | None) -> str:
    """A median time as staff read it: "8 min", "3.5 h", "2.1 d"."""
    if minutes is None:
        return "–"
    if minutes < 90:
        return f"{minutes:.0f} min"
    if minutes < 48 * 60:
        return f"{minutes / 60:.1f} h"
    return f"{minutes / 1440:.1f} d"


def rows(report: dict) -> list[tuple[str, str, str]]:
    """(case kind, measure, value) for every figure of the report (English keys, for CSV and PDF)."""
    out: list[tuple[str, str, str]] = []
    for kind in KINDS:
        k = report["kinds"][kind]
        out += [(kind, "count", str(k["count"])), (kind, "resolved", str(k["resolved"])),
                (kind, "median time to resolve", duration(k["median_minutes"]))]
        if kind == "person":
            out += [(kind, "children", str(k["children"])), (kind, "reunited", str(k["reunited"])),
                    (kind, "reunited within 10 min", str(k["within_10"])),
                    (kind, "reunited within 30 min", str(k["within_30"]))]
        if kind == "complaint":
            out += [(kind, "closed", str(k["closed"]))]
            out += [(kind, f"category: {cat}", str(n)) for cat, n in k["by_category"].items()]
            out += [(kind, f"channel: {ch}", str(n)) for ch, n in k["by_channel"].items()]
        if kind == "incident":
            out += [(kind, "taken to hospital", str(k["hospital"]))]
        sat = report["satisfaction"][kind]
        out += [(kind, "follow-up visits", str(sat["visits"])),
                (kind, "visits not reached", str(sat["unreachable"]))]
        out += [(kind, f"average {score}", "–" if sat[score] is None else f"{sat[score]:.2f}") for score in SCORES]
    return out
