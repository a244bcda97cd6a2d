"""Hostile values (NUL, control characters, bidi overrides, emoji or signs only, 100k characters, wrong
JSON types, ids beyond the database's range, bad enums) against every JSON write endpoint, the main panel
forms and the CLI commands that take the same input: each answers a clear error naming the field, and
the database is unchanged (a dump of every table before and after)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect, text

from broadcaster.cli import main
from broadcaster.logs import raise_fault
from broadcaster.schedule.programmes import ItemSpec
from tests.web.conftest import Browser
from tests.web.test_api import basic
from web.refusals import FIELDS

TEXT = {"NUL": "Gate\x00 3", "control": "Gate\x07\x1b[2J", "bidi": "Gate\u202e3", "100k": "x" * 100_000}
JSON_TYPES = {"object": {"a": 1}, "list": ["x", "y"], "number": 12345, "bool": True}
UNSPOKEN = {"emoji": "🎉🎈", "signs": "…!? ,."}
ENUM = {"junk": "junk", "NUL": "found\x00", "object": {"a": 1}, "number": 3}
INT = {"word": "abc", "23 digits": "12345678901234567890123", "huge": 10 ** 30, "fraction": 1.5, "bool": True,
       "object": {"a": 1}, "negative": -1}
HUGE_ID = 2 ** 64

FOUND = {"kind": "found", "meeting_point": "Gate", "age": 3, "sex": "girl", "clothing": "pink dress",
         "wording": {"meeting_point": {"zh-CN": "大门"}}}  # the venue has named no places: in Chinese too
LOST = {"category": "umbrella", "where_found": "Gate", "finder": "Li", "storage_place": "Shelf"}
RULE = {"programme": "Chime", "kind": "interval", "every_minutes": 30, "window_start": "10:00", "window_end": "12:00"}
SCRIPT = {"title": "Parade", "texts": {"en": "The parade starts at three."}}


def dump(db) -> dict:
    """Every row of every table (what "nothing stored" means)."""
    with db.engine.connect() as c:
        return {t: sorted(repr(tuple(r)) for r in c.execute(text(f'SELECT * FROM "{t}"')))
                for t in inspect(db.engine).get_table_names()}


@pytest.fixture
def world(app, staff):
    """A case with an active page and a page waiting for a supervisor, a submitted script, a programme,
    an open fault: every write endpoint has something to act on."""
    pa, api = app.extensions["pa"], app.test_client()
    pa.programmes.create_programme("Chime", [ItemSpec("chime")])
    number = api.post("/api/pages", json=FOUND, headers=basic("dora")).get_json()["case"]["number"]
    pending = api.post(f"/api/cases/{number}/page", json={"extra_text": "Please come"}, headers=basic("dora"))
    ann = api.post("/api/announcements", json=SCRIPT, headers=basic("bob")).get_json()["announcement"]["id"]
    assert api.post(f"/api/announcements/{ann}/submit", headers=basic("bob")).status_code == 200
    with staff.session() as s:
        fault = raise_fault(s, "other", "a fault to acknowledge").id
    return {"number": number, "pending": pending.get_json()["page"]["id"], "ann": ann, "fault": fault,
            "rule": api.post("/api/schedule/rules", json=RULE, headers=basic("bob")).get_json()["id"],
            "item": api.post("/api/lost", json=LOST, headers=basic("dora")).get_json()["item"]["number"],
            "tpl": pa.templates.list()[0].id, "old": api.post("/api/lost", json=dict(LOST, found_at="2020-01-02T10:00"),
                                                             headers=basic("dora")).get_json()["item"]["number"]}


def cases(values: dict, *, spoken: bool = False):
    return dict(values, **(UNSPOKEN if spoken else {}))


# (method, path, user, valid body, field, hostile values)
API = [
    ("post", "/api/pages", "dora", FOUND, "clothing", cases(TEXT | JSON_TYPES, spoken=True)),
    ("post", "/api/pages", "dora", FOUND, "meeting_point", cases(TEXT | JSON_TYPES, spoken=True)),
    ("post", "/api/pages", "dora", FOUND, "extra_text", cases(TEXT | JSON_TYPES, spoken=True)),
    ("post", "/api/pages", "dora", FOUND, "person_name", TEXT | JSON_TYPES),
    ("post", "/api/pages", "dora", FOUND, "kind", ENUM),
    ("post", "/api/pages", "dora", FOUND, "sex", ENUM),
    ("post", "/api/pages", "dora", FOUND, "age", INT),
    ("post", "/api/cases/{number}/page", "dora", {}, "extra_text", cases(TEXT | JSON_TYPES, spoken=True)),
    ("post", "/api/cases/{number}/resolve", "dora", {"state": "found"}, "state", ENUM),
    ("post", "/api/cases/{number}/resolve", "dora", {"state": "found"}, "result", TEXT | JSON_TYPES),
    ("post", "/api/pages/{pending}/reject", "sam", {"reason": "no"}, "reason", TEXT | JSON_TYPES),
    ("post", "/api/lost", "dora", LOST, "category", cases(TEXT | JSON_TYPES)),
    ("post", "/api/lost", "dora", LOST, "description", {k: v for k, v in (TEXT | JSON_TYPES).items()}),
    ("post", "/api/lost", "dora", LOST, "valuable", {"object": {"a": 1}, "list": [1], "word": "perhaps"}),
    ("post", "/api/schedule/rules", "bob", RULE, "programme", TEXT | JSON_TYPES),
    ("post", "/api/schedule/rules", "bob", RULE, "kind", ENUM),
    ("post", "/api/schedule/rules", "bob", RULE, "every_minutes", INT | {"zero": 0}),
    ("post", "/api/schedule/rules", "bob", RULE, "window_start", {"25:99": "25:99", **TEXT, **JSON_TYPES}),
    ("post", "/api/schedule/rules", "bob", RULE, "zones", {"NUL": "main\x00", "object": {"a": 1}}),
    ("post", "/api/announcements", "bob", SCRIPT, "title", cases(TEXT | JSON_TYPES, spoken=True)),
    ("post", "/api/announcements", "bob", SCRIPT, "texts", {"text": "hello", "list": ["hello"], "empty": {}}),
    ("post", "/api/announcements", "bob", SCRIPT, "priority", {"junk": "loud", "huge": 10 ** 30}),
    ("post", "/api/announcements/{ann}/approve", "sam", {"sha256": "0" * 64}, "sha256", TEXT | JSON_TYPES),
    ("post", "/api/announcements/{ann}/reject", "sam", {"reason": "no"}, "reason", TEXT | JSON_TYPES),
    ("post", "/api/faults/{fault}/ack", "sam", {}, "note", TEXT | JSON_TYPES),
]


def test_api_refuses_every_hostile_value_and_stores_nothing(app, world, staff):
    api, wrong = app.test_client(), []
    before = dump(staff)
    for method, path, who, base, field, values in API:
        for label, value in values.items():
            resp = getattr(api, method)(path.format(**world), json=dict(base, **{field: value}), headers=basic(who))
            body = resp.get_json(silent=True) or {}
            if resp.status_code != 400 or resp.mimetype != "application/problem+json" or \
                    not any(k == field or k.startswith(field + "[") for k in body.get("fields", {})):
                wrong.append((path, field, label, resp.status_code, str(body)[:200]))
    assert wrong == []
    assert dump(staff) == before


def test_script_texts_refuse_a_hostile_value_in_any_language(app, world, staff):
    api = app.test_client()
    before = dump(staff)
    for label, value in (TEXT | JSON_TYPES | UNSPOKEN).items():
        resp = api.post("/api/announcements", json={"title": "Parade", "texts": {"en": "Fine.", "zh-CN": value}},
                        headers=basic("bob"))
        assert resp.status_code == 400 and "texts[zh-CN]" in resp.get_json()["fields"], (label, resp.get_json())
    assert dump(staff) == before


@pytest.mark.parametrize("method,path,who", [
    ("post", "/api/pages/{id}/approve", "sam"), ("post", "/api/pages/{id}/reject", "sam"),
    ("post", "/api/announcements/{id}/submit", "bob"), ("post", "/api/announcements/{id}/approve", "sam"),
    ("get", "/api/announcements/{id}/audio", "bob"), ("delete", "/api/schedule/rules/{id}", "bob"),
    ("post", "/api/faults/{id}/ack", "sam")])
def test_ids_beyond_the_database_are_not_found(app, world, staff, method, path, who):
    before = dump(staff)
    resp = getattr(app.test_client(), method)(path.format(id=HUGE_ID), json={}, headers=basic(who))
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    assert dump(staff) == before


# -- the panel's forms (the same models) ------------------------------------------------------------
FORM_FOUND = {"kind": "found", "meeting_point": "Gate", "age": "3", "sex": "girl", "clothing": "pink"}
DISPOSAL = {"method": "police", "handled_by": "Officer Wang"}
PROGRAMME = {"name": "News", "piece_1": "chime:programme", "seconds_1": "", "zones": "main", "priority": "programme"}
CLAIM = {"owner_name": "Li", "owner_identity": "ID 123", "verification_note": "described it"}
FORMS = [
    ("/desk/", "dora", FORM_FOUND, "last_seen_place_en", TEXT | UNSPOKEN),  # no venue places: a box per language
    ("/desk/", "dora", FORM_FOUND, "person_name", TEXT),
    ("/desk/", "dora", FORM_FOUND, "age", {"word": "abc", "23 digits": "12345678901234567890123"}),
    ("/desk/", "dora", FORM_FOUND, "remark_en", TEXT | UNSPOKEN),
    ("/scripts/new", "bob", {"title": "Parade", "lang_1": "en", "text_1": "Fine."}, "text_1", TEXT | UNSPOKEN),
    ("/scripts/new", "bob", {"title": "Parade", "lang_1": "en", "text_1": "Fine."}, "title", TEXT | UNSPOKEN),
    ("/schedule/rules", "bob", {k: str(v) for k, v in RULE.items()}, "every_minutes",
     {"word": "abc", "zero": "0", "23 digits": "12345678901234567890123"}),
    ("/schedule/rules", "bob", {k: str(v) for k, v in RULE.items()}, "kind", {"junk": "junk", "NUL": "daily\x00"}),
    ("/desk/lost", "dora", LOST, "category", TEXT),
    ("/desk/lost", "dora", LOST, "where_found", TEXT),
    ("/setup/templates/{tpl}", "ada", {}, "text_en", TEXT | UNSPOKEN),  # the wording airs
    ("/setup/templates/{tpl}", "ada", {}, "text_zh-CN", TEXT | UNSPOKEN),
    ("/desk/lost/{old}/dispose", "sam", DISPOSAL, "handled_by", TEXT),
    ("/desk/lost/{old}/dispose", "sam", DISPOSAL, "note", TEXT),
    ("/desk/lost/{old}/dispose", "sam", DISPOSAL, "method", {"junk": "junk", "NUL": "police\x00"}),
    ("/schedule/programmes/new", "bob", PROGRAMME, "name", TEXT),
    ("/schedule/programmes/new", "bob", PROGRAMME, "description", TEXT),
    ("/schedule/programmes/new", "bob", PROGRAMME, "zones", {"NUL": "main\x00", "word": "main, no way"}),
    ("/schedule/programmes/new", "bob", PROGRAMME, "priority", {"junk": "loud", "23 digits": "1" * 23}),    # the case page's forms and an item's claim: the same page again, each error beside its field
    ("/desk/cases/{number}/page", "dora", {}, "template", TEXT),
    ("/desk/cases/{number}/resolve", "dora", {"state": "found"}, "state", {"junk": "junk", "NUL": "found\x00"}),
    ("/desk/cases/{number}/resolve", "dora", {"state": "found"}, "result", TEXT),
    ("/desk/cases/{number}/note", "dora", {}, "note", TEXT | {"blank": "  "}),
    ("/desk/lost/{item}/claim", "dora", CLAIM, "owner_name", TEXT),
    ("/desk/lost/{item}/claim", "dora", CLAIM, "verification_note", TEXT),
    ("/desk/lost/{item}/claim", "dora", CLAIM, "signature", TEXT),
]
#: the small forms on a case's, an item's or an approval's page: refused on an error page naming the field
ACTIONS = [
    ("/desk/cases/{number}/followup", "dora", {"outcome": "Fine"}, "outcome", TEXT),
    ("/desk/cases/{number}/followup", "dora", {"outcome": "Fine"}, "satisfied", {"junk": "perhaps"}),
    ("/desk/lost/{item}/handover", "dora", {}, "signature", TEXT),
    ("/approvals/pages/{pending}/reject", "sam", {}, "reason", TEXT | {"blank": " "}),
    ("/approvals/announcements/{ann}/reject", "sam", {}, "reason", TEXT),
    ("/faults/{fault}/ack", "sam", {}, "note", TEXT),
    ("/scripts/recording", "bob", {}, "title", TEXT),
    ("/scripts/preview", "bob", {"lang_1": "en"}, "text_1", TEXT | UNSPOKEN),
]


def test_panel_forms_refuse_every_hostile_value_and_store_nothing(app, world, staff):
    wrong, browsers = [], {who: Browser(app, who) for who in ("dora", "bob", "ada", "sam")}  # before the dump
    before = dump(staff)
    for path, who, base, field, values in FORMS:
        browser = browsers[who]
        for label, value in values.items():
            resp = browser.post(path.format(**world), data=dict(base, **{field: value}))
            page = resp.get_data(as_text=True)
            beside = re.search(rf'id="err-([\w-]+-)?{re.escape(field)}"', page)  # a claim's: err-<item>-<field>
            if resp.status_code != 400 or "Something went wrong" in page or not beside:
                wrong.append((path, field, label, resp.status_code))
    assert wrong == []
    assert dump(staff) == before


def test_panel_actions_refuse_every_hostile_value_and_store_nothing(app, world, staff):
    wrong, browsers = [], {who: Browser(app, who) for who in ("dora", "bob", "sam")}  # before the dump
    before = dump(staff)
    for path, who, base, field, values in ACTIONS:
        named = "texts[en]" if field == "text_1" else field  # the editor's rows are the texts by language
        for label, value in values.items():
            resp = browsers[who].post(path.format(**world), data=dict(base, **{field: value}))
            page = resp.get_data(as_text=True)
            said = "English" if named == "texts[en]" else FIELDS.get(named, named)  # as staff call it
            beside = re.search(rf'id="err-[\w-]*{re.escape(named)}"', page)  # or beside its box, on its form
            if resp.status_code != 400 or "Something went wrong" in page or not (f"{said}: " in page or beside):
                wrong.append((path, field, label, resp.status_code, page[page.find("error-message"):][:160]))
    assert wrong == []
    assert dump(staff) == before


# -- the CLI (the same models) ---------------------------------------------------------------------
def cli(url, *argv) -> int:
    try:
        return main(["--db", url, *argv])
    except SystemExit as exc:  # argparse refusing an option: exit 2
        return int(exc.code)


PAGE = ["page", "found", "--meeting-point", "Gate", "--age", "3", "--sex", "girl", "--clothing", "pink",
        "--user", "dora"]
ANNOUNCE = ["announce", "create", "--title", "Parade", "--author", "bob", "--text", "en=Fine."]
RULE_ARGS = ["rule", "add", "Chime", "--every", "30", "--from", "10:00", "--to", "12:00"]
LOST_ARGS = ["lost", "add", "--what", "umbrella", "--where", "Gate", "--finder", "Li", "--storage", "Shelf",
             "--user", "dora"]
CLI = [
    (PAGE, "--clothing", TEXT | UNSPOKEN), (PAGE, "--place", TEXT | UNSPOKEN), (PAGE, "--extra", TEXT | UNSPOKEN),
    (PAGE, "--age", {"word": "abc", "23 digits": "12345678901234567890123"}),
    (ANNOUNCE, "--title", TEXT | UNSPOKEN), (ANNOUNCE, "--text", {k: f"en={v}" for k, v in (TEXT | UNSPOKEN).items()}),
    (RULE_ARGS, "--every", {"zero": "0", "23 digits": "12345678901234567890123"}),
    (RULE_ARGS, "--from", {"25:99": "25:99", **TEXT}),
    (LOST_ARGS, "--what", TEXT), (LOST_ARGS, "--where", TEXT),
    (["page", "approve", "--user", "sam"], None, {"huge id": str(HUGE_ID)}),
    (["rule", "remove"], None, {"huge id": str(HUGE_ID), "word": "abc"}),
    # the field named in the refusal (4th)
    (["page", "case", "{number}", "--user", "dora"], "--extra", TEXT | UNSPOKEN, "extra_text"),
    (["page", "case", "{number}", "--user", "dora"], "--template", TEXT, "template"),
    (["page", "reject", "{pending}", "--user", "sam"], "--reason", TEXT | {"blank": " "}, "reason"),
    (["case", "resolve", "{number}", "--state", "found", "--user", "dora"], "--result", TEXT, "result"),
    (["case", "note", "{number}", "--user", "dora"], None, TEXT, "note"),
    (["case", "followup", "{number}", "--user", "dora"], "--outcome", TEXT, "outcome"),
    (["announce", "edit", "{ann}", "--user", "bob"], "--title", TEXT | UNSPOKEN, "title"),
    (["announce", "edit", "{ann}", "--user", "bob"], "--text", {k: f"en={v}" for k, v in (TEXT | UNSPOKEN).items()},
     "texts[en]"),
    (["reject", "{ann}", "--user", "sam"], "--reason", TEXT, "reason"),
    (["lost", "claim", "{item}", "--identity", "ID 1", "--verification", "told", "--user", "dora"], "--owner", TEXT,
     "owner_name"),
    (["lost", "handover", "{item}", "--user", "dora"], "--signature", TEXT, "signature"),
    (["programme", "create", "News", "--chime"], "--description", TEXT, "description"),
    (["programme", "create", "News", "--chime"], "--zones", {"NUL": "main\x00", "word": "main, no way"}, "zones"),
    (["closed", "add", "2026-12-25"], None, TEXT, "reason"),
    (["closed", "add"], None, {"bad date": "2026-13-45", **TEXT}, "date"),
    (["user", "add", "--role", "desk", "--no-login"], None, {"blank inside": "a b", **TEXT}, "name"),
]


def test_cli_refuses_every_hostile_value_and_stores_nothing(app, world, staff, capsys):
    wrong = []
    before = dump(staff)
    for argv, option, values, *field in CLI:
        for label, value in values.items():
            argv = [a.format(**world) for a in argv]
            if option is None:
                args = [*argv, value]
            elif option in argv:  # in place of the valid value
                args = list(argv)
                args[args.index(option) + 1] = value
            else:
                args = [*argv, option, value]
            rc = cli(staff.url, *args)
            err = capsys.readouterr().err
            named = not field or f"{field[0]}: " in err or f"{field[0]}[" in err
            if rc not in (1, 2) or "error" not in err or "Traceback" in err or not named:
                wrong.append((argv[:2], option, label, rc, err[-200:]))
    assert wrong == []
    assert dump(staff) == before


# -- the studio's smaller forms (issue 12: approval by hash, slot move and resize, calendar import) ----
MOVE = {"day": "2026-11-27", "to_day": "2026-11-28", "to_time": "11:00"}
STUDIO_FORMS = [  # (path, user, valid fields, field, hostile values, the field whose error shows)
    ("/schedule/slots/move", "bob", MOVE, "to_day", {"no such day": "2026-02-30", "word": "soon", **TEXT}, "to_day"),
    ("/schedule/slots/move", "bob", MOVE, "to_time", {"25:99": "25:99", "word": "noon", **TEXT}, "to_time"),
    ("/schedule/slots/move", "bob", MOVE, "day", {"no such day": "2026-13-45", **TEXT}, "to_day"),
    ("/schedule/slots/move", "bob", MOVE, "rule_id", {"huge": str(HUGE_ID), "word": "abc", "NUL": "1\x00"}, "to_day"),
    ("/schedule/slots/resize", "bob", {"minutes": "30"}, "minutes",
     {"word": "abc", "nan": "nan", "inf": "inf", "huge": "1e400", "zero": "0", "negative": "-5", "a week": "10080",
      **TEXT}, "minutes"),
    ("/schedule/slots/resize", "bob", {"minutes": "30"}, "rule_id", {"huge": str(HUGE_ID), "word": "abc"}, "minutes"),
]


def test_studio_forms_refuse_every_hostile_value_and_store_nothing(app, world, staff):
    wrong, bob = [], Browser(app, "bob")
    before = dump(staff)
    for path, who, base, field, values, shown in STUDIO_FORMS:
        for label, value in values.items():
            data = {"rule_id": str(world["rule"]), **base, field: value}
            resp = bob.post(path, data=data)
            page = resp.get_data(as_text=True)
            at_the_door = "Give the length in minutes" in page if path.endswith("resize") and field == "minutes" \
                else True  # the model's refusal, not the schedule's "cannot last" after it
            if resp.status_code != 400 or "Something went wrong" in page or f'id="err-{shown}"' not in page or \
                    not at_the_door:
                wrong.append((path, field, label, resp.status_code))
    assert wrong == []
    assert dump(staff) == before


def test_calendar_import_refuses_a_hostile_programme_beside_its_field(app, world, staff):
    import io

    bob, wrong = Browser(app, "bob"), []
    ics = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@b\r\nSUMMARY:Chime\r\n"
           b"DTSTART:20261127T100000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    before = dump(staff)
    for label, value in (TEXT | {"blank": "  x\x00"}).items():
        resp = bob.post("/schedule/import", data={"programme": value, "file": (io.BytesIO(ics), "week.ics")})
        if resp.status_code != 400 or 'id="err-programme"' not in resp.get_data(as_text=True):
            wrong.append((label, resp.status_code))
        resp = bob.post("/schedule/import/confirm", data={"programme": value, "ics": ics.decode()})
        if resp.status_code != 400 or 'id="err-programme"' not in resp.get_data(as_text=True):
            wrong.append(("confirm", label, resp.status_code))
    assert wrong == []
    assert dump(staff) == before


def test_approval_refuses_anything_but_the_audio_hash(app, world, staff):
    sam, wrong = Browser(app, "sam"), []
    before = dump(staff)
    for label, value in (TEXT | {"short": "abc", "not hex": "z" * 64, "blank": " "}).items():
        resp = sam.post(f"/approvals/announcements/{world['ann']}/approve", data={"sha256": value})
        page = resp.get_data(as_text=True)
        compared = "the audio changed" in page or "listen to the audio" in page  # refused before, at the door
        if resp.status_code != 400 or "Something went wrong" in page or "sha256: " not in page or compared:
            wrong.append((label, resp.status_code, page[page.find("error-message"):][:160]))
    assert wrong == []
    assert dump(staff) == before

