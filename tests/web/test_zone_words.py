"""Sound zones by what staff call them, never the id the venue configured: the default zone "main" is
全场 / "Whole venue"; a zone the venue names (``zone_names`` in the venue settings) by that name, in the
UI language. The zone's id stays the key of every stored row."""
from __future__ import annotations

import json
import re

from broadcaster import logs
from broadcaster.settings import save_settings
from broadcaster.store.models.workflow import Fault
from tests.web.conftest import Browser
from tests.web.test_fault_words import faults_said
from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import open_case


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_case_page_says_the_default_zone_as_the_whole_venue(app):
    b = Browser(app, "dora")
    number = open_case(b, LOST_CHILD)  # its page waits to air in the default zone, "main"
    for lang, words in (("zh", "全场: 等待播出"), ("en", "Whole venue: waiting to air")):
        b.get(f"/lang/{lang}")
        html = b.get(f"/desk/cases/{number}").get_data(as_text=True)
        on_air = text_of(html.split('id="pages"')[1].split("</table>")[0])
        assert words in on_air and "main" not in on_air, (lang, on_air)
    b.get("/lang/zh")
    now = text_of(b.get("/").get_data(as_text=True).split('id="now"')[1])
    assert "分区 全场" in now and "main" not in now


def test_a_zone_the_venue_names_is_said_by_its_name_and_stored_by_its_id(app):
    pa = app.extensions["pa"]
    fresh = save_settings({"zone_names": {"lobby": {"zh-CN": "大堂", "en": "Lobby"}}})
    pa.settings.__dict__.update(fresh.__dict__)
    with pa.db.session() as s:
        logs.raise_fault(s, "device_lost", "zone lobby: sound device unplugged", zone="lobby")
    sam = Browser(app, "sam")
    for lang, name, said in (("zh", "大堂", "音响设备无法使用"), ("en", "Lobby", "The sound device cannot be used")):
        sam.get(f"/lang/{lang}")
        html = sam.get("/approvals/logs").get_data(as_text=True)
        faults = html[html.index('id="faults"'):]
        cells = re.search(r'<td data-label="[^"]+">([^<]*)</td><td><span class="fault-said">([^<]*)</span>', faults)
        assert cells and cells[1] == name and cells[2].startswith(said), (lang, faults[:600])  # the zone once
        [(_, detail, outside)] = faults_said(html)  # the device's own words folded, without "zone lobby: "
        assert detail.endswith(" sound device unplugged") and "unplugged" not in outside and "lobby" not in detail
        board = text_of(sam.get("/").get_data(as_text=True).split('id="faults"')[1])
        assert f" {name} " in board, (lang, board)
    with pa.db.session() as s:
        assert [f.zone for f in s.query(Fault)] == ["lobby"]  # the id, not the name, is stored


def test_the_programme_form_ticks_zones_by_name_and_stores_their_ids(make_app, approved_templates):
    from broadcaster.store.models.schedule import Programme

    save_settings({"zones": {"main": "device", "lobby": "device:2"},
                   "zone_names": {"lobby": {"zh-CN": "大堂", "en": "Lobby"}}})
    app = make_app()
    bob = Browser(app, "bob")
    bob.get("/lang/zh")
    form = bob.get("/schedule/programmes/new").get_data(as_text=True)
    zones = form[form.index('id="f-zones"'):form.index("</fieldset>", form.index('id="f-zones"'))]
    ticks = re.findall(r'<input type="checkbox" name="zones" value="(\w+)"( checked)?>([^<]*)</label>', zones)
    assert ticks == [("main", " checked", "全场"), ("lobby", "", "大堂")]  # no text field to type "main" into
    assert ">main<" not in zones and ">lobby<" not in zones
    resp = bob.client.post("/schedule/programmes/new", data={
        "csrf_token": bob.token, "name": "Opening", "priority": "programme", "op": "save",
        "piece_0": "chime:programme", "zones": ["main", "lobby"]})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    with app.extensions["pa"].db.session() as s:
        assert s.query(Programme).filter_by(name="Opening").one().zones == "main,lobby"  # ids, as before
    rules = bob.get("/schedule/rules").get_data(as_text=True)
    assert 'value="lobby">大堂</label>' in rules


