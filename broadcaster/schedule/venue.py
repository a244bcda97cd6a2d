"""The venue's time zone lives in the venue settings (``var/settings.json`` / PA_VENUE_TZ) only: the
scheduler and the desk's case numbers read the same one, so they never disagree about the date.

Earlier versions also kept a copy in the schedule database (setting ``venue_tz``). :func:`adopt_stored_tz`
moves such a copy into the settings once (where the settings say nothing) and drops it; where both
say something different the settings win, with a warning naming both."""
from __future__ import annotations

import logging

from broadcaster.store.db import Database
from broadcaster.schedule import store
from broadcaster.settings import save_settings, stored_settings
from broadcaster.store.models.schedule import ScheduleSetting

log = logging.getLogger(__name__)

OLD_KEY = "venue_tz"


def adopt_stored_tz(db: Database) -> str | None:
    """Move an old database copy of the zone into the settings; returns the zone it found, if any."""
    with db.session() as s:
        stored = store.get_setting(s, OLD_KEY)
        if stored is None:
            return None
        said = stored_settings().get("timezone")
        if said is None:
            save_settings({"timezone": stored})
        elif said != stored:
            log.warning("venue time zone: settings.json says %s, the schedule database said %s; keeping %s",
                        said, stored, said)
        s.delete(s.get(ScheduleSetting, OLD_KEY))
    return stored
