"""Missing-person cases (园区寻人): open, timeline, state transitions, look-up.

Two kinds: *missing* (a guardian reports someone lost; the name is kept in the case, the description is
paged) and *found* (staff found a child; the guardian is paged to the meeting point).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.errors import FieldErrors, InvalidTransition, ValidationError
from broadcaster.inputs import CaseFields, parse
from broadcaster.inputs_cases import CaseFilter, Transition, check_time, read
from broadcaster.cases.numbering import CASE_SERIES, by_number, next_number, venue_tz
from broadcaster.cases.resolution import stop_pages
from broadcaster.cases.staff import DESK_ROLES, Actor, session_as
from broadcaster.store.models.cases import CaseEvent, CaseKind, CaseState, PersonCase
from broadcaster.store.models.core import User
from broadcaster.writing import script_problem

CHILD_AGE_LIMIT = 14  # under 14 is a child: the name is never paged
FOUND_CHILD_AGES = range(0, 18)  # staff found a child: 0 to 17 years old; an adult is paged by name
ADULT_SEXES = frozenset({"man", "woman", "男性", "女性"})

S = CaseState
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    S.OPEN: frozenset({S.PAGED, S.FOUND, S.REUNITED, S.CLOSED}),
    S.PAGED: frozenset({S.ESCALATED, S.FOUND, S.REUNITED, S.CLOSED}),
    S.ESCALATED: frozenset({S.FOUND, S.REUNITED, S.CLOSED}),
    S.FOUND: frozenset({S.REUNITED, S.CLOSED}),
    S.REUNITED: frozenset({S.CLOSED}),
    S.CLOSED: frozenset(),
}
#: States in which no more pages air for the case.
RESOLVED = frozenset({S.FOUND, S.REUNITED, S.CLOSED})

SEXES = {
    "male": "male", "m": "male", "boy": "male", "man": "male", "男": "male", "男孩": "male", "男性": "male",
    "female": "female", "f": "female", "girl": "female", "woman": "female", "女": "female",
    "女孩": "female", "女性": "female", "unknown": "unknown",
}

#: Text fields of a case (their lengths and characters: broadcaster.inputs.CaseFields).
TEXT_FIELDS = ("person_name", "height", "hair", "clothing", "shoes", "last_seen_place", "reporter_name",
               "reporter_contact", "meeting_point")


@dataclass
class CaseDetails:
    """What the desk knows about the person. Only ``kind``-specific fields are required."""

    person_name: str | None = None
    age: int | str | None = None
    sex: str | None = None
    height: str | None = None
    hair: str | None = None
    clothing: str | None = None
    shoes: str | None = None
    last_seen_place: str | None = None
    last_seen_at: datetime | None = None
    reporter_name: str | None = None
    reporter_contact: str | None = None
    meeting_point: str | None = None
    is_child: bool | None = None
    notes: str = ""
    wording: dict | None = None  # a detail in each page language: {"clothing": {"zh-CN": "黄色雨衣", "en": "yellow raincoat"}}


#: The details a page says that the desk may give in each page language, for what the service cannot
#: translate itself (a place the venue has not named in its languages, clothing not in the lists).
WORDED = ("height", "hair", "clothing", "shoes", "last_seen_place", "meeting_point")


def check_wording(wording, errors: dict[str, str]) -> dict | None:
    """``wording`` ({field: {language: text}}) cleaned: blanks dropped, each text checked as its field is
    (length, characters); errors keyed ``<field>.<language>``. Its script is the page's to check (only the
    page's languages are said: broadcaster.paging.rules.check_said)."""
    if not wording:
        return None
    if not isinstance(wording, dict) or not all(isinstance(v, dict) for v in wording.values()):
        errors["wording"] = 'give each detail by language: {"clothing": {"zh-CN": "…", "en": "…"}}'
        return None
    out: dict[str, dict[str, str]] = {}
    for field, said in wording.items():
        if field not in WORDED:
            errors["wording"] = f"only {', '.join(WORDED)} can be given by language"
            continue
        for lang, text in said.items():
            key = f"{field}.{lang}"
            v, wrong = read(CaseFields, {field: text})
            if wrong:
                errors[key] = next(iter(wrong.values()))
            elif getattr(v, field):  # in another language's script: refused by the page, beside it (MixedWords)
                out.setdefault(field, {})[str(lang)] = getattr(v, field)
    return out or None


