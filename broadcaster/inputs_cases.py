"""What the desk sends after a case or an item is open: the template chosen to page again, how a case
ends or moves, notes and follow-up calls, reasons for refusing a page, the claim, hand-over, retention
and disposal of lost property, the lists' filters; and the visitor-services forms: complaints,
incidents, follow-up visits, shift handovers, the handover with security and the case-work settings.
Declared with the same text, number and time types as broadcaster.inputs (NFC, no control characters,
lengths), parsed by the panel's forms and the CLI alike (the services parse the visitor-services forms
themselves, so both reach the same model); a refusal is a FieldErrors naming every field at fault, and
nothing is stored. The services keep their domain rules (which step needs a detail, which fixed hour
is open); :func:`read` gives them the fields that passed, so every problem is said at once."""
from __future__ import annotations

import enum
import re
from datetime import datetime, time, timedelta, timezone
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field

from broadcaster.errors import FieldErrors
from broadcaster.inputs import HINTS, WHEN, Input, Int, Pattern, Text, parse
from broadcaster.store.models.desk import CheckResult, ComplaintCategory, ComplaintChannel, IncidentState

TemplateChoice = Text(80)  # a page template's key or number


class PageCase(Input):
    """Page an open case again: the template chosen (default: the case's kind's)."""

    template: TemplateChoice | None = None


class CaseNote(Input):
    note: Text(2000, lines=True, required=True)


def _yes_no(value):
    """A form's "yes"/"no" (or a command's true/false) as a yes or no; "" is not given."""
    if isinstance(value, str):
        return {"yes": True, "no": False, "true": True, "false": False}.get(value.strip().lower(), value)
    return value


class FollowUpCall(Input):
    """What the family said when the desk called after the case closed."""

    outcome: Text(2000, lines=True, required=True)
    called_at: Pattern(WHEN) | None = None
    satisfied: Annotated[bool, BeforeValidator(_yes_no)] | None = None


class Claim(Input):
    """The owner's claim of a lost item; with a signature it is handed over in the same step."""

    owner_name: Text(120, required=True)
    owner_identity: Text(120, required=True)
    owner_contact: Text(120) | None = None
    verification_note: Text(500, lines=True, required=True)
    signature: Text(200) | None = None


class HandOver(Input):
    signature: Text(200, required=True)


class Disposal(Input):
    """How an item kept past its retention date left the venue (a supervisor records it)."""

    method: Literal["police", "donated", "destroyed", "returned_to_finder"]
    handled_by: Text(120, required=True)
    disposed_at: Pattern(WHEN) | None = None
    note: Text(500, lines=True) | None = None


class Why(Input):
    """A supervisor's reason for refusing a page or a script (the services say why one is needed)."""

    reason: Text(500) | None = None


# -- reading a form whose service adds its own rules -----------------------------------------------
def read(model: type[Input], data: dict) -> tuple[Input, dict[str, str]]:
    """``data`` as ``model`` and every field's problem. A field at fault is left None (or its default)
    so that the service can check its own rules on the rest and refuse every problem at once
    (:func:`refuse_if`)."""
    try:
        return parse(model, data), {}
    except FieldErrors as exc:
        errors = dict(exc.fields)
    fields = {n: None if f.is_required() else f.get_default() for n, f in model.model_fields.items()}
    for name, value in data.items():
        if name in model.model_fields and name not in errors and value not in (None, ""):
            probe = model.model_construct()  # one field checked alone, as the model checks it
            model.__pydantic_validator__.validate_assignment(probe, name, value)
            fields[name] = getattr(probe, name)
    return model.model_construct(**fields), errors


def refuse_if(errors: dict[str, str]) -> None:
    if errors:
        raise FieldErrors(errors)


