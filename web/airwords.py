"""What airs, in the staff's words: an airing's title and kind as the panel shows them (the dashboard's
now playing, the as-run log), and a zone's name and device said plainly. The queue keeps a page's title as
"Page 20261127-004 (missing)" (broadcaster.paging.onair); the panel says 寻人广播 20261127-004, and a
lost-property page 失物招领广播. No priorities, sink strings or internal purposes on screen."""
from __future__ import annotations

import copy
import re

from web.i18n import N_, t
from web.logwords import logword

PAGE_TITLE = re.compile(r"Page (?:#\d+|(?P<number>\S+)) \((?P<purpose>\w+)\)")
PAGE_KINDS = {"missing": N_("Lost-person page"), "found": N_("Guardian page"),
              "all_clear": N_("All clear"), "security": N_("Security page"),
              "lost_property": N_("Lost-property page")}


def _page(title: str):
    return PAGE_TITLE.fullmatch(title or "")


def aired_kind(kind, title: str = "") -> str:
    """The kind of what airs: a page by what it is about (寻人广播, 失物招领广播), the rest as the logs say it."""
    m = _page(title) if getattr(kind, "value", kind) in ("page", "emergency") else None
    if m and m["purpose"] in PAGE_KINDS:
        return t(PAGE_KINDS[m["purpose"]])
    return logword(kind)


def aired_title(kind, title: str = "") -> str:
    """A page's title as its case or item number (nothing more when it has none); the rest as titled."""
    m = _page(title) if getattr(kind, "value", kind) in ("page", "emergency") else None
    return (m["number"] or "") if m else (title or "")


#: Why an airing ended as the players write it (broadcaster.onair: engine, player, outcomes), in staff
#: words; a sound device's own error text (PortAudio's, technical English) is not shown: it stays in the
#: as-run export.
DETAILS = (
    (re.compile(r"device: .*", re.S), lambda m: t("the sound device stopped working")),
    (re.compile(r"cannot build: (.*)", re.S), lambda m: t("it could not be prepared for air: {why}", why=_why(m[1]))),
    (re.compile(r"not after (\S+)"), lambda m: t("its time to air ended at {time}", time=_local(m[1]))),
    (re.compile(r"interrupted (\d+) times"), lambda m: t("interrupted {n} times", n=m[1])),
    (re.compile(r"player (lost|restarted|stopped)"), lambda m: t(PLAYER_ENDS[m[1]])),
)
PLAYER_ENDS = {"lost": N_("its player stopped answering"), "restarted": N_("its player restarted"),
               "stopped": N_("its player was stopped")}


def _why(text: str) -> str:
    from web.refusals import refusal  # the domain's refusals in the UI language

    return refusal(text)


def _local(iso: str) -> str:
    from web.venuewords import local

    return local(iso, "seconds")


def air_detail(detail) -> str:
    """Why an airing ended (the as-run log's detail, an announcement's timeline) in the staff's words."""
    detail = str(detail or "")
    for pattern, words in DETAILS:
        m = pattern.fullmatch(detail)
        if m:
            return words(m)
    return _why(detail) if detail else ""


def sink_words(sink: str) -> str:
    """A zone's device said plainly: the default sound device, a named one, a file, or nothing."""
    sink = sink or ""
    if sink in ("device", "device:default"):
        return t("default sound device")
    if sink.startswith("device:"):
        return t("sound device {name}", name=sink.split(":", 1)[1])
    if sink.startswith("wav:"):
        return t("recorded to a file (no sound device)")
    if sink == "null":
        return t("no sound output")
    return ""


def said_zones(zones: dict) -> dict:
    """Now playing per zone as the panel shows it: each item's kind and title in staff words (``said``),
    the device said plainly; priorities are not shown."""
    from web.venuewords import zone_label

    out = copy.deepcopy(zones)
    for zone, z in out.items():
        z["label"] = zone_label(zone)  # the zone by what staff call it (its id stays the key)
        z["sink"] = sink_words(z.get("sink", ""))
        for item in ([z["now"]] if z.get("now") else []) + list(z.get("waiting") or []):
            item["said"] = aired_kind(item.get("kind"), item.get("title", ""))
            item["title"] = aired_title(item.get("kind"), item.get("title", ""))
    return out
