"""What a page about a case says: the template it uses and its texts filled in from the case's
description (the no-name rule for children is checked by ``templates.fill``). Used by paging a case
(``paging.page_case``) and by opening a case and paging it in one step (``paging.open_and_page``),
and the supervisors' alarm when a case escalates. Nothing here writes to the database."""
from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from broadcaster.cases.missing import RESOLVED, load_case
from broadcaster.paging.defaults import DEFAULT_KEYS
from broadcaster.paging.templates import TemplateService, fill
from broadcaster.errors import InvalidTransition, ValidationError
from broadcaster.store.models.cases import CaseKind, Page, PageStatus, PageTemplate, PersonCase, TemplatePurpose

P = TemplatePurpose


@dataclass
class Draft:
    template: PageTemplate
    texts: dict[str, str]
    extra: str | None  # the free text that makes a supervisor approve the page first


def case_values(case: PersonCase) -> dict:
    """Placeholder values of a case (``name`` only ever used by adult templates)."""
    return {"name": case.person_name, "age": case.age, "sex": case.sex or "unknown", "height": case.height,
            "hair": case.hair, "looks": {"height": case.height, "hair": case.hair}, "clothing": case.clothing,
            "shoes": case.shoes, "last_seen_place": case.last_seen_place, "last_seen_time": case.last_seen_at,
            "meeting_point": case.meeting_point, "case_number": case.number,
            "wording": case.wording or {}}


def default_template_key(case: PersonCase) -> str:
    if case.kind is CaseKind.FOUND:
        return DEFAULT_KEYS["found_child"]
    return DEFAULT_KEYS["missing_child" if case.is_child else "missing_adult"]


def page_template(s: Session, case: PersonCase, template: str | int | None) -> PageTemplate:
    """The template a page about ``case`` uses: the one asked for, else the default for its kind."""
    tpl = TemplateService._load(s, template or default_template_key(case))
    if tpl.purpose not in (P.MISSING, P.FOUND):
        raise ValidationError(f"template: {tpl.key} is a {tpl.purpose.value} template, not a page")
    return tpl


def draft(case: PersonCase, tpl: PageTemplate, extra_text: str | dict | None, tz: ZoneInfo) -> Draft:
    """The checked texts of a page about ``case`` (raises why the page is refused)."""
    texts = fill(tpl, case_values(case), is_child=case.is_child, child_name=case.person_name,
                 extra=extra_text, tz=tz)
    free = bool(extra_text and (extra_text.strip() if isinstance(extra_text, str) else any(extra_text.values())))
    return Draft(tpl, texts, str(extra_text) if free else None)


def case_draft(s: Session, number: str, template, extra_text, tz: ZoneInfo) -> tuple[PersonCase, Draft]:
    """An open case and the draft of paging it again (InvalidTransition once it is resolved)."""
    case = load_case(s, number)
    if case.state in RESOLVED:
        raise InvalidTransition(f"case {case.number} is {case.state.value}: nothing to page")
    return case, draft(case, page_template(s, case, template), extra_text, tz)


def page_detail(page: Page, tpl: PageTemplate) -> str:
    """The case timeline's words for a new page."""
    return f"page #{page.id} ({tpl.key})" + (": free text added, waiting for supervisor approval"
                                              if page.status is PageStatus.PENDING_APPROVAL else "")


def escalation_reason(case: PersonCase, minutes: int) -> str:
    """The supervisors' alarm, in words the desk knows (the case number, what kind of case)."""
    if case.kind is CaseKind.FOUND:
        return (f"case {case.number}: the found child waits at {case.meeting_point or 'the meeting point'}; "
                f"no guardian came {minutes} min after the first page")
    return f"case {case.number}: still missing {minutes} min after the first page"
