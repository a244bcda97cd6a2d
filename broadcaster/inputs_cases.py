"""What the desk sends after a case or an item is open: the template chosen to page again, how a case
ends, notes and follow-up calls, reasons for refusing a page, and the claim, hand-over and disposal of
lost property. Declared with the same text, number and time types as broadcaster.inputs (NFC, no
control characters, lengths), parsed by the panel's forms and the CLI alike; a refusal is a FieldErrors
naming every field at fault, and nothing is stored."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BeforeValidator

from broadcaster.inputs import WHEN, Input, Pattern, Text

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
