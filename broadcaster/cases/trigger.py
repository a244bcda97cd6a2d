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

from broadcaster.cases.missing import CaseDetails, add_events, case_kind, event_row, validate_details
from broadcaster.cases.numbering import CASE_SERIES, next_numbers, venue_date
from broadcaster.cases.staff import DESK_ROLES, Actor, actor
from broadcaster.errors import BroadcasterError
from broadcaster.models.cases import CaseKind, CaseState, Page, PersonCase
from broadcaster.models.core import User

if TYPE_CHECKING:
    from broadcaster.cases.paging import PagingService

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


def open_and_page_all(paging: "PagingService", calls: list[Trigger]) -> list[Result | BaseException]:
    """Open and page every call's case in one transaction. Per call: (case, page, None); (case, None,
    error) when only its page is refused (the case is kept); or the exception (not desk staff: nothing
    stored for that call)."""
    out: list[Result | BaseException | None] = [None] * len(calls)
    staged: list[tuple[int, Trigger, User, PersonCase, object]] = []
    with paging.db.session() as s:
        users: dict = {}
        templates: dict = {}
        for i, call in enumerate(calls):  # reads
            key = call.who.id if isinstance(call.who, User) else call.who
            user = _once(users, key, lambda: actor(s, call.who, *DESK_ROLES, action="open a case and page it"))
            if isinstance(user, BaseException):
                out[i] = user
                continue
            case = PersonCase(kind=call.kind, state=CaseState.OPEN, created_by_id=user.id, created_at=call.at,
                              **call.values)
            tpl = _once(templates, call.template or ("default", call.kind, call.values["is_child"]),
                        lambda: paging._template(s, case, call.template))
            staged.append((i, call, user, case, tpl))
        _number(s, [case for _, _, _, case, _ in staged], paging.tz)  # the writes start here
        drafts = []
        for i, call, user, case, tpl in staged:
            draft = tpl
            if not isinstance(tpl, BaseException):
                try:
                    draft = paging._fill(case, tpl, call.extra_text)
                except BroadcasterError as exc:
                    draft = exc
            if not isinstance(draft, BaseException) and draft.extra is None:
                case.state = CaseState.PAGED  # TRANSITIONS allows open -> paged
            drafts.append(draft)
        stored = _insert(s, PersonCase, [_row(case) for _, _, _, case, _ in staged])
        staged = [(i, call, user, case, tpl) for (i, call, user, _, tpl), case in zip(staged, stored)]
        wanted = [(call, user, case, draft) for (_, call, user, case, _), draft in zip(staged, drafts)
                  if not isinstance(draft, BaseException)]
        paged = iter(_insert(s, Page, [paging._page_row(
            s, user, draft.texts, draft.template.purpose, case_id=case.id, template_id=draft.template.id,
            extra=draft.extra, pending=draft.extra is not None, at=call.at) for call, user, case, draft in wanted]))
        pages: list[Page | None] = [None if isinstance(d, BaseException) else next(paged) for d in drafts]
        rows = []
        for (i, call, user, case, _), draft, page in zip(staged, drafts, pages):
            rows.append(event_row(case, user, call.at, "opened", to_state=CaseState.OPEN,
                                  detail=f"{call.kind.value} report"))
            if page is not None:
                if case.state is CaseState.PAGED:
                    rows.append(event_row(case, user, call.at, "state", from_state=CaseState.OPEN,
                                          to_state=CaseState.PAGED, detail=f"page #{page.id}"))
                rows.append(event_row(case, user, call.at, "page", detail=paging._page_detail(page, draft.template)))
            out[i] = (case, page, draft if page is None else None)
        add_events(s, rows)
    if any(page is not None for page in pages):
        paging._air_if_possible()
        if paging.pager is not None:  # this process's tick has just queued them: their state now
            fresh = {p.id: p for p in paging.pages_by_id([p.id for p in pages if p is not None])}
            out = [(r[0], fresh[r[1].id], None) if isinstance(r, tuple) and r[1] is not None else r for r in out]
    return out  # type: ignore[return-value]


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
