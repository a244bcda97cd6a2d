"""An admin changes a user's role (panel form and CLI): the row changes, the change is in the audit log in
words, the user's log-ins end so the new role applies at once; non-admins, unknown roles and demoting the
last active admin are refused and store nothing. Real SQLite database, real panel (Flask test client)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from broadcaster.cli import main
from broadcaster.errors import PermissionDenied
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.security import AuditEvent
from broadcaster.users import change_role
from tests.web.conftest import FAST_HASH, Browser
from tests.web.test_sessions import sessions


def role_of(db, name) -> Role:
    with db.session() as s:
        return s.scalar(select(User.role).where(User.name == name))


def changes(db) -> list[tuple[str, str, str]]:
    with db.session() as s:
        return [(e.actor, e.account, e.detail)
                for e in s.scalars(select(AuditEvent).where(AuditEvent.kind == "role_changed"))]


def test_admin_changes_a_role_the_change_is_logged_and_the_users_log_ins_end(app, staff):
    dora, ada = Browser(app, "dora"), Browser(app, "ada")
    assert dora.get("/desk/").status_code == 200
    page = ada.get("/admin/users").get_data(as_text=True)
    assert 'action="/admin/users/dora/role"' in page and "Change role" in page
    resp = ada.post("/admin/users/dora/role", {"role": "supervisor"})
    assert resp.status_code == 302
    assert role_of(staff, "dora") is Role.SUPERVISOR
    assert changes(staff) == [("ada", "dora", "desk -> supervisor")]
    assert {r.ended_why for r in sessions(app, "dora")} == {"role changed"}
    again = dora.get("/desk/")  # the old log-in is over: sent to log in, where the new role applies
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert ada.get("/admin/users").status_code == 200  # the admin's own log-in stays
    assert Browser(app, "dora").get("/approvals/").status_code == 200  # logged in again: a supervisor
    html = ada.get("/audit?kind=role_changed").get_data(as_text=True)
    assert "Role changed</b>" in html and "from desk to supervisor" in html and "desk -&gt;" not in html
    ada.get("/lang/zh")
    assert "角色变更</b>" in (zh := ada.get("/audit").get_data(as_text=True)) and "由服务台改为主管" in zh
    assert "更改角色" in ada.get("/admin/users").get_data(as_text=True)


@pytest.mark.parametrize("who", ["sam", "dora"])
def test_a_non_admin_is_refused_and_nothing_changes(app, staff, who):
    b = Browser(app, who)
    assert b.post("/admin/users/dora/role", {"role": "admin"}).status_code == 403
    assert role_of(staff, "dora") is Role.DESK and changes(staff) == []
    assert all(r.ended_at is None for r in sessions(app, who))
    with staff.session() as s, pytest.raises(PermissionDenied):  # the rule itself, not only the route
        change_role(s, who, "dora", "admin")
    assert role_of(staff, "dora") is Role.DESK and changes(staff) == []


def test_the_last_active_admin_cannot_be_demoted(app, staff):
    with staff.session() as s:  # a switched-off admin does not count
        s.add(User(name="old", role=Role.ADMIN, password_hash=FAST_HASH, active=False))
    ada = Browser(app, "ada")
    resp = ada.post("/admin/users/ada/role", {"role": "supervisor"})
    assert resp.status_code == 400
    assert "this is the last admin: make another user an admin first" in resp.get_data(as_text=True)
    assert role_of(staff, "ada") is Role.ADMIN and changes(staff) == []
    assert all(r.ended_at is None for r in sessions(app, "ada"))
    bad = ada.post("/admin/users/dora/role", {"role": "boss"})
    assert bad.status_code == 400 and "choose a role" in bad.get_data(as_text=True)
    assert role_of(staff, "dora") is Role.DESK and changes(staff) == []
    # with a second admin, the first may step down
    assert ada.post("/admin/users/sam/role", {"role": "admin"}).status_code == 302
    assert ada.post("/admin/users/ada/role", {"role": "supervisor"}).status_code == 302
    assert role_of(staff, "ada") is Role.SUPERVISOR
    assert changes(staff)[-1] == ("ada", "ada", "admin -> supervisor")
    assert ada.get("/admin/users").status_code == 403  # the new role counts at once


def test_cli_changes_a_role_and_refuses_unknown_roles_and_the_last_admin(staff, tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'test.sqlite3'}"
    assert main(["--db", url, "user", "role", "dora", "boss"]) == 1
    assert "boss" in capsys.readouterr().err
    assert main(["--db", url, "user", "role", "ada", "desk"]) == 1
    assert "last admin" in capsys.readouterr().err
    assert role_of(staff, "dora") is Role.DESK and role_of(staff, "ada") is Role.ADMIN and changes(staff) == []
    assert main(["--db", url, "user", "role", "dora", "Supervisor"]) == 0
    assert "dora is now supervisor" in capsys.readouterr().out
    assert role_of(staff, "dora") is Role.SUPERVISOR
    assert changes(staff) == [("", "dora", "desk -> supervisor")]


def test_role_picker_at_390_px_in_chromium(make_app, approved_templates):
    from tests.web.test_browser import ARGS, CHROMIUM, login, shot
    from tests.web.test_setup_browser import no_side_scroll

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    playwright = pytest.importorskip("playwright.sync_api")
    from broadcaster.commands.serve import Panel

    app = make_app()
    panel = Panel(app, "127.0.0.1", 0)
    base = panel.url.rstrip("/")
    try:
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", bypass_csp=True)
            pg = ctx.new_page()
            login(pg, base, "ada")
            pg.goto(f"{base}/admin/users")
            form = pg.locator("form[action='/admin/users/dora/role']")
            assert form.locator("select option:checked").inner_text() == "服务台"
            form.locator("select").select_option("supervisor")
            form.locator("button").click()
            pg.wait_for_url(f"{base}/admin/users")
            assert "dora现在是主管" in pg.inner_text("body")
            assert no_side_scroll(pg)
            shot(pg, "users-role-zh-390")  # docs/screenshots only with PA_SCREENSHOTS=1
            browser.close()
    finally:
        panel.stop()
    assert role_of(app.extensions["pa"].db, "dora") is Role.SUPERVISOR
