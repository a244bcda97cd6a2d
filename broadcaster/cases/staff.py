"""Who is acting: resolve a user by name (CLI) or object (web) inside the caller's session, check roles."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from broadcaster.store.models.core import Role, User
from broadcaster.users import acting

#: Desk work (cases, lost property, triggering pre-approved pages).
DESK_ROLES = (Role.DESK, Role.SUPERVISOR)
#: Approving templates and free-text pages.
SUPERVISOR_ROLES = (Role.SUPERVISOR,)

SYSTEM_USER = "system"

Actor = User | str
#: The acting user, loaded in the caller's session; PermissionDenied unless active and holding the roles.
actor = acting


@contextmanager
def session_as(db, who: Actor, *roles: Role, action: str) -> Iterator[tuple[Session, User]]:
    """A session of ``db`` and the acting user loaded in it (PermissionDenied unless active and holding
    ``roles``: nothing is written then)."""
    with db.session() as s:
        yield s, actor(s, who, *roles, action=action)


def system_user(session: Session) -> User:
    """The inactive ``system`` user that authors seeded templates (so any supervisor can approve them)."""
    user = session.scalar(select(User).where(User.name == SYSTEM_USER))
    if user is None:
        user = User(name=SYSTEM_USER, display_name="System (seeded defaults)", role=Role.DESK, active=False)
        session.add(user)
        session.flush()
    return user
