"""What resolving a case does to its pages, however it is resolved (the desk's resolve, a state change
on the case, the CLI): their repeats stop and their airings come off the air (queued ones never air;
one on air stops within a block of its player noticing). Paging builds on this; nothing here knows
how a page sounds."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from broadcaster.onair import airings
from broadcaster.store.models.cases import Page, PageStatus, PersonCase, TemplatePurpose

P = TemplatePurpose
CASE_PAGES = (P.MISSING, P.FOUND, P.SECURITY)  # pages that stop when their case is resolved


def page_ref(page_id: int) -> str:
    """The ref a page's airings carry."""
    return f"page:{page_id}"


def stop_pages(s: Session, case: PersonCase, signals, at: datetime) -> list[int]:
    """Cancel the case's pages still to repeat (or waiting for approval) and take every airing of its
    pages off the air. Returns the ids of the pages cancelled."""
    stopped = []
    for page in s.scalars(select(Page).where(Page.case_id == case.id, Page.purpose.in_(CASE_PAGES))):
        if page.status in (PageStatus.ACTIVE, PageStatus.PENDING_APPROVAL):
            page.status, page.next_due_at = PageStatus.CANCELLED, None
            stopped.append(page.id)
        airings.cancel(s, page_ref(page.id), f"case {case.number} resolved", signals, at=at)
    return stopped
