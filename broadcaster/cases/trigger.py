"""The desk's urgent page in one step: open the case and page it (``PagingService.open_and_page``).

The triggers that several desks send at the same moment share one transaction
(:class:`broadcaster.combine.Combiner`, group commit): on SQLite every write waits for the database's one
writer turn, and most of a trigger's cost is per transaction (the session, the users and templates it
reads, the day's case-number counter, the commit). Each desk still gets its own answer: its own case
and page, its own refusal, its own error. Reads come first and the writes last, in as few statements
as they can be, so the writer turn is held briefly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Callable

from sqlalchemy import insert

from broadcaster.paging.drafts import draft, page_detail, page_template
from broadcaster.cases.missing import (CaseDetails, add_events, case_kind, event_row, opened_event,
                                      validate_details)
from broadcaster.cases.numbering import CASE_SERIES, next_numbers, venue_date
from broadcaster.cases.staff import DESK_ROLES, Actor, actor
from broadcaster.errors import BroadcasterError
from broadcaster.store.models.cases import CaseKind, CaseState, Page, PersonCase
from broadcaster.store.models.core import User

if TYPE_CHECKING:
    from broadcaster.paging.paging import PagingService

Result = tuple[PersonCase, Page | None, BroadcasterError | None]


@dataclass
class Trigger:
    """One desk's call, its details already checked."""
    who: Actor
    kind: CaseKind
    values: dict  # validate_details' output
    template: str | int | None
    extra_text: str | dict | None
    at: datetime


def trigger(who: Actor, kind: CaseKind | str, details: CaseDetails, at: datetime, *,
            template: str | int | None = None, extra_text: str | dict | None = None) -> Trigger:
    """Check a desk's call before it joins a transaction: bad details are this caller's error alone
    and store nothing (ValidationError)."""
    kind = case_kind(kind)
    return Trigger(who, kind, validate_details(kind, details, at), template, extra_text, at)


@dataclass
class _Staged:
    """One call on its way through a shared run."""
    index: int
    call: Trigger
    user: User
    case: PersonCase                      # not stored yet, then the stored one
    template: object                      # PageTemplate, or the BroadcasterError refusing it
    draft: object = None                  # the page's Draft (texts), or the BroadcasterError refusing it
    page: Page | None = None


def open_and_page_all(paging: "PagingService", calls: list[Trigger]) -> list[Result | BaseException]:
    """Open and page every call's case in one transaction. Per call: (case, page, None); (case, None,
    error) when only its page is refused (the case is kept); or the exception (not desk staff: nothing
    stored for that call)."""
    out: list[Result | BaseException | None] = [None] * len(calls)
    with paging.db.session() as s:
        staged = _read(s, paging, calls, out)
        _number(s, [st.case for st in staged], paging.tz)  # the writes start here
        for st in staged:
            st.draft = _texts(paging, st)
        _store(s, paging, staged)
        for st in staged:
            out[st.index] = (st.case, st.page, st.draft if st.page is None else None)
    pages = [st.page for st in staged if st.page is not None]
    if pages:
        paging._air_if_possible()
        if paging.pager is not None:  # this process's tick has just queued them: their state now
            fresh = {p.id: p for p in paging.pages_by_id([p.id for p in pages])}
            for st in staged:
                if st.page is not None:
                    out[st.index] = (st.case, fresh[st.page.id], None)
    return out  # type: ignore[return-value]


def _read(s, paging: "PagingService", calls: list[Trigger], out: list) -> list[_Staged]:
    """Who is acting and with which template, per call (reads only; once per user and template in a
    run). A user who may not page gets the error in ``out`` and nothing is stored for that call."""
    users: dict = {}
    templates: dict = {}
    staged = []
    for i, call in enumerate(calls):
        key = call.who.id if isinstance(call.who, User) else call.who
        user = _once(users, key, lambda: actor(s, call.who, *DESK_ROLES, action="open a case and page it"))
        if isinstance(user, BaseException):
            out[i] = user
            continue
        case = PersonCase(kind=call.kind, state=CaseState.OPEN, created_by_id=user.id, created_at=call.at,
                          **call.values)
        tpl = _once(templates, call.template or ("default", call.kind, call.values["is_child"]),
                    lambda: page_template(s, case, call.template))
        staged.append(_Staged(i, call, user, case, tpl))
    return staged


def _texts(paging: "PagingService", st: _Staged):
    """The page's texts (the case has its number now), or why it is refused. A page that needs no
    supervisor marks the case paged (TRANSITIONS allows open -> paged)."""
    if isinstance(st.template, BaseException):
        return st.template
    try:
        result = draft(st.case, st.template, st.call.extra_text, paging.tz)
    except BroadcasterError as exc:
        return exc
    if result.extra is None:
        st.case.state = CaseState.PAGED
    return result


def _store(s, paging: "PagingService", staged: list[_Staged]) -> None:
    """The run's cases, then their pages, then their timelines: one INSERT each."""
    for st, case in zip(staged, _insert(s, PersonCase, [_row(st.case) for st in staged])):
        st.case = case
    wanted = [st for st in staged if not isinstance(st.draft, BaseException)]
    rows = [paging._page_row(s, st.user, st.draft.texts, st.draft.template.purpose, case_id=st.case.id,
                             template_id=st.draft.template.id, extra=st.draft.extra,
                             pending=st.draft.extra is not None, at=st.call.at) for st in wanted]
    for st, page in zip(wanted, _insert(s, Page, rows)):
        st.page = page
    events = []
    for st in staged:
        case, user, at = st.case, st.user, st.call.at
        events.append(opened_event(case, user, at))
        if st.page is not None:
            if case.state is CaseState.PAGED:
                events.append(event_row(case, user, at, "state", from_state=CaseState.OPEN,
                                        to_state=CaseState.PAGED, detail=f"page #{st.page.id}"))
            events.append(event_row(case, user, at, "page", detail=page_detail(st.page, st.draft.template)))
    add_events(s, events)


def _once(memo: dict, key, load: Callable[[], object]) -> object:
    """``load()`` once per key in a run (its result or its error): the desks of one run mostly share
    their user and template."""
    if key not in memo:
        try:
            memo[key] = load()
        except BroadcasterError as exc:
            memo[key] = exc
    return memo[key]


def _insert(s, model, rows: list[dict]) -> list:
    """Store ``rows`` as new ``model`` objects in one INSERT ... RETURNING; the objects, in order."""
    if not rows:
        return []
    return list(s.scalars(insert(model).returning(model, sort_by_parameter_order=True), rows))


def _row(case: PersonCase) -> dict:
    """A not yet stored case's column values (what its constructor and numbering set)."""
    return {c.key: getattr(case, c.key) for c in PersonCase.__table__.columns if c.key in case.__dict__}


def _number(s, cases: list[PersonCase], tz) -> None:
    """Case numbers in call order, one counter UPDATE per venue day among them."""
    days: dict = {}
    for case in cases:
        days.setdefault(venue_date(case.created_at, tz), []).append(case)
    for same_day in days.values():
        for case, number in zip(same_day, next_numbers(s, CASE_SERIES, same_day[0].created_at, len(same_day), tz)):
            case.number = number
