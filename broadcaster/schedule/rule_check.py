"""A schedule rule checked without storing it: every problem :meth:`ProgrammeService.add_rule` would
refuse, at once and by field, so a form says them all beside their fields in one answer."""
from __future__ import annotations

from broadcaster.errors import NotFound, ValidationError
from broadcaster.schedule.programmes import ProgrammeService, _may_schedule, _priority, _zones
from broadcaster.schedule.rules import RuleSpec


class RuleProblems(dict):
    """{field: what is wrong}; ``not_found`` holds the fields that name a record nobody made (the service
    said :class:`NotFound`), so a caller tells a missing programme from a bad one by kind, not by words."""

    def __init__(self) -> None:
        super().__init__()
        self.not_found: set[str] = set()


def rule_problems(service: ProgrammeService, programme=None, spec: RuleSpec | None = None, *, zones=None,
                  priority=None, who=None) -> RuleProblems:
    """{field: what is wrong}: the times and days (``spec``), the programme known and approved, the zones
    known, the priority allowed. A part given as None is not checked (the form refused it already)."""
    errors = RuleProblems()

    def check(field: str, fn, *args) -> None:
        try:
            fn(*args)
        except (ValidationError, NotFound) as exc:
            head, sep, rest = str(exc).partition(": ")
            said = getattr(exc, "fields", None) or ({head: rest} if sep and head.isidentifier()
                                                    else {field: str(exc)})
            errors.update(said)
            if isinstance(exc, NotFound):
                errors.not_found.update(said)

    if spec is not None:
        check("kind", spec.validate)
    if programme:
        check("programme", lambda: service.check_approved(service.programme(programme)))
    with service.db.session() as s:
        user = _may_schedule(s, who, action="change the schedule")
        if zones:
            check("zones", _zones, s, zones, service.venue_zones)
        if priority is not None:
            check("priority", _priority, priority, user)
    return errors
