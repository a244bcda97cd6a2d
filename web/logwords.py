"""The staff's words for what the as-run and fault logs keep as internal words (an airing's kind and
outcome, a fault's kind and state), in the UI language: "emergency" is shown as Emergency / 紧急广播."""
from __future__ import annotations

from web.i18n import t
from web.i18n import N_

WORDS = {
    # what aired (broadcaster.onair.airings.KINDS)
    "announcement": N_("Announcement"), "page": N_("Lost-person page"), "programme": N_("Programme"),
    "music": N_("Background music"), "emergency": N_("Emergency"),
    # how it went (as-run outcome)
    "airing": N_("On air now"), "completed": N_("Aired in full"), "interrupted": N_("Interrupted"),
    "failed": N_("Failed"), "refused": N_("Refused before air"), "expired": N_("Expired"),
    "cancelled": N_("Taken off the air"),
    # faults (broadcaster.logs.FAULT_KINDS) and their states
    "device_lost": N_("Sound device lost"), "tts_down": N_("Speech engine down"),
    "hash_mismatch": N_("Audio check failed"), "escalation": N_("Case escalated"),
    "render_failed": N_("Speech could not be made"), "missed_slot": N_("Programme slot missed"),
    "player_lost": N_("Zone player not answering"), "settings_unreadable": N_("Settings file unreadable"),
    "other": N_("Other"),
    "raised": N_("Open"), "acknowledged": N_("Acknowledged"), "resolved": N_("Resolved"),
}


def logword(value) -> str:
    """The staff's word for a log's internal word (an Enum member or its value); unknown ones as they are."""
    value = getattr(value, "value", value)
    return t(WORDS[value]) if value in WORDS else (value or "")


#: A lost item's state as the desk says it (broadcaster.store.models.cases.LostItemState).
LOST_STATES = {"stored": N_("Stored"), "claimed": N_("Claimed"), "handed_over": N_("Handed over"),
               "disposed": N_("Disposed")}


def lost_state(value) -> str:
    value = getattr(value, "value", value)
    return t(LOST_STATES[value]) if value in LOST_STATES else t(value or "")
