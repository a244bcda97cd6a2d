"""What every dashboard shows: faults that need attention, open missing-person cases, and what became
of each page on air (read on each request: a handful of desks read small indexed lists; a write by
any process shows on the next request)."""
from __future__ import annotations

from typing import Iterable

from sqlalchemy import select

from broadcaster import logs
from broadcaster.store.db import Database
from broadcaster.store.models.onair import Airing, AiringState
from broadcaster.store.models.workflow import Fault


def open_faults(db: Database) -> list[Fault]:
    """Open or not yet acknowledged, newest first (``logs.faults(attention=True)``)."""
    with db.session() as s:
        return logs.faults(s, attention=True)


def page_airings(db: Database, page_ids: Iterable[int]) -> dict[int, dict]:
    """page id -> {"zones": {zone: state of its latest airing there}, "aired": how many of its
    airings aired to the end}. The airing rows say what happened on air; a page only written (its
    airing still queued) is "queued" here, never aired."""
    refs = {f"page:{int(i)}": int(i) for i in page_ids}
    out = {i: {"zones": {}, "aired": 0} for i in refs.values()}
    if not refs:
        return out
    with db.session() as s:
        for ref, zone, state in s.execute(select(Airing.ref, Airing.zone, Airing.state)
                                          .where(Airing.ref.in_(list(refs))).order_by(Airing.id)):
            entry = out[refs[ref]]
            entry["zones"][zone] = state.value  # the latest airing per zone wins (ordered by id)
            entry["aired"] += state is AiringState.DONE
    return out
