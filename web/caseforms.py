"""Small helpers of the case-work pages (complaints, incidents, visits, handovers, reports): the shape
every case-work form shares (``form_view``), every field's problem in the staff's language, refusals
said in their words, staff shown by their names. No rules."""
from __future__ import annotations

import re

from flask import flash, redirect, request, url_for

from broadcaster.errors import BroadcasterError, FieldErrors, InvalidTransition, NotFound, PermissionDenied
from web.i18n import N_all, t
from web.refusals import refusal as refusal_text

REFUSALS = N_all({
    InvalidTransition: "That step does not fit where this record stands now.",
    PermissionDenied: "Your role may not do this.",
    NotFound: "No such record.",
})


def problems(exc: FieldErrors) -> dict[str, str]:
    """field -> what is wrong with it (the input models' English sentence), in the UI language."""
    return {name: refusal_text(p) for name, p in exc.fields.items()}


def form_view(save, render, done, back: str | None = None):
    """The shape of every case-work form: on POST, ``save(form)``; when it is saved, ``done(result)``
    (usually :func:`saved`); bad fields -> ``render(form, errors)`` with 400 and every error beside its
    field; another refusal -> said at the top of ``back`` (a URL); on GET, ``render({}, {})``."""
    form, errors = {}, {}
    if request.method == "POST":
        form = values()
        try:
            result = save(form)
        except FieldErrors as exc:
            errors = problems(exc)
        except BroadcasterError as exc:
            if back is None:
                raise
            flash(refusal(exc), "error")
            return redirect(back), 303
        else:
            return done(result)
    return render(form, errors), 400 if errors else 200


def saved(message: str, endpoint: str, **kw):
    """Said at the top of the page the form leads to (303: a reload does not post again)."""
    flash(message, "ok")
    return redirect(url_for(endpoint, **kw)), 303


def refusal(exc: BroadcasterError) -> str:
    for cls, text in REFUSALS.items():
        if isinstance(exc, cls):
            return t(text)
    return t("Please correct the marked fields.")


def values() -> dict[str, str]:
    """The posted form, without the CSRF token."""
    return {k: v for k, v in request.form.items() if k != "csrf_token"}


def staff_name(user) -> str:
    return (getattr(user, "display_name", "") or getattr(user, "name", "")) if user is not None else ""


#: the staff's words for the stored values of the case-work choices and states (then translated)
WORDS = N_all({
    "in_person": "In person", "phone": "Phone", "letter": "Letter", "email": "E-mail",
    "service_attitude": "Service attitude", "cleanliness": "Cleanliness", "safety_hazard": "Safety hazard",
    "facility": "Facility", "other": "Other",
    "received": "Received", "in_handling": "In handling", "answered": "Answered", "followed_up": "Followed up",
    "closed": "Closed (case)", "reported": "Reported", "first_aid": "First aid", "ambulance": "Ambulance (120) called",
    "hospital": "Hospital", "follow_up": "Follow-up", "claim": "Claim (insurance)", "step": "Handling step",
    "state": "State changed", "escalation closed": "Escalation closed",
})


#: details the services write in English, said in the staff's language (what the visitor said kept as said)
_DETAILS = [
    (re.compile(r"^not satisfied at the follow-up visit(?:: (.*))?$", re.S),
     lambda m: t("Not satisfied at the follow-up visit") + (f": {m[1]}" if m[1] else "")),
    (re.compile(r"^follow-up visit$"), lambda m: t("Follow-up visit")),
]


def detail(text: str | None) -> str:
    for pattern, say in _DETAILS:
        m = pattern.match(text or "")
        if m:
            return say(m)
    return text or ""


def word(value) -> str:
    value = getattr(value, "value", value)
    return t(WORDS.get(value, value)) if value else ""


def case_lines(text: str | None) -> str:
    """A handover's open cases ("TS20261126-001 in_handling" a line, as stored): each state in words."""
    lines = [line.partition(" ") for line in (text or "").splitlines()]
    return "\n".join(f"{number} {word(state.strip())}" if state.strip() else number for number, _, state in lines)


def choices(members) -> list[tuple[str, str]]:
    """(value, the staff's word for it) of each member of an Enum, for a <select>."""
    return [(getattr(m, "value", m), word(m)) for m in members]


def init_app(app) -> None:
    app.jinja_env.filters["staff"] = staff_name
    app.jinja_env.filters["choices"] = choices
    app.jinja_env.filters["word"] = word
    app.jinja_env.filters["case_detail"] = detail
    app.jinja_env.filters["case_lines"] = case_lines
    app.jinja_env.globals["blueprints"] = app.blueprints
    app.jinja_env.globals["visits_due"] = lambda: work().visits.due()
    app.jinja_env.globals["complaint_escalations"] = lambda: work().complaints.escalations()
    app.jinja_env.globals["security_due"] = lambda: work().security.due()


class CaseWork:
    """The case-work services, built once per app around the panel's database, clock and venue."""

    def __init__(self, pa) -> None:
        from broadcaster.cases.complaints import ComplaintService
        from broadcaster.cases.followup import VisitService
        from broadcaster.cases.handover import HandoverService
        from broadcaster.cases.incidents import IncidentService
        from broadcaster.cases.security_handover import SecurityHandoverService

        self.pa = pa
        self.complaints = ComplaintService(pa.db, pa.clock, pa.tz)
        self.incidents = IncidentService(pa.db, pa.clock, pa.tz)
        self.visits = VisitService(pa.db, pa.clock)
        self.handovers = HandoverService(pa.db, pa.clock, zones=pa.venue_zones, languages=pa.settings.languages,
                                         renderer=pa.renderer)
        self.security = SecurityHandoverService(pa.db, pa.clock, pa.tz)


def work() -> CaseWork:
    from flask import current_app

    from web.views import svc

    ext = current_app.extensions
    if "pa_cases" not in ext:
        ext["pa_cases"] = CaseWork(svc())
    return ext["pa_cases"]