def moment(errors: dict[str, str], field: str, value: str | None, tz: ZoneInfo | None,
           now: datetime | None = None) -> datetime | None:
    """A time the model let pass (``HH:MM`` today, or ``YYYY-MM-DD[T ]HH:MM``) in venue time ``tz``;
    what is wrong with it goes into ``errors`` (a day that does not exist, a time in the future)."""
    if not value:
        return None
    clock = now or datetime.now(timezone.utc)
    try:
        if len(value) <= 8 and ":" in value:
            at = datetime.combine(clock.astimezone(tz).date(), time.fromisoformat(value), tz)
        else:
            at = datetime.fromisoformat(value.replace(" ", "T", 1))
            at = at if at.tzinfo else at.replace(tzinfo=tz)
        if not 2000 <= at.year <= 2999:
            raise ValueError(value)
    except ValueError:
        errors.setdefault(field, HINTS[WHEN])
        return None
    check_time(errors, field, at, clock)
    return at


def check_time(errors: dict[str, str], field: str, at: datetime | None, now: datetime) -> None:
    """A time given as a datetime (a service's callers): with its zone, not in the future."""
    if at is not None and at.tzinfo is None:
        errors.setdefault(field, "give a time with a time zone")
    elif at is not None and at > now + timedelta(minutes=5):
        errors.setdefault(field, "this time is in the future")


def named(exc: FieldErrors, options) -> FieldErrors:
    """A refusal naming a command's options (``--received-at: ...``) where ``options`` has the field."""
    return FieldErrors({f"--{k.replace('_', '-')}" if k in options else k: v for k, v in exc.fields.items()})


def when(field: str, value: str | None, tz: ZoneInfo | None, now: datetime | None = None) -> datetime | None:
    """:func:`moment` of one field, refused (FieldErrors naming it) when wrong; checked as the models check
    a time (a command's option, a form's field)."""
    errors: dict[str, str] = {}
    try:
        value = parse(At, {"at": value}).at
    except FieldErrors as exc:
        raise FieldErrors({field: exc.fields["at"]}) from None
    at = moment(errors, field, value, tz, now)
    refuse_if(errors)
    return at


class At(Input):
    at: Pattern(WHEN) | None = None


# -- missing-person cases and lost property --------------------------------------------------------
CASE_STATE = Literal["open", "paged", "escalated", "found", "reunited", "closed"]
ITEM_STATE = Literal["stored", "claimed", "handed_over", "disposed"]


class CaseFilter(Input):
    """Which cases a list shows (the panel's and the API's ``?state=``, the command's ``--state``)."""

    state: CASE_STATE | None = None


class ItemFilter(Input):
    state: ITEM_STATE | None = None
    q: Text(120) | None = None


class Transition(Input):
    """A case moved by hand to another state, with its result and a note."""

    state: CASE_STATE
    result: Text(500) | None = None
    note: Text(2000, lines=True) | None = None


class Retention(Input):
    """How long an unclaimed item is kept before it is due for disposal."""

    retention_days: Int(1, 3650)


class Unclaimed(Input):
    days: Int(0, 3650) | None = None


# -- complaints, incidents, follow-up visits, handovers (the visitor-services pages) -----------------
def Choice(*values: str) -> Any:  # noqa: N802
    """One of ``values`` (a form's list): anything else is "Choose one of the list."."""
    def check(value):
        value = getattr(value, "value", value)
        if not isinstance(value, str) or value.strip() not in values:
            raise ValueError("Choose one of the list.")
        return value.strip()
    return Annotated[Literal[values], BeforeValidator(check)]


def members(kind: type[enum.Enum], *leave_out: enum.Enum) -> tuple[str, ...]:
    return tuple(m.value for m in kind if m not in leave_out)


class ComplaintReceipt(Input):
    """A complaint as received: how it came, what kind, the matter, who complained, when (default now)."""

    channel: Choice(*members(ComplaintChannel))
    category: Choice(*members(ComplaintCategory))
    matter: Text(4000, lines=True, required=True)
    visitor_name: Text(120) | None = None
    visitor_contact: Text(120) | None = None
    visitor_request: Text(2000, lines=True) | None = None
    department: Text(120) | None = None
    received_at: Pattern(WHEN) | None = None