def validate_details(kind: CaseKind, d: CaseDetails, now: datetime) -> dict:
    """Check and normalise the details; return column values. Raises FieldErrors naming every field
    that is wrong at once, in the desk's words."""
    v, errors = read(CaseFields, {f: getattr(d, f) for f in (*TEXT_FIELDS, "age", "sex")})  # the desk's model
    out = {f: getattr(v, f) for f in TEXT_FIELDS} | {"age": v.age, "sex": SEXES[v.sex] if v.sex else None}
    out["notes"] = (d.notes or "").strip()
    out["wording"] = check_wording(d.wording, errors)
    for field, said in (out["wording"] or {}).items():  # given by language only: the case lists it in its first
        out[field] = out[field] or next(iter(said.values()))
    check_time(errors, "last_seen_at", d.last_seen_at, now)
    out["last_seen_at"] = d.last_seen_at
    age = out["age"]
    if kind is CaseKind.MISSING:
        if age is None and d.is_child is None and "age" not in errors:
            errors["age"] = "give the age (a child's name is never paged)"
        for f, what in (("reporter_name", "the guardian's name is needed"),
                        ("reporter_contact", "a phone number to call the guardian back is needed")):
            if not out[f] and f not in errors:
                errors[f] = what
        if not any(out[f] for f in ("clothing", "hair", "height", "shoes")) and "clothing" not in errors:
            errors["clothing"] = "describe the person: clothing, shoes, hair or height"
    else:
        if not out["meeting_point"] and "meeting_point" not in errors:
            errors["meeting_point"] = "say where the guardian should come"
        if age is not None and age not in FOUND_CHILD_AGES and "age" not in errors:
            errors["age"] = "a found child is 0 to 17 years old: page an adult by name as a missing person"
        if v.sex in ADULT_SEXES and "sex" not in errors:
            errors["sex"] = "a found child is a boy or a girl: choose boy, girl or unknown"
    if errors:
        raise FieldErrors(errors)
    # staff found a child (0 to 17): the name is never paged
    out["is_child"] = kind is CaseKind.FOUND or bool(d.is_child) or (age is not None and age < CHILD_AGE_LIMIT)
    return out


def event_row(case: PersonCase, user: User | None, at: datetime, action: str, *, from_state: CaseState | None = None,
              to_state: CaseState | None = None, detail: str = "") -> dict:
    """A timeline entry as a row (for :func:`add_events`)."""
    return dict(case_id=case.id, at=at, user_id=user.id if user else None, action=action,
                from_state=from_state.value if from_state else None,
                to_state=to_state.value if to_state else None, detail=detail)


def add_event(session: Session, case: PersonCase, user: User | None, action: str, at: datetime, *,
              from_state: CaseState | None = None, to_state: CaseState | None = None, detail: str = "") -> None:
    session.add(CaseEvent(**event_row(case, user, at, action, from_state=from_state, to_state=to_state,
                                      detail=detail)))


def add_events(session: Session, rows: list[dict]) -> None:
    """Several timeline entries (:func:`event_row`) in one INSERT, now: for cases already stored.
    Cheaper than an ORM object each where many are written at once (a page trigger, a paging tick)."""
    if rows:
        session.execute(insert(CaseEvent.__table__), rows)


def case_kind(kind: CaseKind | str) -> CaseKind:
    try:
        return CaseKind(kind)
    except ValueError:
        raise ValidationError(f"kind: must be missing or found, got {kind!r}") from None


def opened_event(case: PersonCase, user: User, at: datetime) -> dict:
    """A case's first timeline entry (:func:`event_row`)."""
    return event_row(case, user, at, "opened", to_state=S.OPEN, detail=f"{case.kind.value} report")


def load_case(session: Session, number: str) -> PersonCase:
    return by_number(session, PersonCase, number, "case")


def move(session: Session, case: PersonCase, to: CaseState, user: User | None, at: datetime,
         *, result: str | None = None, detail: str = "") -> None:
    """Change the case state (checked) and record it on the timeline."""
    src = case.state
    if to not in TRANSITIONS[src]:
        raise InvalidTransition(f"case {case.number}: cannot go from {src.value} to {to.value}")
    if to is S.CLOSED:
        result = (result or case.result or "").strip()
        if not result:
            raise ValidationError("result: closing a case requires a result (what happened)")
        case.result = result
        case.closed_at = at
    elif result:
        case.result = result.strip()
    if to is S.FOUND:
        case.found_at = at
    if to is S.REUNITED:
        case.reunited_at = at
        case.found_at = case.found_at or at
    if to is S.ESCALATED:
        case.escalated_at = at
    case.state = to
    add_event(session, case, user, "state", at, from_state=src, to_state=to, detail=detail or (result or ""))


