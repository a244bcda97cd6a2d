"""Hostile values against the studio's pages that the first table of tests/web/test_hostile_inputs.py does
not reach (issue 12): a playlist renamed, a recording's title and priority, the venue's words for the desk's
lists, a chime uploaded and used, a playlist's crossfade, and the first day's venue, places and staff steps.
Each refusal stands beside its field (400), and neither the database (a dump of every table) nor the venue
settings change."""
from __future__ import annotations

import io
import re

import pytest

from tests.web.conftest import Browser
from tests.web.test_hostile_inputs import TEXT, UNSPOKEN, dump


@pytest.fixture
def studio(app):
    """A playlist and a recording to rename and edit (their own uploads, as the panel makes them)."""
    from broadcaster.schedule import library
    from tests.web.test_programmes_library import wav

    bob = Browser(app, "bob")
    assert bob.post("/schedule/playlists", {"name": "Lobby", "files": [(io.BytesIO(wav(1.0)), "Morning.wav")]},
                    content_type="multipart/form-data").status_code == 302
    rec = bob.post("/scripts/recording", {"title": "Welcome", "audio": (io.BytesIO(wav(1.0)), "a.wav")},
                   content_type="multipart/form-data", headers={"Accept": "application/json"})
    assert rec.status_code == 201
    [playlist] = library.playlists(app.extensions["pa"].programmes)
    return {"playlist": playlist.id, "recording": rec.get_json()["id"]}


TEAL = {"form": "colour", "name_zh-CN": "青绿色", "name_en": "teal", "ru_m": "бирюзовом", "ru_f": "бирюзовой",
        "ru_pl": "бирюзовых"}
MEI = {"name": "mei", "role": "desk", "password": "mei's password 1"}
PLACES = {"rows": "1", "place-0-zh-CN": "旋转木马", "place-0-en": "Carousel", "place-0-ru": "Карусель",
          "place-0-meeting": "1"}
VENUE = {"venue_name": "Happy Valley", "timezone": "Asia/Shanghai", "lang_1": "zh-CN", "lang_2": "en",
         "session_idle_min": "30"}
STUDIO_PAGES = [  # (path, user, valid fields, field, hostile values, the field whose error shows)
    ("/schedule/playlists/{playlist}/rename", "bob", {}, "name", TEXT | {"blank": "  "}, "name"),
    ("/scripts/{recording}", "bob", {}, "title", TEXT | {"blank": "  "}, "title"),
    ("/scripts/{recording}", "bob", {"title": "Welcome"}, "priority", {"junk": "loud", "23 digits": "1" * 23},
     "priority"),
    ("/vocabulary/", "sam", TEAL, "name_en", TEXT | UNSPOKEN, "name_en"),
    ("/vocabulary/", "sam", TEAL, "ru_m", TEXT | UNSPOKEN, "ru_m"),
    ("/vocabulary/", "sam", {"form": "hair", "hair_zh-CN": "红头发"}, "hair_en", TEXT | UNSPOKEN, "hair_en"),
    ("/setup/venue", "ada", VENUE, "venue_name", TEXT | {"blank": " "}, "venue_name"),
    ("/setup/venue", "ada", VENUE, "timezone", {"unknown": "Mars/Base", "path": "../../etc/passwd", **TEXT},
     "timezone"),
    ("/setup/venue", "ada", VENUE, "session_idle_min", {"word": "abc", "23 digits": "1" * 23, "zero": "0"},
     "session_idle_min"),
    ("/setup/venue", "ada", VENUE, "lang_2", {"junk": "xx", "NUL": "en\x00", "100k": "x" * 100_000}, "languages"),
    ("/setup/users", "ada", MEI, "display_name", TEXT, "display_name"),
    ("/setup/users", "ada", MEI, "name", {"blank inside": "a b", **TEXT}, "name"),
    ("/setup/users", "ada", MEI, "role", {"junk": "boss", "NUL": "desk\x00"}, "role"),
    ("/setup/users", "ada", MEI, "password", {"short": "abc", "100k": "x" * 100_000}, "password"),
]


def test_studio_pages_refuse_every_hostile_value_beside_its_field(app, studio, staff):
    from tests.web.test_scripts import wav_bytes

    browsers = {who: Browser(app, who) for who in ("bob", "sam", "ada")}  # before the dump
    pa = app.extensions["pa"]
    pa.settings.languages = ["zh-CN", "en", "ru"]
    settings, wrong = dict(pa.settings.__dict__), []
    before = dump(staff)
    for path, who, base, field, values, shown in STUDIO_PAGES:
        for label, value in values.items():
            resp = browsers[who].post(path.format(**studio), data={**base, field: value})
            page = resp.get_data(as_text=True)
            if resp.status_code != 400 or "Something went wrong" in page or f'id="err-{shown}"' not in page:
                wrong.append((path, field, label, resp.status_code))
    for field in ("place-0-en", "place-0-zh-CN"):  # the places step: the refusal beside the name's box
        for label, value in (TEXT | UNSPOKEN).items():
            page = (resp := browsers["ada"].post("/setup/places", {**PLACES, field: value})).get_data(as_text=True)
            if resp.status_code != 400 or not re.search(rf'name="{field}"[^>]*aria-invalid="true"', page):
                wrong.append(("/setup/places", field, label, resp.status_code))
    for label, value in {"word": "abc", "nan": "nan", "negative": "-1", "an hour": "3600", **TEXT}.items():
        resp = browsers["bob"].post("/schedule/playlists", {"name": "Hall", "crossfade_s": value, "files": [
            (io.BytesIO(wav_bytes()), "a.wav")]}, content_type="multipart/form-data")
        page = resp.get_data(as_text=True)
        if resp.status_code != 400 or 'id="err-crossfade_s"' not in page or "crossfade_s:" in page:
            wrong.append(("/schedule/playlists", "crossfade_s", label, resp.status_code))
    for data in ({"kind": "junk"}, {"kind": "announcement\x00"}, {"kind": "x" * 100_000}):
        resp = browsers["sam"].post("/chimes/", {**data, "file": (io.BytesIO(wav_bytes(2.0)), "c.wav")},
                                    content_type="multipart/form-data")
        if resp.status_code != 400 or 'id="err-kind"' not in resp.get_data(as_text=True):
            wrong.append(("/chimes/", data["kind"][:20], resp.status_code))
    for data in ({"kind": "junk", "token": "0" * 64}, {"kind": "end", "token": "../../etc/passwd"},
                 {"kind": "end", "token": "0" * 64 + "\x00"}):
        resp = browsers["sam"].post("/chimes/use", data)
        page = resp.get_data(as_text=True)
        if resp.status_code != 400 or "error-message" not in page or "token:" in page or "kind:" in page:
            # hidden fields: the staff's "cannot read what was sent" page, no field names
            wrong.append(("/chimes/use", str(data)[:40], resp.status_code))
    assert wrong == []
    assert dump(staff) == before
    assert dict(pa.settings.__dict__) == settings