def test_an_admin_names_the_zones_in_every_venue_language_and_staff_see_those_names(make_app, approved_templates):
    from broadcaster.settings import stored_settings

    save_settings({"zones": {"main": "device", "lobby": "device:2"}})
    app = make_app()
    ada = Browser(app, "ada")
    ada.get("/lang/zh")
    assert 'href="/setup/zones"' in ada.get("/setup/places").get_data(as_text=True)
    form = ada.get("/setup/zones").get_data(as_text=True)
    assert 'name="zone-main-zh-CN" lang="zh-CN" maxlength="40" value="全场"' in form
    assert 'name="zone-lobby-en" lang="en" maxlength="40" value=""' in form
    typed = {"zone-main-zh-CN": "全场", "zone-main-en": "Whole venue", "zone-lobby-zh-CN": "全场", "zone-lobby-en": ""}
    resp = ada.post("/setup/zones", typed)  # every error at once, beside its field; nothing stored
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "zone_names" not in stored_settings()
    assert re.search(r'id="err-zone-lobby-zh-CN">已有别的分区用了这个名称<', html)
    assert re.search(r'id="err-zone-lobby-en">请也填写这种语言的名称<', html)
    resp = ada.post("/setup/zones", dict(typed, **{"zone-lobby-zh-CN": "大堂", "zone-lobby-en": "Lobby"}))
    assert resp.status_code == 302
    assert stored_settings()["zone_names"] == {"main": {"zh-CN": "全场", "en": "Whole venue"},
                                               "lobby": {"zh-CN": "大堂", "en": "Lobby"}}  # keyed by the id
    now = text_of(ada.get("/").get_data(as_text=True).split('id="now"')[1])
    assert "分区 大堂" in now and "lobby" not in now


def test_the_handover_checklist_and_its_test_tone_name_the_zone_as_staff_do(app):
    dora = Browser(app, "dora")
    resp = dora.post("/cases/handover/", {"shift": "早班 → 中班", "notes": ""})
    assert resp.status_code == 303
    dora.get("/lang/zh")
    page = text_of(dora.get(resp.headers["Location"]).get_data(as_text=True))
    assert "全场：播放器应答" in page and "main" not in page
    html = dora.get(resp.headers["Location"]).get_data(as_text=True)
    assert '<option value="main">全场</option>' in html  # the test tone's zone: its id the value


def test_zone_names_saved_in_one_panel_process_show_in_another_at_its_next_request(make_app, approved_templates):
    """Two panel processes on one machine (two workers: two apps, each with its own services and settings,
    over one database and var/): the admin names a zone in one; the other says the new name at its next
    request, not at its restart."""
    save_settings({"zones": {"main": "device", "lobby": "device:2"}})
    one, other = make_app(), make_app()
    dora = Browser(other, "dora")
    dora.get("/lang/zh")
    assert "分区 lobby" in text_of(dora.get("/").get_data(as_text=True).split('id="now"')[1])
    ada = Browser(one, "ada")
    resp = ada.post("/setup/zones", {"zone-main-zh-CN": "全场", "zone-main-en": "Whole venue",
                                     "zone-lobby-zh-CN": "大堂", "zone-lobby-en": "Lobby"})
    assert resp.status_code == 302
    now = text_of(dora.get("/").get_data(as_text=True).split('id="now"')[1])
    assert "分区 大堂" in now and "lobby" not in now


def test_a_settings_file_a_hand_edit_broke_after_the_import_changes_nothing_and_paging_works(make_app,
                                                                                          approved_templates):
    """The venue settings were in var/settings.json, which an admin could edit by hand; they are in the
    database now, the file imported once. A hand edit of the file afterwards (even one that breaks it) is
    not read: no fault, the settings in use stay, a page goes to their zones and a save in the panel is
    stored in the database."""
    from broadcaster.settings import stored_settings, var_dir
    from broadcaster.store.models.cases import Page

    file = var_dir() / "settings.json"
    file.write_text(json.dumps({"zones": {"main": "device", "lobby": "device:2"},
                                "zone_names": {"lobby": {"zh-CN": "大堂", "en": "Lobby"}}}), encoding="utf-8")
    app = make_app()  # its first read imports the file
    pa = app.extensions["pa"]
    dora = Browser(app, "dora")
    dora.get("/lang/zh")
    file.write_text(file.read_text("utf-8")[:-5], encoding="utf-8")  # cut short: not JSON any more
    board = text_of(dora.get("/").get_data(as_text=True))
    assert "场馆设置文件被手工改动后无法读取" not in board and "分区 大堂" in board
    open_case(dora, LOST_CHILD)  # the lost child is paged as before, in the zones in use
    with pa.db.session() as s:
        assert s.query(Page).one().zones == "main,lobby"
        assert s.query(Fault).count() == 0
    ada = Browser(app, "ada")
    assert ada.post("/setup/zones", {"zone-main-zh-CN": "全场", "zone-main-en": "Whole venue",
                                     "zone-lobby-zh-CN": "前厅", "zone-lobby-en": "Hall"}).status_code == 302
    assert stored_settings(pa.db)["zone_names"]["lobby"] == {"zh-CN": "前厅", "en": "Hall"}
