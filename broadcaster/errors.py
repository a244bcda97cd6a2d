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
