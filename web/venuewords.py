"""The venue in the staff's words, for every page and the words modules: its services, times in its
time zone written the UI language's way, and its sound zones by what staff call them."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from broadcaster.cases.numbering import venue_tz
from web.services import Services


def svc() -> Services:
    return current_app.extensions["pa"]


def tz() -> ZoneInfo:
    return svc().tz or venue_tz()


def babel_locale() -> str:
    """The UI language as a Babel locale (English with a 24-hour clock and day-month order)."""
    from web.i18n import current_language

    return "zh_CN" if current_language() == "zh" else "en_GB"


def local(at: datetime | str | None, fmt: str | None = None) -> str:
    """A time in the venue's zone, written the UI language's way by Babel (a datetime, or an ISO string
    as the now-playing JSON carries it): ``fmt`` None (date and time), "date", "time", "seconds", a
    Babel pattern (``"EEEE"``), or an strftime one (digits only, the same in every language)."""
    from babel.dates import format_date, format_datetime, format_time

    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            return "-"
    if not at:
        return "-"
    at, loc = at.astimezone(tz()), babel_locale()
    if fmt and "%" in fmt:
        return at.strftime(fmt)
    if fmt == "date":
        return format_date(at, "medium", locale=loc)
    if fmt in ("time", "seconds"):
        return format_time(at, "HH:mm" if fmt == "time" else "HH:mm:ss", locale=loc)
    return format_datetime(at, fmt or "short", locale=loc)


def zone_label(zone) -> str:
    """A sound zone (its id, as stored) by what staff call it in the UI language: the venue's name for it,
    the default zone as 全场 / "Whole venue" (broadcaster.venue.zone_names), else the id as configured."""
    from broadcaster.venue import zone_names
    from web.i18n import current_language

    zone = str(zone or "")
    names = zone_names(svc().settings, zone) if zone else {}
    return names.get("zh-CN" if current_language() == "zh" else "en") or zone
