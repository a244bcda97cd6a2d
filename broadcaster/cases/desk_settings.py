"""The case-work settings a supervisor sets in the panel (the venue settings, in the database): the
hours a complaint may wait for its answer before it goes to the manager, and the venue's fixed hours of
the handover with security (the manuals: 8 in the morning and 6 in the evening). Read afresh on every
use, so a change in the panel holds at once in every process."""
from __future__ import annotations

from datetime import time

from broadcaster.cases.staff import SUPERVISOR_ROLES, Actor, actor
from broadcaster.inputs import parse
from broadcaster.inputs_cases import MAX_ANSWER_HOURS, CaseWorkSettings
from broadcaster.settings import save_settings, stored_settings
from broadcaster.store.db import Database

DEFAULT_ANSWER_HOURS = 24.0
DEFAULT_SECURITY_TIMES = ("08:00", "18:00")


def answer_hours() -> float:
    """The venue's time to answer a complaint before it goes to the manager (hours)."""
    try:
        hours = float(stored_settings().get("complaint_answer_hours") or DEFAULT_ANSWER_HOURS)
    except (TypeError, ValueError):
        hours = DEFAULT_ANSWER_HOURS
    return hours if 0 < hours <= MAX_ANSWER_HOURS else DEFAULT_ANSWER_HOURS


def security_times() -> list[time]:
    """The fixed hours of the handover with security, earliest first."""
    stored = stored_settings().get("security_handover_times")
    try:
        return sorted({time.fromisoformat(x) for x in stored}) if stored else _defaults()
    except (TypeError, ValueError):
        return _defaults()


def _defaults() -> list[time]:
    return [time.fromisoformat(x) for x in DEFAULT_SECURITY_TIMES]


def current() -> dict[str, str]:
    """The settings as the panel's form shows them."""
    hours = answer_hours()
    return {"complaint_answer_hours": f"{hours:g}",
            "security_handover_times": ", ".join(t.strftime("%H:%M") for t in security_times())}


def save(db: Database, who: Actor, values: dict) -> dict[str, str]:
    """Check both settings (every problem at once) and store them; supervisors and admins only."""
    v = parse(CaseWorkSettings, values)
    with db.session() as s:
        actor(s, who, *SUPERVISOR_ROLES, action="change the case-work settings")
    save_settings({"complaint_answer_hours": v.complaint_answer_hours,
                   "security_handover_times": [t.strftime("%H:%M") for t in v.security_handover_times]}, db)
    return current()
