"""What every dashboard shows: faults that need attention and open missing-person cases (read on each
request: a handful of desks read two small indexed lists)."""
from __future__ import annotations

from broadcaster import logs
from broadcaster.cases.missing import CaseService
from broadcaster.store.db import Database
from broadcaster.store.models.cases import PersonCase
from broadcaster.store.models.workflow import Fault


class Board:
    def __init__(self, db: Database, cases: CaseService) -> None:
        self.db, self.cases = db, cases

    def open_faults(self) -> list[Fault]:
        """Open or not yet acknowledged, newest first (``logs.faults(attention=True)``)."""
        with self.db.session() as s:
            return logs.faults(s, attention=True)

    def open_cases(self) -> list[PersonCase]:
        return self.cases.list_cases(open_only=True)

    def lists(self) -> tuple[list[Fault], list[PersonCase]]:
        return self.open_faults(), self.open_cases()
