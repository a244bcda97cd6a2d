"""What every dashboard shows: faults that need attention and open missing-person cases.

Each panel worker keeps the lists it loaded and re-reads one only when its table's change counter
moved (``change_counters``, bumped by database triggers on every insert, update and delete, whichever
process wrote). The counter is read before the list, so a write that lands in between only makes the
next request read again: a dashboard never shows a list older than the last committed change.
"""
from __future__ import annotations

import threading
from typing import Callable

from sqlalchemy import select

from broadcaster import logs
from broadcaster.cases.missing import CaseService
from broadcaster.store.db import Database
from broadcaster.store.models.cases import PersonCase
from broadcaster.store.models.core import ChangeCounter
from broadcaster.store.models.workflow import Fault


_VERSIONS = select(ChangeCounter.name, ChangeCounter.n)


class Board:
    def __init__(self, db: Database, cases: CaseService) -> None:
        self.db, self.cases = db, cases
        self._kept: dict[str, tuple[int, list]] = {}
        self._lock = threading.Lock()

    def _versions(self) -> dict[str, int]:
        with self.db.engine.connect() as conn:  # one small read: no ORM session needed
            return {name: n for name, n in conn.execute(_VERSIONS)}

    def _list(self, table: str, version: int | None, load: Callable[[], list]) -> list:
        with self._lock:
            kept = self._kept.get(table)
        if version is not None and kept is not None and kept[0] == version:
            return kept[1]
        rows = load()
        if version is not None:
            with self._lock:
                self._kept[table] = (version, rows)
        return rows

    def open_faults(self, versions: dict[str, int] | None = None) -> list[Fault]:
        """Open or not yet acknowledged, newest first (``logs.faults(attention=True)``)."""
        versions = self._versions() if versions is None else versions

        def load() -> list[Fault]:
            with self.db.session() as s:
                return logs.faults(s, attention=True)

        return self._list("faults", versions.get("faults"), load)

    def open_cases(self, versions: dict[str, int] | None = None) -> list[PersonCase]:
        versions = self._versions() if versions is None else versions
        return self._list("person_cases", versions.get("person_cases"),
                          lambda: self.cases.list_cases(open_only=True))

    def lists(self) -> tuple[list[Fault], list[PersonCase]]:
        """Both lists, for one counter read."""
        versions = self._versions()
        return self.open_faults(versions), self.open_cases(versions)
