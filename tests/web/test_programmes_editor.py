"""The programme editor in the panel (Flask client): pieces picked by title, reordered, lengths and the
total shown, saved; a bad row refused beside its field with nothing stored; deleting a scheduled
programme asks first and names the rules."""
from __future__ import annotations

from datetime import time

from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec
from tests.web.conftest import Browser
from tests.web.test_programmes_script_versions import approve
from tests.web.test_scripts import new_script


def scheduled_announcement(app) -> int:
    bob, sam = Browser(app, "bob"), Browser(app, "sam")
    ann_id = new_script(bob, title="Welcome words")
    bob.post(f"/scripts/{ann_id}/submit")
    approve(app, sam, ann_id)
    return ann_id


def test_build_reorder_and_save_a_programme_from_pieces_by_title(app):
    ann_id = scheduled_announcement(app)
    programmes = app.extensions["pa"].programmes
    bob = Browser(app, "bob")
    page = bob.get("/schedule/programmes/new").get_data(as_text=True)
    assert "Welcome words" in page and "Programme chime" in page and f"announcement:{ann_id}" in page
    form = {"name": "Opening", "zones": "main", "priority": "programme",
            "piece_1": "chime:programme", "seconds_1": "", "piece_2": "silence", "seconds_2": "3",
            "piece_3": f"announcement:{ann_id}", "seconds_3": ""}
    moved = bob.post("/schedule/programmes/new", dict(form, op="up:2")).get_data(as_text=True)  # not saved
    assert programmes.list_programmes() == []
    assert moved.index(f'value="announcement:{ann_id}" selected') < moved.index('value="silence" selected')
    assert 'id="total"' in moved and "0:03" in moved  # the silence's length shown
    resp = bob.post("/schedule/programmes/new", dict(form, piece_2=f"announcement:{ann_id}", piece_3="silence",
                                                      seconds_3="3", op="save"))
    assert resp.status_code == 302
    [p] = programmes.list_programmes()
    assert p.name == "Opening" and [i.kind for i in p.items] == ["chime", "announcement", "silence"]

    edit = bob.get(f"/schedule/programmes/{p.id}").get_data(as_text=True)
    assert 'value="Opening"' in edit and 'value="silence" selected' in edit
    resp = bob.post(f"/schedule/programmes/{p.id}", {"name": "Opening", "zones": "main", "priority": "programme",
                                                     "piece_1": "silence", "seconds_1": "", "op": "save"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and 'id="err-seconds_1"' in page  # beside its field
    assert [i.kind for i in programmes.programme(p.id).items] == ["chime", "announcement", "silence"]
    resp = bob.post(f"/schedule/programmes/{p.id}", {"name": "", "zones": "main", "priority": "programme",
                                                     "piece_1": "", "seconds_1": "", "op": "save"})
    assert resp.status_code == 400 and 'id="err-piece_1"' in resp.get_data(as_text=True)


def test_deleting_a_scheduled_programme_asks_first_and_names_its_rules(app):
    programmes = app.extensions["pa"].programmes
    p = programmes.create_programme("Parade", [ItemSpec("chime", chime="programme")])
    programmes.add_rule(p.id, RuleSpec("weekly", at=time(14, 30), days=(0, 2)))
    bob = Browser(app, "bob")
    page = bob.post(f"/schedule/programmes/{p.id}/delete").get_data(as_text=True)  # the list's button
    assert 'id="rules-using"' in page and "14:30" in page and len(programmes.rules()) == 1
    assert bob.post(f"/schedule/programmes/{p.id}/delete", {"confirm": "1"}).status_code == 302
    assert programmes.rules() == [] and programmes.list_programmes() == []


def test_the_saved_programme_plays_in_the_browser_piece_by_piece(app):
    import io

    import numpy as np
    import soundfile as sf

    from audio.chimes import chime

    ann_id = scheduled_announcement(app)
    pa = app.extensions["pa"]
    p = pa.programmes.create_programme("Opening", [ItemSpec("chime", chime="programme"),
                                                   ItemSpec("silence", seconds=1.0),
                                                   ItemSpec("announcement", announcement_id=ann_id)])
    bob = Browser(app, "bob")
    assert f"/schedule/programmes/{p.id}/preview.wav" in bob.get(f"/schedule/programmes/{p.id}").get_data(as_text=True)
    resp = bob.get(f"/schedule/programmes/{p.id}/preview.wav")
    assert resp.mimetype == "audio/wav"
    out, rate = sf.read(io.BytesIO(resp.data), dtype="int16")
    bell = chime("programme").to_int16()
    with pa.db.session() as s:
        from broadcaster.store.models.workflow import Announcement

        speech = sf.read(str(pa.media.path(s.get(Announcement, ann_id).approved_audio)), dtype="int16")[0]
    assert rate == 48_000 and len(out) == len(bell) + 48_000 + len(speech)
    assert np.array_equal(out[:len(bell)], bell) and not out[len(bell):len(bell) + 48_000].any()
    assert np.array_equal(out[len(bell) + 48_000:], speech)
