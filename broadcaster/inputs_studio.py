"""What the admin and the broadcasters send besides scripts and rules: a page template's wording (it
airs, so every language must say something), the texts of a script to hear before saving, a
recording's title, a programme's name and settings, a closed day, a new user's name and role (a
password is taken as typed, never normalised). Same types as
broadcaster.inputs; parsed by the panel's forms and the CLI alike."""
from __future__ import annotations

from typing import Literal

from broadcaster.inputs import DAY, HINTS, Input, Pattern, PriorityValue, ScriptText, Text, Texts, Zones

#: a template's text: at most 1000 characters (the template service's limit), placeholders in braces
TemplateText = Text(1000, lines=True, spoken=True, required=True)


class TemplateWording(Input):
    """texts: language tag -> the template's text in that language."""

    texts: Texts(TemplateText)


class ScriptPreview(Input):
    """The texts typed in the script editor, rendered to hear before saving (nothing stored)."""

    texts: Texts(ScriptText)


class Recording(Input):
    title: Text(200, required=True)
    priority: PriorityValue | None = None


class Programme(Input):
    """A programme's name and settings (its pieces are the editor's rows)."""

    name: Text(120, required=True)
    priority: PriorityValue | None = None
    zones: Zones | None = None
    description: Text(2000, lines=True) | None = None


class ClosedDay(Input):
    date: Pattern(DAY)
    reason: Text(200) | None = None


USER_NAME = r"^[A-Za-z0-9_.\-]{2,80}$"
HINTS[USER_NAME] = "2-80 letters, digits, '.', '_' or '-'"  # the users module's own words


class NewUser(Input):
    name: Pattern(USER_NAME, 80)
    role: Literal["broadcaster", "supervisor", "desk", "admin"]


class ScriptEdit(Input):
    """A new version of a script: a new title and/or new texts (the rest kept)."""

    title: Text(200, spoken=True, required=True) | None = None
    texts: Texts(ScriptText) | None = None
