"""The panel as a frontend of the running service (registered as the ``web`` entry point in the
``pa_broadcaster.frontends`` group, so the service starts it without importing web)."""
from __future__ import annotations

from flask import Flask

from web import create_app


def panel_for(service, **config) -> Flask:
    """The panel around a running broadcaster.service.BroadcastService: it shares the service's
    database, engine, station, renderer, clock and paging loop."""
    return create_app({"DATABASE": service.db, "ENGINE": service.engine, "STATION": service.station,
                       "RENDERER": service.renderer, "CLOCK": service.clock, "PAGING": service.paging,
                       "APPROVAL": service.approval, "ANNOUNCEMENTS": service.announcements,
                       "VENUE_TZ": service.settings.tz, "SECRET_KEY": service.secret_key(), **config})
