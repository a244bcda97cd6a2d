"""Case-work fixtures: real staff users on the test's SQLite database, the services on a manual clock
(10:00 UTC, 18:00 in the venue's Asia/Shanghai)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from broadcaster.cases.complaints import ComplaintService
from broadcaster.cases.followup import VisitService
from broadcaster.cases.incidents import IncidentService
from broadcaster.store.models.core import Role, User
from tests.web.conftest import FAST_HASH, INSTALLED, Browser, make_app, renderer  # noqa: F401  (fixtures)

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def staff(db):
    with db.session() as s:
        for name, role in [("dora", Role.DESK), ("dan", Role.DESK), ("sam", Role.SUPERVISOR),
                           ("bob", Role.BROADCASTER), ("ada", Role.ADMIN)]:
            s.add(User(name=name, role=role, display_name=name.title(), password_hash=FAST_HASH,
                       created_at=INSTALLED))
    return db


@pytest.fixture
def complaints(staff, clock):
    return ComplaintService(staff, clock, SHANGHAI, hours=24)


@pytest.fixture
def visits(staff, clock):
    return VisitService(staff, clock)


@pytest.fixture
def incidents(staff, clock):
    return IncidentService(staff, clock, SHANGHAI)


def complaint_form(**kw) -> dict:
    base = {"channel": "phone", "category": "cleanliness", "matter": "洗手间没有纸巾 / no paper in the toilets",
            "visitor_name": "李女士", "visitor_contact": "13900000000"}
    base.update(kw)
    return base


GOOD_VISIT = {"satisfaction": "5", "attitude": "4", "timeliness": "4", "remarks": "满意"}


@pytest.fixture
def app(make_app, clock):
    """The panel on the test's database and manual clock (venue time Asia/Shanghai)."""
    return make_app(CLOCK=clock, VENUE_TZ=SHANGHAI)


@pytest.fixture
def browser(app):
    return lambda name=None: Browser(app, name)
