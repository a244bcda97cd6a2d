"""The first day in the panel (issue 11): the admin's own password, the venue, its places in every
language, the staff, the templates approved by a supervisor; then the desk pages with pick-lists and the
page never mixes languages. Users and passwords in the panel; ``user add`` never makes a dead account."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from broadcaster.paging.defaults import seed_defaults
from broadcaster.store.models.cases import Page, PersonCase
from broadcaster.store.models.core import User
from broadcaster.venue import start_setup
from tests.web.conftest import PASSWORD, Browser

LATIN = re.compile(r"[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff]")
NEW = "a much longer secret 42"


def visible(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[html.index("<main>"):]))


@pytest.fixture
def fresh(make_app, staff):
    """A fresh install: the default templates pending, every setup step to do."""
    seed_defaults(staff)
    start_setup()
    return make_app()


def places_form(rows: list[tuple[str, str, bool]]) -> dict:
    data = {"rows": str(len(rows))}
    for i, (zh, en, meet) in enumerate(rows):
        data[f"place-{i}-zh-CN"], data[f"place-{i}-en"] = zh, en
        if meet:
            data[f"place-{i}-meeting"] = "1"
    return data


def set_up_venue(app, staff) -> None:
    """The whole first day through the panel, checking each step's refusals store nothing."""
    ada = Browser(app, "ada")
    assert ada.get("/").headers["Location"].endswith("/setup/password")
    assert ada.get("/desk/").headers["Location"].endswith("/setup/password")  # every page leads back until done
    assert ada.get("/setup/").headers["Location"].endswith("/setup/password")
    bad = ada.post("/setup/password", {"current": "wrong", "new": "short", "repeat": "other"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and all(f'id="err-{f}"' in html for f in ("current", "new", "repeat"))
    assert Browser(app).login("ada", PASSWORD).status_code == 302  # nothing changed
    ok = ada.post("/setup/password", {"current": PASSWORD, "new": NEW, "repeat": NEW})
    assert ok.headers["Location"].endswith("/setup/venue")
    assert Browser(app).login("ada", PASSWORD).status_code == 401  # the printed password is gone

    bad = ada.post("/setup/venue", {"venue_name": "", "timezone": "Mars/Olympus", "lang_1": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and all(f'id="err-{f}"' in html for f in ("venue_name", "timezone", "languages"))
    twice = ada.post("/setup/venue", {"venue_name": "Happy Valley", "timezone": "Asia/Shanghai",
                                      "lang_1": "zh-CN", "lang_2": "zh-CN"})  # one language twice: refused
    html = twice.get_data(as_text=True)
    assert twice.status_code == 400 and 'id="err-lang_2"' in html and "already chosen above" in html
    assert app.extensions["pa"].settings.venue_name != "Happy Valley"  # nothing stored
    ok = ada.post("/setup/venue", {"venue_name": "Happy Valley", "timezone": "Asia/Shanghai",
                                   "lang_1": "zh-CN", "lang_2": "en"})
    assert ok.headers["Location"].endswith("/setup/places")

    bad = ada.post("/setup/places", places_form([("旋转木马", "", False), ("Visitor Centre", "Visitor Centre", True)]))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "give the name in this language too" in html and "write it in Chinese characters only" in html
    assert app.extensions["pa"].settings.places == []
    ok = ada.post("/setup/places", places_form([("旋转木马", "Carousel", False), ("游客中心", "Visitor Centre", True)]))
    assert ok.headers["Location"].endswith("/setup/users")

    bad = ada.post("/setup/users", {"name": "x", "role": "", "password": "short"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and all(f'id="err-{f}"' in html for f in ("name", "role", "password"))
    assert ada.post("/setup/users", {"name": "mei", "role": "desk", "password": "mei's password 1"}).status_code == 302
    assert Browser(app).login("mei", "mei's password 1").status_code == 302
    assert ada.post("/setup/users", {"done": "1"}).headers["Location"].endswith("/setup/templates")

    ada.post("/setup/templates")  # not yet: a supervisor approves them (four-eyes)
    assert app.extensions["pa"].settings.setup_pending == ["templates"]
    sam = Browser(app, "sam")
    for tpl in app.extensions["pa"].templates.list():
        assert sam.post(f"/approvals/templates/{tpl.id}/approve").status_code == 302
    assert ada.post("/setup/templates").headers["Location"].endswith("/")
    assert app.extensions["pa"].settings.setup_pending == []
    assert ada.get("/").status_code == 200


def test_the_password_printed_at_install_opens_only_the_form_that_replaces_it(fresh, staff):
    """Until the admin has set their own password no other page, no panel action and no API call is
    served with the printed one: not the users page, not the venue step, not a token."""
    import base64

    ada = Browser(fresh, "ada")
    for path in ("/admin/users", "/setup/venue", "/setup/places", "/setup/users", "/desk/", "/account/password"):
        resp = ada.get(path)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/setup/password"), path
    made = ada.post("/admin/users", {"name": "eve", "role": "admin", "password": "eve password 12"})
    assert made.status_code == 302 and made.headers["Location"].endswith("/setup/password")
    with staff.session() as s:
        assert s.scalar(select(User).where(User.name == "eve")) is None
    api = fresh.test_client()
    basic = {"Authorization": "Basic " + base64.b64encode(f"ada:{PASSWORD}".encode()).decode()}
    for path in ("/api/now", "/api/cases"):
        resp = api.get(path, headers=basic)
        assert resp.status_code == 403 and "password printed at install" in resp.get_json()["detail"], path
    assert ada.get("/setup/password").status_code == 200
    assert ada.post("/setup/password", {"current": PASSWORD, "new": NEW, "repeat": NEW}).status_code == 302
    assert ada.get("/admin/users").status_code in (200, 302)  # the next steps now open
    assert ada.get("/setup/venue").status_code == 200


URGENT = {"kind": "missing", "age": "5", "sex": "boy", "top_colour": "red", "top": "jacket", "bottom_colour": "blue",
          "bottom": "jeans", "shoes_colour": "white", "shoes_type": "sneakers", "last_seen_place": "旋转木马",
          "meeting_point": "游客中心", "person_name": "王小明", "reporter_name": "王芳", "reporter_contact": "13800000000"}


def test_first_day_then_a_page_in_each_language_with_no_word_of_the_other(fresh, staff):
    set_up_venue(fresh, staff)
    dora = Browser(fresh, "dora")
    form = dora.get("/desk/").get_data(as_text=True)
    assert '<option value="旋转木马">Carousel</option>' in form  # the pick-list in the UI language
    resp = dora.post("/desk/", URGENT)
    assert resp.status_code == 302
    with staff.session() as s:
        page = s.scalars(select(Page)).one()
        texts = page.texts
    assert list(texts) == ["zh-CN", "en"]
    assert not LATIN.search(texts["zh-CN"]), texts["zh-CN"]
    assert not CJK.search(texts["en"]), texts["en"]
    assert "红色外套和蓝色牛仔裤" in texts["zh-CN"] and "旋转木马" in texts["zh-CN"] and "游客中心" in texts["zh-CN"]
    assert "a red jacket and blue jeans" in texts["en"] and "Carousel" in texts["en"] and "Visitor Centre" in texts["en"]
    assert "王小明" not in texts["zh-CN"] + texts["en"]


def test_a_page_that_would_mix_languages_or_name_the_child_is_refused_and_nothing_is_stored(fresh, staff):
    """The desk mends what it typed and pages again: no case without its page, the typed remark kept,
    each remark's error beside that language's box (the optional part opened to show it)."""
    set_up_venue(fresh, staff)
    dora = Browser(fresh, "dora")

    def refused(form: dict) -> str:
        resp = dora.post("/desk/", form)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400, html[:300]
        with staff.session() as s:
            assert s.scalars(select(Page)).all() == [] and s.scalars(select(PersonCase)).all() == []
        return html

    html = refused(dict(URGENT, top="", top_colour="", bottom="", bottom_colour="", clothing="黄色雨衣"))
    assert "mix languages" in html  # "雨衣" is in no list (typed words of the lists are said in each language)
    html = refused(dict(URGENT, **{"remark_zh-CN": "手拿气球", "remark_en": ""}))
    assert 'id="err-remark_en"' in html and 'id="err-remark_zh-CN"' not in html and "手拿气球" in html
    assert 'id="optional-fields" open' in html
    html = refused(dict(URGENT, **{"remark_zh-CN": "孩子拿着Pikachu玩具", "remark_en": "holding a Pikachu toy"}))
    assert 'id="err-remark_zh-CN"' in html and "write it in Chinese characters only" in html
    html = refused(dict(URGENT, **{"remark_zh-CN": "小明很害怕", "remark_en": "he is scared"}))
    assert 'id="err-remark_zh-CN"' in html and "no-name rule" in html
    resp = dora.post("/desk/", dict(URGENT, **{"remark_zh-CN": "手拿红色气球", "remark_en": "holding a red balloon"}))
    assert resp.status_code == 302  # mended: paged (the remark waits for a supervisor)
    with staff.session() as s:
        assert len(s.scalars(select(Page)).all()) == 1 and len(s.scalars(select(PersonCase)).all()) == 1


def test_a_missing_adult_is_paged_by_name_in_every_language(fresh, staff):
    """A name is said as it was given: "王芳" in the English page too, not refused as mixed languages."""
    set_up_venue(fresh, staff)
    adult = dict(URGENT, age="70", sex="woman", person_name="王芳")
    resp = Browser(fresh, "dora").post("/desk/", adult)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    with staff.session() as s:
        texts = s.scalars(select(Page)).one().texts
    assert "王芳" in texts["en"] and "王芳" in texts["zh-CN"]
    assert not CJK.search(texts["en"].replace("王芳", "")), texts["en"]


def test_every_user_changes_their_password_and_the_admin_manages_users(app, staff):
    dora = Browser(app, "dora")
    bad = dora.post("/account/password", {"current": PASSWORD, "new": PASSWORD, "repeat": PASSWORD})
    assert bad.status_code == 400 and 'id="err-new"' in bad.get_data(as_text=True)
    assert dora.post("/account/password", {"current": PASSWORD, "new": NEW, "repeat": NEW}).status_code == 302
    assert Browser(app).login("dora", NEW).status_code == 302
    assert dora.get("/admin/users").status_code == 403
    ada = Browser(app, "ada")
    assert ada.post("/admin/users", {"name": "lin", "role": "supervisor", "password": "lin password 1"}).status_code == 302
    assert Browser(app).login("lin", "lin password 1").status_code == 302
    assert ada.post("/admin/users/lin/password", {"password": "x"}).status_code == 400
    assert ada.post("/admin/users/lin/password", {"password": "another one 22"}).status_code == 302
    assert Browser(app).login("lin", "another one 22").status_code == 302
    ada.post("/admin/users/lin/active", {"active": "0"})
    assert Browser(app).login("lin", "another one 22").status_code == 401
    with staff.session() as s:
        assert s.scalar(select(User.active).where(User.name == "lin")) is False


def test_user_add_without_a_password_refuses_instead_of_a_dead_account(tmp_path, capsys):
    from broadcaster.cli import main

    db = ["--db", f"sqlite:///{tmp_path / 'cli.sqlite3'}"]
    assert main(db + ["user", "add", "amy", "--role", "desk"]) == 1
    assert "--password" in capsys.readouterr().err
    assert main(db + ["user", "list"]) == 0 and "amy" not in capsys.readouterr().out
    assert main(db + ["user", "add", "amy", "--role", "desk", "--no-login"]) == 0
    assert "cannot log in" in capsys.readouterr().out


def test_one_person_demo_from_the_cli_needs_the_explicit_flag_and_warns(tmp_path, capsys):
    from broadcaster.cli import main
    from broadcaster.paging.templates import TemplateService
    from broadcaster.store.db import Database

    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    db = ["--db", url]
    assert main(db + ["user", "add", "solo", "--role", "admin", "--password", "solo password 1"]) == 0
    assert main(db + ["templates", "seed"]) == 0
    assert main(db + ["templates", "demo-approve", "--user", "solo"]) == 1
    assert "four-eyes" in capsys.readouterr().err
    assert {t.status.value for t in TemplateService(Database(url)).list()} == {"pending"}
    assert main(db + ["templates", "demo-approve", "--user", "solo", "--i-am-the-only-person"]) == 0
    assert "WARNING: one-person demo" in capsys.readouterr().out
    assert {t.status.value for t in TemplateService(Database(url)).list()} == {"approved"}


def test_the_admin_rewords_a_template_and_a_supervisor_approves_it(fresh, staff):
    set_up_venue(fresh, staff)
    ada = Browser(fresh)
    tpl = next(x for x in fresh.extensions["pa"].templates.list() if x.key == "all_clear")
    ada.login("ada", NEW)
    wording = {"text_zh-CN": "刚才寻找的小朋友已经找到，谢谢大家。", "text_en": "The child we were looking for is safe. Thank you."}
    assert ada.post(f"/setup/templates/{tpl.id}", wording).status_code == 302
    edited = fresh.extensions["pa"].templates.get(tpl.id)
    assert edited.status.value == "approved" and edited.texts == tpl.texts  # the approved wording airs meanwhile
    assert edited.draft_texts["en"] == wording["text_en"]
    assert ada.post(f"/approvals/templates/{tpl.id}/approve").status_code == 403  # four-eyes: not its author
    assert Browser(fresh, "sam").post(f"/approvals/templates/{tpl.id}/approve").status_code == 302
    approved = fresh.extensions["pa"].templates.get(tpl.id)
    assert approved.status.value == "approved" and approved.texts["en"] == wording["text_en"]
    assert approved.draft_texts is None


def test_a_bad_age_hides_no_other_error_and_adds_no_false_one(fresh, staff):
    """Every error of the urgent form at once: a bad age beside the shoes, place and meeting point the
    page lacks, and no 'clothing needed' for a top picked from the lists."""
    set_up_venue(fresh, staff)
    dora = Browser(fresh, "dora")
    for age in ("abc", "-3", "200"):
        form = dict(URGENT, age=age, shoes_colour="", shoes_type="", last_seen_place="", meeting_point="")
        resp = dora.post("/desk/", form)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400
        shown = set(re.findall(r'id="err-([\w-]+)"', html))
        assert {"age", "shoes", "last_seen_place", "meeting_point"} <= shown and "clothing" not in shown, (age, shown)
        preview = dora.post("/desk/preview", form).get_json()["errors"]
        assert {"age", "shoes", "last_seen_place", "meeting_point"} <= set(preview) and "clothing" not in preview
    with staff.session() as s:
        assert s.scalars(select(PersonCase)).all() == []


def test_user_add_ended_at_the_password_prompt_says_so_in_one_line_and_stores_nothing(tmp_path, capsys):
    """In a terminal, Ctrl-D at the password prompt: one clear line, no traceback, a non-zero exit code."""
    import os
    import pty
    import sys
    import time

    from broadcaster.cli import main

    db = ["--db", f"sqlite:///{tmp_path / 'cli.sqlite3'}"]
    assert main(db + ["user", "list"]) == 0  # the database exists (migrated) before the prompt
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI on a terminal of its own
        os.execv(sys.executable, [sys.executable, "-m", "broadcaster.cli", *db, "user", "add", "zed3", "--role", "desk"])
    out, deadline = b"", time.monotonic() + 60
    while b"password for zed3" not in out and time.monotonic() < deadline:
        out += os.read(fd, 1024)
    os.write(fd, b"\x04")  # Ctrl-D
    while True:
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    _, status = os.waitpid(pid, 0)
    text = out.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) != 0, text
    assert "Traceback" not in text and "EOFError" not in text, text
    assert "no password was typed" in text and "nothing was saved" in text, text
    capsys.readouterr()
    assert main(db + ["user", "list"]) == 0 and "zed3" not in capsys.readouterr().out


def test_after_setup_the_admin_reaches_the_venue_settings_from_the_nav(app):
    """Only admins see the link; it leads to the venue's settings (no longer called the first-day setup)."""
    ada = Browser(app, "ada")
    home = ada.get("/").get_data(as_text=True)
    assert 'id="venue-link"' in home and 'href="/setup/venue"' in home
    page = ada.get("/setup/venue")
    assert page.status_code == 200 and "Venue settings" in visible(page.get_data(as_text=True))
    assert 'id="venue-link"' not in Browser(app, "sam").get("/").get_data(as_text=True)


def test_the_user_form_asks_the_required_fields_first(app):
    """User name, role and password (required) come before the optional full name."""
    html = Browser(app, "ada").get("/admin/users").get_data(as_text=True)
    at = {f: html.index(f'id="f-{f}"') for f in ("name", "role", "password", "display_name")}
    assert at["name"] < at["role"] < at["password"] < at["display_name"], at


def test_the_staff_step_needs_a_supervisor_besides_the_admin_and_a_desk_user(fresh, staff):
    """With only the admin, "Continue" would lead to a templates step nobody can approve (four-eyes)."""
    from broadcaster.venue import step_done
    from tests.web.test_template_script import zh

    with staff.session() as s:
        for user in s.scalars(select(User).where(User.name != "ada")):
            user.active = False
    for step in ("password", "venue", "places"):
        step_done(fresh.extensions["pa"].settings, step)
    ada = zh(fresh, "ada")
    resp = ada.post("/setup/users", {"done": "1"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="err-done"' in html
    said = html.split('id="err-done">')[1].split("<")[0]
    assert "主管" in said and "服务台人员" in said
    assert "users" in fresh.extensions["pa"].settings.setup_pending
    assert ada.post("/setup/users", {"name": "sal", "role": "supervisor", "password": "sal's password 1"}).status_code == 302
    html = ada.post("/setup/users", {"done": "1"}).get_data(as_text=True)
    said = html.split('id="err-done">')[1].split("<")[0]
    assert "服务台人员" in said and "主管" not in said
    assert ada.post("/setup/users", {"name": "mei", "role": "desk", "password": "mei's password 1"}).status_code == 302
    assert ada.post("/setup/users", {"done": "1"}).headers["Location"].endswith("/setup/templates")
