"""Checking what staff typed into a form, every field at once.

A ``Form`` reads raw values (strings from the panel or the CLI, or ready Python values), collects a
problem per field, and ``done()`` raises :class:`broadcaster.errors.FieldErrors` (a ValidationError:
nothing is stored) naming every bad field at once. A :class:`Problem` is the English message itself (a
``str``, as FieldErrors holds for the desk and the API) that also keeps its ``text`` and ``values`` so the
panel can translate it (the ``values`` fill the ``{placeholders}``).
"""
from __future__ import annotations

import enum
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from broadcaster.errors import FieldErrors

REQUIRED = "Required."
TOO_LONG = "At most {limit} characters."
NOT_IN_LIST = "Choose one of the list."
BAD_SCORE = "A score from 1 to 5."
BAD_TIME = "Use a date and time like 2026-11-26 14:30."
IN_FUTURE = "Cannot be in the future."


class Problem(str):
    """One field's problem: the English sentence, with its untranslated ``text`` and ``values``."""

    text: str
    values: dict

    def __new__(cls, text: str, values: dict | None = None) -> "Problem":
        obj = super().__new__(cls, text.format(**(values or {})))
        obj.text, obj.values = text, dict(values or {})
        return obj


def refuse(name: str, text: str, **values) -> FieldErrors:
    """One field's problem, as an error to raise."""
    return FieldErrors({name: Problem(text, values)})


class Form:
    def __init__(self, values: dict | None, tz: ZoneInfo | None = None, now: datetime | None = None) -> None:
        self.values = dict(values or {})
        self.tz, self.now = tz, now
        self.problems: dict[str, Problem] = {}

    def fail(self, name: str, text: str, **values) -> None:
        self.problems.setdefault(name, Problem(text, values))

    def raw(self, name: str):
        value = self.values.get(name)
        return value.strip() if isinstance(value, str) else value

    def text(self, name: str, limit: int | None = None, *, required: bool = False, lines: bool = False) -> str:
        """Trimmed text (runs of blanks made one unless ``lines``); "" when empty and not required."""
        value = self.values.get(name)
        value = "" if value is None else str(value)
        value = value.strip() if lines else " ".join(value.split())
        if required and not value:
            self.fail(name, REQUIRED)
        elif limit is not None and len(value) > limit:
            self.fail(name, TOO_LONG, limit=limit)
        return value

    def choice(self, name: str, kind: type[enum.Enum], *, required: bool = True):
        value = self.raw(name)
        if isinstance(value, kind):
            return value
        if not value:
            if required:
                self.fail(name, REQUIRED)
            return None
        try:
            return kind(value)
        except ValueError:
            self.fail(name, NOT_IN_LIST)
            return None

    def score(self, name: str, *, required: bool = True) -> int | None:
        value = self.raw(name)
        if value in (None, ""):
            if required:
                self.fail(name, REQUIRED)
            return None
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= 5:
            self.fail(name, BAD_SCORE)
            return None
        return number

    def when(self, name: str, *, required: bool = False, not_future: bool = True) -> datetime | None:
        """A datetime, ``YYYY-MM-DD HH:MM`` / ``YYYY-MM-DDTHH:MM`` or ``HH:MM`` (today), venue time."""
        value = self.raw(name)
        if value in (None, ""):
            if required:
                self.fail(name, REQUIRED)
            return None
        at = value if isinstance(value, datetime) else self._parse(value)
        if at is None:
            self.fail(name, BAD_TIME)
            return None
        if at.tzinfo is None:
            at = at.replace(tzinfo=self.tz)
        if not_future and self.now is not None and at > self.now + timedelta(minutes=5):
            self.fail(name, IN_FUTURE)
        return at

    def _parse(self, value: str) -> datetime | None:
        try:
            if len(value) <= 5 and ":" in value:
                today = (self.now.astimezone(self.tz) if self.now else datetime.now(self.tz)).date()
                return datetime.combine(today, time.fromisoformat(value), self.tz)
            return datetime.fromisoformat(value.replace(" ", "T", 1))
        except ValueError:
            return None

    def done(self) -> None:
        if self.problems:
            raise FieldErrors(self.problems)
