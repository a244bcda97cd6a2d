"""The broadcaster services the panel calls, built once per app from the config it is given.

``create_app({"DATABASE": db, "RENDERER": renderer, ...})`` builds them all around the database: the
panel never touches an engine; it writes airings through the services (``Station``,
``PagingService``) and reads what is on air from the database (``broadcaster.onair.nowplaying``).
``SERVICE`` (the running ``BroadcastService``) lends its database, clock, renderer, settings, zones,
media and PagingService (the panel and the leader share one); any service can also be passed in
ready-made under its key (``PAGING``, ``STATION``, ``CASES``, ``TEMPLATES``, ``LOST``, ``PROGRAMMES``,
``ANNOUNCEMENTS``, ``APPROVAL``, ``SETTINGS``, ``MEDIA``, ``ZONES``).
"""
from __future__ import annotations

import threading
from typing import Any

from broadcaster.clock import SystemClock


class Services:
    def __init__(self, config: dict[str, Any]) -> None:
        from broadcaster.announcements.approval import ApprovalService, renderer_for
        from broadcaster.announcements.scripts import AnnouncementService
        from broadcaster.announcements.station import Station
        from broadcaster.cases.followup import FollowUpService
        from broadcaster.cases.lost_property import LostPropertyService
        from broadcaster.cases.missing import CaseService
        from broadcaster.paging.paging import PagingService
        from broadcaster.paging.templates import TemplateService
        from broadcaster.schedule.programmes import ProgrammeService
        from broadcaster.settings import load_settings
        from broadcaster.store.media import MediaStore

        source = config.get("SERVICE")

        def pick(key: str, attr: str | None = None):
            value = config.get(key)
            if value is None and source is not None and attr:
                value = getattr(source, attr, None)
            return value

        self.db = pick("DATABASE", "db")
        if self.db is None:
            raise ValueError("create_app: config DATABASE (a broadcaster.store.db.Database) is required")
        self.clock = pick("CLOCK", "clock") or SystemClock()
        self.renderer = pick("RENDERER", "renderer")
        self.settings = pick("SETTINGS", "settings") or load_settings(self.db)
        self.tz = config.get("VENUE_TZ") or self.settings.tz
        self.venue_zones = tuple(pick("ZONES", "venue_zones") or self.settings.zones)
        # zones kept whatever the venue's settings say: serve's --zone ones (all, when the app is given ZONES)
        self.own_zones = tuple(config.get("ZONES") or getattr(source, "own_zones", ()))
        self.stopping = threading.Event()  # set when the server stops: live streams end
        self.media = pick("MEDIA", "media") or MediaStore(config.get("MEDIA_ROOT"))
        self.announcements = pick("ANNOUNCEMENTS") or AnnouncementService(self.settings, self.media, self.renderer)
        self.approval = pick("APPROVAL")
        if self.approval is None and self.renderer is not None:
            self.approval = ApprovalService(renderer_for(self.renderer, self.media), self.media)
        self.station = pick("STATION") or Station(self.db, self.media, self.clock, self.venue_zones)
        self.paging = pick("PAGING", "paging") or PagingService.for_venue(self.db, self.clock, self.settings,
                                                                          self.venue_zones)
        self.cases = pick("CASES") or CaseService(self.db, self.clock)
        self.templates = pick("TEMPLATES") or TemplateService(self.db, self.clock)
        self.lost = pick("LOST") or LostPropertyService(self.db, self.clock)
        self.followups = pick("FOLLOWUPS") or FollowUpService(self.db, self.clock)
        self.programmes = pick("PROGRAMMES") or ProgrammeService(self.db)

    def now_playing(self) -> dict:
        """zone -> what airs and waits there, from the database (broadcaster.onair.nowplaying)."""
        from broadcaster.onair.nowplaying import now_playing

        return now_playing(self.db, at=self.clock.now(), zones=self.venue_zones)
