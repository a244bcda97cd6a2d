"""A fault as desk staff and supervisors read it: a headline in their words, by the fault's kind, that says
what happened and what to do (the dashboard's open faults, the fault log), and the text the system stored
(a sound device's own error, a hash, a player's name) kept apart for the technician. The stored row, the
CSV export and the API keep the message as stored."""
from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from web.i18n import N_all, t

#: The headline of each kind whose stored text is not for staff (a device's error, a hash, a Python exception).
HEADLINES = N_all({
    "device_lost": "The sound device cannot be used: check the speakers' power and cable, or call the technician.",
    "hash_mismatch": "The sound about to air was not the approved sound, so it was not aired: call the technician.",
    "airlog_changed": "A recording of what aired was changed after it was kept, so it is not played back: "
                      "call the technician.",
    "render_failed": "The speech of an announcement could not be made: call the technician.",
    "tts_down": "The system cannot speak {language} now, so announcements in it cannot air: call the technician.",
    "player_lost": "This zone's player stopped answering at {time}: what it should air waits until it is back. "
                   "Call the technician.",
    "player_lost_at": "This zone's player stopped answering: what it should air waits until it is back. "
                      "Call the technician.",
    "other": "Something did not work as it should: call the technician if it happens again.",
    "settings_unreadable": "The venue settings file was changed by hand and cannot be read: the settings in "
                           "use stay until the technician mends it (paging works as before).",
    "missed_slot": "A programme did not air: call the technician if it happens again.",
    "zone_restart": "This sound zone was added (or its sound output changed) for a machine that is already running: "
                    "it is heard once the system on that machine is restarted. Until then what is paged there waits. "
                    "Call the technician.",
})
#: Why a programme's slot did not air, said by the start of the reason the scheduler stored.
MISSED_WHY = N_all({
    "no scheduler": "the system was not running then",
    "late by": "the system was too busy to start it in time",
    "approval": "an announcement in it is not approved; a supervisor approves it under Approvals",
    "expired": "it could not start in time (the zone was busy or its sound device was down)",
    "hash": "its sound was not the approved sound",
    "gone": "the programme was deleted",
    "other": "the system could not put it on the air; call the technician if it happens again",
})
MISSED = re.compile(r"(?P<programme>.+?) did not air at (?P<at>\d{4}-\d\d-\d\d \d\d:\d\d): (?P<why>.*)", re.S)
SPEECH_MUTE = re.compile(r"no speech engine (?:here )?can speak (?P<lang>[\w-]+)")


class FaultWords(NamedTuple):
    headline: str        # in staff words: what happened and what to do
    detail: str | None   # what the system stored, for the technician (None: the headline says it all)


def fault_words(fault) -> FaultWords:
    """``fault`` (a Fault row) in the panel's language: its headline, and the technician's detail."""
    kind = getattr(fault.kind, "value", fault.kind)
    said = fault_message(fault.message, fault.raised_at, fault.zone)  # as stored, the known ones translated
    if kind == "escalation":  # the case's number and what supervisors do: already the staff's words
        return FaultWords(said, None)
    if kind == "missed_slot":
        return FaultWords(_missed(str(fault.message or "")), said)
    if kind == "player_lost":
        return FaultWords(_player_lost(fault), said)
    if kind == "tts_down":
        m = SPEECH_MUTE.search(str(fault.message or ""))
        if m:
            from web.i18n import language_name

            return FaultWords(t(HEADLINES["tts_down"], language=language_name(m["lang"])), said)
        return FaultWords(t(HEADLINES["other"]), said)
    if kind == "hash_mismatch" and "air log file" in str(fault.message or ""):
        kind = "airlog_changed"
    if kind == "other" and str(fault.ref or "").startswith("zone-restart:"):  # broadcaster.service.ZONE_RESTART
        kind = "zone_restart"
    return FaultWords(t(HEADLINES.get(kind, HEADLINES["other"])), said)


def _player_lost(fault) -> str:
    from broadcaster.logs import heartbeat_in
    from web.venuewords import local

    found = heartbeat_in(str(fault.message or ""), fault.raised_at)
    if found is None:
        return t(HEADLINES["player_lost_at"])
    return t(HEADLINES["player_lost"], time=local(found[1], "seconds"))


def _missed(message: str) -> str:
    """"Morning welcome did not air at 2026-11-27 08:00: late by 95s, ..." as "Morning welcome did not air at
    27/11/2026 08:00: the system was too busy to start it in time" (the time in the venue's, written as
    every time on the page)."""
    from web.venuewords import local, tz

    m = MISSED.fullmatch(message)
    if m is None:
        return t(HEADLINES["missed_slot"])
    at = datetime.strptime(m["at"], "%Y-%m-%d %H:%M").replace(tzinfo=tz())  # written in the venue's time
    return t("{programme} did not air at {time}: {why}", programme=m["programme"], time=local(at),
             why=t(MISSED_WHY[_missed_why(m["why"])]))


def _missed_why(reason: str) -> str:
    """The kind of reason a missed slot's row gives (broadcaster.schedule: scheduler, onair.on_outcome)."""
    if reason.startswith("no scheduler running"):
        return "no scheduler"
    if reason.startswith("late by"):
        return "late by"
    if "hash mismatch" in reason:
        return "hash"
    if re.search(r"\bno programme\b", reason):
        return "gone"
    if "not approved" in reason or "approval changed" in reason or "no longer exists" in reason:
        return "approval"
    if reason.startswith("expired in"):
        return "expired"
    return "other"


def fault_message(message: str, raised_at: datetime | None = None, zone: str | None = None) -> str:
    """A fault's message in the panel's language, the time it names in the venue's, as every time on the
    page (an older fault's heartbeat, stored as a UTC time alone, by the time the fault was raised); with
    ``zone`` (shown beside it), without the "zone main: " the player wrote before it."""
    from broadcaster.logs import heartbeat_in
    from web.refusals import refusal
    from web.venuewords import local

    message = str(message or "")
    found = heartbeat_in(message, raised_at)
    if found:
        (start, end), at = found
        message = message[:start] + local(at, "seconds") + message[end:]
    if zone and message.startswith(f"zone {zone}: "):
        message = message[len(f"zone {zone}: "):]
    return refusal(message)


def init_filters(app) -> None:
    app.jinja_env.filters["fault_words"] = fault_words
