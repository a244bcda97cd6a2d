"""Reading pages: one by its number, several, a case's or those in a state (the panel, the desk CLI)."""
from __future__ import annotations

from sqlalchemy import select

from broadcaster.cases.missing import load_case
from broadcaster.errors import NotFound
from broadcaster.store.models.cases import Page, PageStatus


class PageQueries:
    """The reading half of :class:`broadcaster.paging.paging.PagingService` (its ``db``)."""

    @staticmethod
    def _load(s, page_id: int) -> Page:
        page = s.get(Page, int(page_id))
        if page is None:
            raise NotFound(f"no such page: {page_id}")
        return page

    def page(self, page_id: int) -> Page:
        with self.db.session() as s:
            return self._load(s, page_id)

    def pages(self, *, case_number: str | None = None, status: PageStatus | str | None = None) -> list[Page]:
        q = select(Page).order_by(Page.id)
        with self.db.session() as s:
            if case_number:
                q = q.where(Page.case_id == load_case(s, case_number).id)
            if status:
                q = q.where(Page.status == PageStatus(status))
            return list(s.scalars(q))

