"""The programme editor's service: pieces on offer by title with their lengths (only approved
announcements), a programme's pieces replaced in one go (a refused change leaves it as it was), and a
programme that rules schedule deleted only once confirmed, with the rules named."""
from __future__ import annotations

from datetime import time

import pytest

from broadcaster.errors import ValidationError
from broadcaster.schedule import programme_editor as editor
from broadcaster.schedule.programmes import ItemSpec
from broadcaster.schedule.rules import RuleSpec


def test_the_pieces_on_offer_are_approved_announcements_chimes_playlists_and_silence(
        service, newsroom, tone, tmp_path):
    aid = newsroom.approved("Welcome", "Welcome to the park.")
    with newsroom.db.session() as s:
        from broadcaster.users import get_user

        draft = newsroom.anns.create_script(s, get_user(s, "amy"), "Draft", {"en": "Not yet."}).id
    tone("m/a.wav", 2.0)
    tone("m/b.wav", 3.0)
    (tmp_path / "m" / "l.m3u").write_text("a.wav\nb.wav\n")
    service.import_playlist(tmp_path / "m" / "l.m3u", "Lobby")
    pieces = {p.key: p for p in editor.catalogue(service, newsroom.media)}
    assert f"announcement:{aid}" in pieces and f"announcement:{draft}" not in pieces
    welcome = pieces[f"announcement:{aid}"]
    assert welcome.title == "Welcome" and abs(welcome.seconds - len(newsroom.audio(aid)) / 48_000) < 0.1
    assert pieces["playlist:Lobby"].seconds == pytest.approx(5.0, abs=0.1) and pieces["playlist:Lobby"].detail == "2"
    assert {"chime:programme", "chime:announcement", "silence"} <= set(pieces)
    assert editor.length(pieces, "playlist:Lobby", 4) == 4 and editor.length(pieces, "silence", 2.5) == 2.5


def test_pieces_are_replaced_in_order_and_a_refused_change_keeps_the_old(service, newsroom):
    aid = newsroom.approved()
    p = service.create_programme("Morning", [ItemSpec("chime", chime="programme")])
    rows = [("silence", "2"), (f"announcement:{aid}", ""), ("chime:announcement", "")]
    items = [editor.spec_of(n, k, sec) for n, (k, sec) in enumerate(rows)]
    editor.save(service, p.id, "Morning call", items, zones="main")
    view = service.programme(p.id)
    assert view.name == "Morning call" and [i.kind for i in view.items] == ["silence", "announcement", "chime"]
    assert [editor.key_of(i) for i in view.items] == ["silence", f"announcement:{aid}", "chime:announcement"]
    with pytest.raises(ValidationError, match=r"items\[1\].seconds"):
        editor.spec_of(1, "silence", "")
    with pytest.raises(ValidationError, match=r"items\[1\].announcement_id"):
        editor.save(service, p.id, "Morning call", [ItemSpec("silence", seconds=1),
                                                    ItemSpec("announcement", announcement_id=999)])
    assert [i.kind for i in service.programme(p.id).items] == ["silence", "announcement", "chime"]


def test_deleting_a_scheduled_programme_asks_first_and_names_the_rules(service):
    p = service.create_programme("Parade", [ItemSpec("chime", chime="programme")])
    keep = service.create_programme("Other", [ItemSpec("chime", chime="programme")])
    r1 = service.add_rule(p.id, RuleSpec("daily", at=time(10)))
    r2 = service.add_rule(p.id, RuleSpec("weekly", at=time(15), days=(5,)))
    r3 = service.add_rule(keep.id, RuleSpec("daily", at=time(11)))
    with pytest.raises(editor.InUse) as refused:
        editor.remove(service, p.id)
    assert refused.value.rules == [r1, r2]
    assert {r.rule_id for r in service.rules()} == {r1, r2, r3} and service.programme(p.id).name == "Parade"
    assert editor.remove(service, p.id, confirmed=True) == [r1, r2]
    assert [r.rule_id for r in service.rules()] == [r3] and [x.name for x in service.list_programmes()] == ["Other"]
    service.remove_rule(r3)
    assert editor.remove(service, keep.id) == [] and service.list_programmes() == []  # unused: no question
