"""The broadcaster services the panel calls, built once per app from the config the lead passes in.

``create_app({"DATABASE": db, "ENGINE": engine, "RENDERER": renderer, ...})``. Any service can also be
passed in ready-made (``PAGING``, ``CASES``, ``TEMPLATES``, ``LOST``, ``PROGRAMMES``, ``WORKFLOW_*``), e.g.
the running station's own instances, so the panel and the service loop share one PagingService.
Areas whose module is not installed are ``None``; their pages say so instead of failing.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any

from broadcaster.clock import SystemClock

log = logging.getLogger(__name__)


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            return None
        raise


class Services:
    def __init__(self, config: dict[str, Any]) -> None:
        station = config.get("STATION")
        pick = lambda key, attr=None, default=None: (  # noqa: E731
            config.get(key) or (getattr(station, attr, None) if station is not None and attr else None) or default)
        self.station = station
        self.db = pick("DATABASE", "db")
        if self.db is None:
            raise ValueError("create_app: config DATABASE (a broadcaster.store.db.Database) is required")
        self.engine = pick("ENGINE", "engine")
        self.clock = pick("CLOCK", "clock", SystemClock())
        self.renderer = pick("RENDERER", "renderer")
        self.tz = config.get("VENUE_TZ")
        self._build_desk(config, pick)
        self._build_schedule(pick)
        self._build_workflow(config, pick)

    # -- desk (issue 5) --------------------------------------------------------------------------
    def _build_desk(self, config, pick) -> None:
        from broadcaster.board import Board
        from broadcaster.cases.followup import FollowUpService
        from broadcaster.cases.lost_property import LostPropertyService
        from broadcaster.cases.missing import CaseService
        from broadcaster.paging.paging import PagingService
        from broadcaster.paging.templates import TemplateService

        self.paging = pick("PAGING", "paging")
        if self.paging is None:
            pager = pick("PAGER", "pager")
            if pager is None and self.engine is not None and self.renderer is not None:
                from broadcaster.cases.pager import Pager

                pager = Pager.for_engine(self.engine, self.renderer)
            self.paging = PagingService(self.db, self.clock, pager)
        self.cases = pick("CASES", "cases") or CaseService(self.db, self.clock)
        self.templates = pick("TEMPLATES", "templates") or TemplateService(self.db, self.clock)
        self.lost = pick("LOST", "lost_property") or LostPropertyService(self.db, self.clock)
        self.followups = pick("FOLLOWUPS", "followups") or FollowUpService(self.db, self.clock)
        self.board = Board(self.db, self.cases)

    # -- schedule (issue 4) ----------------------------------------------------------------------
    def _build_schedule(self, pick) -> None:
        from broadcaster.schedule.programmes import ProgrammeService

        self.programmes = pick("PROGRAMMES", "programmes") or ProgrammeService(self.db)
        self.scheduler = pick("SCHEDULER", "scheduler")

    # -- workflow (issue 3): announcements, approval, logs ------------------------------------------
    def _build_workflow(self, config, pick) -> None:
        self.workflow = {}
        for key, module in (("users", "broadcaster.users"), ("announcements", "broadcaster.announcements.scripts"),
                            ("approval", "broadcaster.announcements.approval"), ("logs", "broadcaster.logs"),
                            ("settings", "broadcaster.settings"), ("media", "broadcaster.store.media")):
            self.workflow[key] = _optional(module)
        self.logs = self.workflow["logs"]  # session-level functions: logs.faults(s), logs.acknowledge(s, ...)
        self.announcements = self.approval = None
        if self.workflow["announcements"] is None:
            return
        w = self.workflow
        self.settings = pick("SETTINGS", "settings") or w["settings"].load_settings()
        self.media = pick("MEDIA", "media") or w["media"].MediaStore(config.get("MEDIA_ROOT"))
        self.announcements = pick("ANNOUNCEMENTS", "announcements") or w["announcements"].AnnouncementService(
            self.settings, self.media)
        self.approval = pick("APPROVAL", "approval")
        if self.approval is None and w["approval"] is not None and self.renderer is not None:
            self.approval = w["approval"].ApprovalService(w["approval"].renderer_for(self.renderer, self.media),
                                                          self.media)
        if self.tz is None:
            self.tz = self.settings.tz

    def snapshot(self) -> dict | None:
        return self.engine.snapshot() if self.engine is not None else None
