"""The case-work settings a supervisor sets in the panel (venue settings, ``var/settings.json``): the
hours a complaint may wait for its answer before it goes to the manager, and the venue's fixed hours of
the handover with security (the manuals: 8 in the morning and 6 in the evening). Read afresh on every
use, so a change in the panel holds at once in every process."""
from __future__ import annotations

import re
from datetime import time

from broadcaster.cases.forms import Form
from broadcaster.cases.staff import SUPERVISOR_ROLES, Actor, actor
from broadcaster.settings import save_settings, stored_settings
from broadcaster.store.db import Database

DEFAULT_ANSWER_HOURS = 24.0
MAX_ANSWER_HOURS = 720          # 30 days
DEFAULT_SECURITY_TIMES = ("08:00", "18:00")
MAX_SECURITY_TIMES = 6


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
    f = Form(values)
    raw_hours = f.text("complaint_answer_hours", 20, required=True)
    hours = None
    if raw_hours:
        try:
            hours = float(raw_hours.replace(",", "."))
        except ValueError:
            hours = None
        if hours is None or not 1 <= hours <= MAX_ANSWER_HOURS:
            f.fail("complaint_answer_hours", "A number of hours from {low} to {high}.", low=1, high=MAX_ANSWER_HOURS)
    raw_times = f.text("security_handover_times", 200, required=True)
    times: set[time] = set()
    for part in filter(None, re.split(r"[\s,，、;；]+", raw_times)):
        m = re.fullmatch(r"(\d{1,2})(?:[:：](\d{2}))?", part)
        if m and int(m[1]) < 24 and int(m[2] or 0) < 60:
            times.add(time(int(m[1]), int(m[2] or 0)))
        else:
            f.fail("security_handover_times", "Times like 08:00, 18:00.")
    if len(times) > MAX_SECURITY_TIMES:
        f.fail("security_handover_times", "At most {limit} times a day.", limit=MAX_SECURITY_TIMES)
    f.done()
    with db.session() as s:
        actor(s, who, *SUPERVISOR_ROLES, action="change the case-work settings")
    save_settings({"complaint_answer_hours": hours,
                   "security_handover_times": [t.strftime("%H:%M") for t in sorted(times)]})
    return current()