class ComplaintHandling(Input):
    department: Text(120, required=True)
    note: Text(2000, lines=True) | None = None


class ComplaintStep(Input):
    step: Text(2000, lines=True, required=True)


class ComplaintAnswer(Input):
    result: Text(4000, lines=True, required=True)


class ComplaintReopen(Input):
    reason: Text(2000, lines=True, required=True)


class ComplaintClose(Input):
    note: Text(2000, lines=True) | None = None


class EscalationClose(Input):
    escalation_note: Text(2000, lines=True, required=True)


class IncidentReport(Input):
    place: Text(120, required=True)
    injury: Text(4000, lines=True, required=True)
    visitor_name: Text(120) | None = None
    visitor_contact: Text(120) | None = None
    occurred_at: Pattern(WHEN) | None = None


class IncidentStepForm(Input):
    """The next step of an incident (never "reported" again), when it happened (default now), what was
    done (the service says which steps need it)."""

    step: Choice(*members(IncidentState, IncidentState.REPORTED))
    at: Pattern(WHEN) | None = None
    detail: Text(4000, lines=True) | None = None


Score = Int(1, 5, "A score from 1 to 5.")
Reached = Choice("reached", "unreachable")


class Visit(Input):
    """What the visitor said at the follow-up visit (scores 1-5), or that they could not be reached."""

    outcome: Reached = "reached"
    satisfaction: Score | None = None
    attitude: Score | None = None
    timeliness: Score | None = None
    remarks: Text(2000, lines=True) | None = None


class SecurityRecord(Input):
    slot: Text(40, required=True)
    officer: Text(120, required=True)
    items: Text(4000, lines=True) | None = None
    notes: Text(4000, lines=True) | None = None


class HandoverStart(Input):
    shift: Text(60, required=True)
    items_held: Text(4000, lines=True) | None = None
    notes: Text(4000, lines=True) | None = None


class HandoverLine(Input):
    """A tick or a cross of one checklist line, and the explanation of a cross."""

    result: Choice(*members(CheckResult)) | None = None
    explanation: Text(1000, lines=True) | None = None


MAX_ANSWER_HOURS = 720  # 30 days
MAX_SECURITY_TIMES = 6


def _hours(value):
    try:
        hours = float(value.strip().replace(",", ".")) if isinstance(value, str) else value
    except ValueError:
        hours = None
    if not isinstance(hours, (int, float)) or isinstance(hours, bool) or not 1 <= hours <= MAX_ANSWER_HOURS:
        raise ValueError(f"A number of hours from 1 to {MAX_ANSWER_HOURS}.")
    return float(hours)


def _times(value):
    if not isinstance(value, str) or len(value) > 200:
        raise ValueError("Times like 08:00, 18:00.")
    times = set()
    for part in filter(None, re.split(r"[\s,，、;；]+", value)):
        m = re.fullmatch(r"(\d{1,2})(?:[:：](\d{2}))?", part)
        if not (m and int(m[1]) < 24 and int(m[2] or 0) < 60):
            raise ValueError("Times like 08:00, 18:00.")
        times.add(time(int(m[1]), int(m[2] or 0)))
    if not times:
        raise ValueError("required")
    if len(times) > MAX_SECURITY_TIMES:
        raise ValueError(f"At most {MAX_SECURITY_TIMES} times a day.")
    return sorted(times)


class CaseWorkSettings(Input):
    """The hours a complaint may wait for its answer; the fixed hours of the handover with security."""

    complaint_answer_hours: Annotated[float, Field(ge=1, le=MAX_ANSWER_HOURS), BeforeValidator(_hours)]
    security_handover_times: Annotated[list[time], Field(min_length=1, max_length=MAX_SECURITY_TIMES),
                                       BeforeValidator(_times)]
