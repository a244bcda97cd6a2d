"""The broadcaster as seen from another process on the same machine: a panel worker process.

It has the same attributes the panel uses on :class:`broadcaster.service.BroadcastService` (db, engine,
station, renderer, clock, paging, approval, announcements, settings, ``secret_key()``), but it owns no
audio device and runs no scheduler: it reads and writes the shared database, shows the engine through
the snapshot the service publishes (:class:`broadcaster.control.RemoteEngine`), and rings the service
(:func:`broadcaster.control.ring`) when it stored work for the engine: a page that is due, an
announcement put on air or taken off. The service then ticks at once.
"""
from __future__ import annotations

from functools import partial

from audio.render import Renderer
from broadcaster.announcements.scripts import AnnouncementService
from broadcaster.announcements.approval import ApprovalService, renderer_for
from broadcaster.paging.paging import PagingService
from broadcaster.clock import Clock, SystemClock
from broadcaster.control import PAGING, STATION, RemoteEngine, ring, run_dir
from broadcaster.store.db import Database
from broadcaster.store.media import MediaStore
from broadcaster.settings import VenueSettings, load_settings, var_dir
from broadcaster.announcements.station import Station


class RemoteService:
    def __init__(self, *, db_url: str | None = None, settings: VenueSettings | None = None,
                 clock: Clock | None = None) -> None:
        self.settings = settings or load_settings()
        self.var = var_dir()
        self.run = run_dir(self.var)
        self.clock = clock or SystemClock()
        self.db = Database(db_url, migrate=False)  # the service migrated it before starting workers
        self.media = MediaStore()
        self.renderer = Renderer()  # previews and approvals; the disk cache is shared with the service
        self.engine = RemoteEngine(self.run)
        self.announcements = AnnouncementService(self.settings, self.media)
        self.approval = ApprovalService(renderer_for(self.renderer, self.media), self.media)
        self.station = Station(self.db, None, self.approval, self.clock, notify=partial(ring, self.run, STATION))
        self.paging = PagingService.for_venue(self.db, self.clock, None, self.settings, tuple(self.settings.zones),
                                              notify=partial(ring, self.run, PAGING))

    def secret_key(self) -> str:
        from broadcaster.service import secret_key

        return secret_key(self.var)
