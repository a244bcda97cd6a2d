"""Domain errors. Every refusal is one of these, with a message a member of staff can act on."""


class BroadcasterError(Exception):
    """Base class of every refusal raised by the domain."""


class ValidationError(BroadcasterError):
    """Bad input: nothing was stored."""


class PermissionDenied(BroadcasterError):
    """The acting user's role or identity does not allow this action."""


class NotFound(BroadcasterError):
    """No such record."""


class InvalidTransition(BroadcasterError):
    """The record's current state does not allow this action."""


class FieldErrors(ValidationError):
    """Bad input in several fields at once: ``fields`` maps each field to what is wrong with it (the
    message is all of them), so a form can show every error beside its field."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        self.fields = dict(fields)
        super().__init__(message or "; ".join(f"{k}: {v}" for k, v in self.fields.items()))


def choice(field: str, value, kind):
    """``value`` as a member of the enum ``kind``, or a :class:`FieldErrors` naming the field and the
    values it may take (a query's ``?state=junk`` is bad input, not a server error)."""
    try:
        return kind(value)
    except ValueError:
        raise FieldErrors({field: f"must be one of {', '.join(m.value for m in kind)}; got {str(value)[:40]!r}"}) \
            from None