class CaseService:
    def __init__(self, db: Database, clock: Clock | None = None, tz: ZoneInfo | None = None) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.tz = tz or venue_tz()

    def open_case(self, who: Actor, kind: CaseKind | str, details: CaseDetails) -> PersonCase:
        kind = case_kind(kind)
        now = self.clock.now()
        values = validate_details(kind, details, now)
        with session_as(self.db, who, *DESK_ROLES, action="open a case") as (s, user):
            case = PersonCase(number=next_number(s, CASE_SERIES, now, self.tz), kind=kind, state=S.OPEN,
                              created_by_id=user.id, created_at=now, **values)
            s.add(case)
            s.flush()
            s.add(CaseEvent(**opened_event(case, user, now)))
        return case

    def transition(self, number: str, who: Actor, to: CaseState | str, *, result: str | None = None,
                   note: str = "") -> PersonCase:
        v = parse(Transition, {"state": getattr(to, "value", to), "result": result, "note": note})
        to, result, note = CaseState(v.state), v.result, v.note or ""
        now = self.clock.now()
        with session_as(self.db, who, *DESK_ROLES, action="change a case") as (s, user):
            case = load_case(s, number)
            move(s, case, to, user, now, result=result, detail=note)
            if to in RESOLVED:  # resolved here too: its pages stop and come off the air
                stopped = stop_pages(s, case, self.db.signals, now)
                if stopped:
                    add_event(s, case, user, "repeats cancelled", now, detail=", ".join(f"#{p}" for p in stopped))
        return case

    def edit(self, number: str, who: Actor, changes: dict) -> PersonCase:
        """Change a case's description (the fields of ``changes``); every change is on the timeline.
        (The panel edits through ``PagingService.edit_case``: the case's pages say the new description.)"""
        with session_as(self.db, who, *DESK_ROLES, action="edit a case") as (s, user):
            case = load_case(s, number)
            edit_details(s, case, user, changes, self.clock.now())
        return case

    def add_note(self, number: str, who: Actor, note: str) -> None:
        if not (note or "").strip():
            raise ValidationError("note: empty")
        with session_as(self.db, who, *DESK_ROLES, action="add a note") as (s, user):
            add_event(s, load_case(s, number), user, "note", self.clock.now(), detail=note.strip())

    def get(self, number: str) -> PersonCase:
        with self.db.session() as s:
            return by_number(s, PersonCase, number, "case", selectinload(PersonCase.events))

    def list_cases(self, *, state: CaseState | str | None = None, open_only: bool = False) -> list[PersonCase]:
        q = select(PersonCase).order_by(PersonCase.created_at.desc(), PersonCase.id.desc())
        state = parse(CaseFilter, {"state": getattr(state, "value", state)}).state
        if state is not None:
            q = q.where(PersonCase.state == CaseState(state))
        if open_only:
            q = q.where(PersonCase.state.not_in(list(RESOLVED)))
        with self.db.session() as s:
            return list(s.scalars(q))


def edit_details(s, case: PersonCase, user, changes: dict, now) -> list[str]:
    """Change ``case``'s description; checked as when the case was opened (every problem at once), each
    change on the timeline. Returns the fields changed."""
    editable = set(TEXT_FIELDS) | {"age", "sex"}
    current = {f: getattr(case, f) for f in editable}
    sex = {"male": "boy" if case.is_child else "man", "female": "girl" if case.is_child else "woman"}
    current["sex"] = sex.get(case.sex, case.sex)
    wanted = {**current, **{k: v for k, v in changes.items() if k in editable}}
    given = changes.get("wording")  # a detail in each language: the case lists it in the first
    for f, said in (given.items() if isinstance(given, dict) else ()):
        if f in editable and isinstance(said, dict) and f not in changes:
            wanted[f] = next(iter(said.values()), None) or wanted[f]
    values = validate_details(case.kind, CaseDetails(**wanted, is_child=case.is_child or None,
                                                     last_seen_at=case.last_seen_at, wording=given), now)
    wrong = {f"{f}.{lang}": why for f, said in (values["wording"] or {}).items() for lang, text in said.items()
             if (why := script_problem(lang, text))}  # a page made from it would be refused: say so now
    if wrong:
        raise FieldErrors(wrong)
    changed = [f for f in sorted(editable) if values[f] != getattr(case, f)]
    for f in changed:
        add_event(s, case, user, "edited", now, detail=f"{f}: {getattr(case, f) or '–'} → {values[f] or '–'}")
        setattr(case, f, values[f])
    kept = {f: said for f, said in (case.wording or {}).items() if f not in changed}  # what changed no longer stands
    wording = {**kept, **(values["wording"] or {})} or None
    if wording != case.wording:
        case.wording = wording
        changed += [f for f in (values["wording"] or {}) if f not in changed]
    if "age" in changed and values["age"] is not None:
        case.is_child = case.is_child or values["age"] < CHILD_AGE_LIMIT
    return changed
