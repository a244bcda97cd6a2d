"""A refused music upload says every error beside its field, in the staff's language, by the file's own
name (never the decoder's message), keeps what was typed and stores no playlist. Real SQLite."""
from __future__ import annotations

import io
import re

from tests.web.conftest import Browser
from tests.web.test_scripts import wav_bytes


def playlists(app) -> list[str]:
    from broadcaster.schedule import library

    return [p.name for p in library.playlists(app.extensions["pa"].programmes)]


def send(b, name, files, crossfade="3"):
    return b.client.post("/schedule/playlists", data={"csrf_token": b.token, "name": name, "crossfade_s": crossfade,
                                                      "files": [(io.BytesIO(d), n) for n, d in files]},
                         content_type="multipart/form-data")


def error_of(page: str, field: str) -> str | None:
    m = re.search(rf'id="err-{field}">(.*?)</span>', page, re.S)
    return m.group(1) if m else None


def test_every_error_beside_its_field_in_chinese_and_nothing_stored(app):
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    resp = send(sam, "", [], crossfade="abc")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and playlists(app) == []
    assert "名称" in error_of(page, "name") and "音乐文件" in error_of(page, "files")
    assert error_of(page, "crossfade_s") == "必须是数字"


def test_a_file_that_is_not_sound_is_named_and_the_name_typed_is_kept(app):
    sam = Browser(app, "sam")
    sam.get("/lang/zh")
    resp = send(sam, "早间音乐", [("morning.wav", wav_bytes(3.0)), ("notes.mp3", b"not sound at all")])
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and playlists(app) == []  # the good file is not stored either
    err = error_of(page, "files")
    assert "“notes”" in err and "WAV" in err and "系统无法读取" in err
    assert "BytesIO" not in page and "not an audio file" not in page and "file 2" not in page
    assert 'value="早间音乐"' in page
    assert send(sam, "早间音乐", [("morning.wav", wav_bytes(3.0))]).status_code == 302
    assert playlists(app) == ["早间音乐"]
    again = send(sam, "早间音乐", [("morning.wav", wav_bytes(3.0))]).get_data(as_text=True)
    assert "已有同名的播放列表" in error_of(again, "name") and playlists(app) == ["早间音乐"]

