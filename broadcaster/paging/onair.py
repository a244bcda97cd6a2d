"""Pages on the air: a page's airing (its chime, then its approved wording, which the zone player renders),
the player's last check before it airs, and what became of it written on the case's timeline.

Paging only writes airings (:func:`write_airing`); zone players claim and air them and report through
:mod:`broadcaster.onair.outcomes`, which calls :func:`on_outcome`. ``broadcaster.service.register_areas``
hooks both into the on-air path."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from broadcaster.cases.missing import RESOLVED, add_event
from broadcaster.cases.resolution import CASE_PAGES, page_ref
from broadcaster.errors import BroadcasterError, InvalidTransition
from broadcaster.onair import airings, outcomes
from broadcaster.paging.drafts import draft
from broadcaster.priorities import Priority
from broadcaster.store.models.cases import (LostItem, LostItemState, Page, PageStatus, PageTemplate, PersonCase,
                                            TemplatePurpose)
from broadcaster.store.models.core import User
from broadcaster.store.models.onair import OPEN_STATES, Airing, AiringState


def pieces(s, page: Page) -> list[dict]:
    """What a page airs: the urgent chime (the announcement chime below urgent-page priority), then
    its wording in every language, rendered by the player, with who approved that wording (the
    supervisor who approved this page, else its template's approver) for the as-run log."""
    urgent = page.priority >= Priority.URGENT_PAGE
    template = s.get(PageTemplate, page.template_id) if page.template_id else None
    approver = s.get(User, page.approved_by_id or (template.approved_by_id if template else None) or -1)
    return [{"type": "chime", "name": "urgent_page" if urgent else "announcement"},
            {"type": "speech", "parts": [list(p) for p in page.texts.items()],
             "approved_by": approver.name if approver else ""}]


def write_airing(s, page: Page, case: PersonCase | None, now: datetime, signals,
                 zones: list[str] | None = None) -> None:
    """The page's next airing in each of its zones (or ``zones``; key: the page and its repeat number, so a
    repeat written twice, by two leaders in a fail-over, airs once)."""
    item = s.get(LostItem, page.lost_item_id) if case is None and page.lost_item_id else None
    number = case.number if case is not None else item.number if item is not None else None
    title = f"Page {number}" if number else f"Page #{page.id}"  # a lost-property page by its item's number
    airings.request(s, airings.Request(
        key=f"{page_ref(page.id)}:{page.times_queued + 1}", ref=page_ref(page.id), kind="page",
        title=f"{title} ({page.purpose.value})", zones=zones or page.zones.split(","), priority=page.priority,
        pieces=pieces(s, page), requested_by="paging"), signals, at=now)


def reword(s, case: PersonCase, user, now: datetime, tz) -> None:
    """After the case's description changed: each of its active pages says the new one from its next
    airing (an airing still queued included). A page with a remark keeps its approved words, and one
    the new description cannot make (it would mix languages) keeps its words too: the timeline says so."""
    for page in s.scalars(select(Page).where(Page.case_id == case.id, Page.status == PageStatus.ACTIVE,
                                             Page.purpose.in_([TemplatePurpose.MISSING, TemplatePurpose.FOUND]))):
        try:
            if page.extra_text:
                raise InvalidTransition("it has a remark a supervisor approved: page the case again")
            page.texts = draft(case, s.get(PageTemplate, page.template_id), None, tz).texts
        except BroadcasterError as exc:
            add_event(s, case, user, "page kept its words", now, detail=f"page #{page.id}: {exc}")
            continue
        for airing in s.scalars(select(Airing).where(Airing.ref == page_ref(page.id), Airing.state == AiringState.QUEUED)):
            airing.pieces = pieces(s, page)
        add_event(s, case, user, "page reworded", now, detail=f"page #{page.id}")


def _page(s, airing: Airing) -> Page | None:
    return None if (page_id := airings.ref_id(airing.ref, "page")) is None else s.get(Page, page_id)


def at_air(s, airing: Airing) -> None:
    """The player's last check before a page airs: still wanted (page not cancelled, case not
    resolved, lost item not claimed meanwhile)."""
    page = _page(s, airing)
    if page is None:
        return
    case = s.get(PersonCase, page.case_id) if page.case_id else None
    if page.status in (PageStatus.CANCELLED, PageStatus.REJECTED) or (
            case is not None and page.purpose in CASE_PAGES and case.state in RESOLVED):
        raise InvalidTransition(f"page #{page.id} is no longer wanted (case resolved or page cancelled)")
    item = s.get(LostItem, page.lost_item_id) if page.lost_item_id else None
    if item is not None and item.state is not LostItemState.STORED:
        raise InvalidTransition(f"page #{page.id}: item {item.number} is {item.state.value}, not announced")


def on_outcome(s, out: outcomes.Outcome) -> None:
    """A page's airings on its case's timeline; a completed airing counts as aired."""
    page = _page(s, out.airing)
    if page is None:
        return
    if out.kind == "completed":  # once per repeat, when its last zone has aired it
        repeat = out.airing.key.rsplit("@", 1)[0]
        if s.scalar(select(Airing.id).where(Airing.key.like(repeat + "@%"), Airing.id != out.airing.id,
                                            Airing.state.in_(OPEN_STATES)).limit(1)) is None:
            page.times_aired += 1
    if page.case_id and out.kind in ("started", "completed", "failed", "refused", "expired", "lost"):
        what = "page interrupted (player lost)" if out.kind == "lost" else f"page {out.kind}"
        add_event(s, s.get(PersonCase, page.case_id), None, what, out.at,
                  detail=f"page #{page.id} on {out.airing.zone}" + (f": {out.detail}" if out.detail else ""))
