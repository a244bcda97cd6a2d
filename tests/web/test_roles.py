"""Every view checks the role: a matrix of pages and actions by role (403 where it must be)."""
from __future__ import annotations

import pytest

from tests.web.conftest import Browser

DESK, SUP, BRO, ADMIN = "dora", "sam", "bob", "ada"
ALL = (DESK, SUP, BRO, ADMIN)

PAGES = {
    "/": ALL,
    "/desk/": (DESK, SUP, ADMIN), "/desk/cases": (DESK, SUP, ADMIN), "/desk/lost": (DESK, SUP, ADMIN),
    "/scripts/": (BRO, SUP, ADMIN), "/scripts/new": (BRO, SUP, ADMIN),
    "/schedule/": (BRO, SUP, ADMIN), "/schedule/rules": (BRO, SUP, ADMIN), "/schedule/programmes": (BRO, SUP, ADMIN),
    "/schedule/playlists": (BRO, SUP, ADMIN),
    "/approvals/": (SUP, ADMIN), "/approvals/templates": (SUP, ADMIN), "/approvals/logs": (SUP, ADMIN),
    "/approvals/logs/asrun.csv": (SUP, ADMIN), "/approvals/logs/faults.csv": (SUP, ADMIN),
}

ACTIONS = {  # POST url -> roles allowed past the view check
    "/desk/": (DESK, SUP, ADMIN),
    "/desk/lost": (DESK, SUP, ADMIN),
    "/scripts/new": (BRO, SUP, ADMIN),
    "/scripts/preview": (BRO, SUP, ADMIN),
    "/schedule/rules": (BRO, SUP, ADMIN),
    "/schedule/playlists": (BRO, SUP, ADMIN),
    "/approvals/templates/1/approve": (SUP, ADMIN),
    "/approvals/pages/1/approve": (SUP, ADMIN),
    "/approvals/announcements/1/reject": (SUP, ADMIN),
}

EMPTY_FORM = {url: 400 for url in ACTIONS} | {  # what an allowed user's empty form answers
    "/approvals/templates/1/approve": 409,  # approved already
    "/approvals/pages/1/approve": 404,      # no such page
}


@pytest.mark.parametrize("user", ALL)
def test_pages_by_role(app, user):
    b = Browser(app, user)
    for url, allowed in PAGES.items():
        code = b.get(url).status_code
        assert code == (200 if user in allowed else 403), (user, url, code)


@pytest.mark.parametrize("user", ALL)
def test_actions_by_role(app, user):
    b = Browser(app, user)
    for url, allowed in ACTIONS.items():
        code = b.post(url, {}).status_code
        if user in allowed:  # past the role check: the empty form's own answer, never a 500 or a 403
            assert code == EMPTY_FORM[url], (user, url, code)
        else:
            assert code == 403, (user, url, code)


def test_every_view_declares_its_roles(app):
    open_views = {"static", "auth.login", "auth.logout", "i18n.switch", "api.openapi", "api.token"}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in open_views:
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "roles", None), f"{rule.rule} ({rule.endpoint}) has no role check"


def test_service_layer_checks_again(app, approved_templates):
    """The desk view lets a supervisor in; the service still refuses a supervisor approving their own
    template (four-eyes) with 403."""
    b = Browser(app, "sam")
    tpl = approved_templates.edit("found_child", "sam", texts={"en": "Guardian of a {sex} please come to {meeting_point}."})
    resp = b.post(f"/approvals/templates/{tpl.id}/approve")
    assert resp.status_code == 403
    assert "four-eyes" in resp.get_data(as_text=True)
