"""Every string the desk's pages ask to translate has its Chinese in the catalogue: the pages the desk
and the admin use, with errors, a case's timeline and the board, visited in Chinese."""
from __future__ import annotations

import re

from broadcaster.venue import start_setup
from tests.web.conftest import Browser
from tests.web.test_desk import LOST_CHILD
from tests.web.test_desk_defects import FOUND_CHILD, open_case


def zh(app, name: str) -> Browser:
    b = Browser(app, name)
    b.get("/lang/zh", headers={"Referer": "http://localhost/"})
    return b


def test_desk_pages_in_chinese_ask_for_no_untranslated_string(app):
    missing: set[str] = set()
    app.config["I18N_MISSING"] = missing
    dora = zh(app, "dora")
    assert dora.post("/desk/", {"kind": "missing", "age": "x", "top_colour": "red"}).status_code == 400
    missing_case, found_case = open_case(dora, LOST_CHILD), open_case(dora, FOUND_CHILD)
    dora.post(f"/desk/cases/{missing_case}/note", {"note": "mother at the gate"})
    dora.post(f"/desk/cases/{missing_case}/edit", {"age": "6", "top_colour": "blue", "top": "coat"})
    dora.post("/desk/lost", {"category": "", "found_at": "99:99"})
    dora.post(f"/desk/cases/{found_case}/resolve", {"state": "reunited", "all_clear": "1"})
    dora.post(f"/desk/cases/{found_case}/resolve", {"state": "closed", "result": "reunited"})
    dora.post("/desk/lost", {"category": "wallet", "where_found": "Gate", "finder": "Li", "storage_place": "Desk"})
    item = app.extensions["pa"].lost.list()[0].number
    dora.post(f"/desk/lost/{item}/claim", {"owner_name": "Zhang", "owner_identity": "ID 1", "verification_note": "card",
                                           "signature": "signed"})
    for path in (f"/desk/lost/{item}", f"/desk/lost/{item}?print=1", "/desk/lost?q=wallet"):
        assert dora.get(path).status_code == 200, path
    for path in ("/", "/desk/", "/desk/cases", "/desk/cases?all=1", f"/desk/cases/{missing_case}",
                 f"/desk/cases/{found_case}", "/desk/lost", "/account/password", "/events?limit=1"):
        assert dora.get(path).status_code == 200, path
    ada = zh(app, "ada")
    ada.post("/admin/users", {"name": "x", "password": "1"})
    assert ada.get("/admin/users").status_code == 200
    start_setup()
    app.extensions["pa"].settings.setup_pending = ["password", "venue", "places", "users", "templates"]
    ada.post("/setup/password", {"current": "no"})
    app.extensions["pa"].settings.setup_pending = ["venue", "places", "users", "templates"]  # (the rest opens)
    ada.post("/setup/venue", {"venue_name": ""})
    for step in ("venue", "places", "users", "templates"):
        assert ada.get(f"/setup/{step}").status_code == 200
    assert missing == set()


def test_the_dashboards_escalation_and_player_alarms_are_in_chinese(app):
    """An escalation is 'case escalated' (its security page may well have aired), said in the staff's
    language with the case number, and so is a lost zone player."""
    from types import SimpleNamespace

    from broadcaster import logs
    from broadcaster.paging.drafts import escalation_reason
    from broadcaster.store.models.cases import CaseKind

    missing = SimpleNamespace(kind=CaseKind.MISSING, number="20261127-004", meeting_point=None)
    found = SimpleNamespace(kind=CaseKind.FOUND, number="20261127-005", meeting_point="游客中心")
    with app.extensions["pa"].db.session() as s:
        logs.raise_fault(s, "escalation", escalation_reason(missing, 10) + " (Code Adam): supervisors, check exits",
                         ref="case:20261127-004")
        logs.raise_fault(s, "escalation", escalation_reason(found, 10) + "; the security page was not aired: "
                         "no such page template: security_found (Code Adam): supervisors, check exits",
                         ref="case:20261127-005")
        logs.raise_fault(s, "player_lost", "zone lobby: player lobby-pc lost (no heartbeat since 05:17:51 UTC)",
                         zone="lobby")
    html = zh(app, "dora").get("/").get_data(as_text=True)
    board = html[html.index('id="faults"'):]
    assert "案件已升级" in board and "升级通知未发出" not in board
    assert "案件 20261127-004：首次广播 10 分钟后仍未找到" in board
    assert "走失儿童在游客中心等候" in board and "保安广播未播出" in board
    assert "lobby 该分区的播放电脑自 " in " ".join(re.sub(r"<[^>]+>", " ", board).split())  # the zone once, beside it
    assert "still missing" not in board and "no guardian came" not in board and "heartbeat" not in board


def test_the_adult_templates_name_slot_says_a_persons_name_in_chinese(app):
    """"[名称]" names a thing; a person's name in a template's slot is "[姓名]"."""
    html = zh(app, "sam").get("/approvals/templates").get_data(as_text=True)
    assert '<span class="slot">[姓名]</span>' in html and "[名称]" not in html
