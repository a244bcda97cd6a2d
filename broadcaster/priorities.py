"""Priority classes. Higher number wins; equal priority is first-come-first-served."""
from __future__ import annotations

from enum import IntEnum


class Priority(IntEnum):
    BACKGROUND_MUSIC = 10
    PROGRAMME = 30
    ANNOUNCEMENT = 50
    URGENT_PAGE = 80
    EMERGENCY = 100

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: "str | int | Priority") -> "Priority | int":
        """A class name (``urgent_page``) or a number (kept as is, so 85 is allowed)."""
        if isinstance(value, int):
            return value
        key = str(value).strip()
        if key.lstrip("-").isdigit():
            return int(key)
        try:
            return cls[key.upper().replace("-", "_")]
        except KeyError:
            names = ", ".join(p.label for p in cls)
            raise ValueError(f"unknown priority {value!r}; use a number or one of {names}") from None

    @classmethod
    def class_of(cls, value: int) -> "Priority":
        """The named class a numeric priority falls in (the highest class not above it)."""
        return max((p for p in cls if p <= value), default=cls.BACKGROUND_MUSIC)
