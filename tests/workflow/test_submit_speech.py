"""A script whose text yields no speech, or much less speech than its letters imply, is refused when it
is written (nothing speakable) and when it is submitted (spoken by the real offline engines), with the
language part named; nothing changes. A text that speaks is submitted, and its render is reused at
approval."""
from __future__ import annotations

import pytest

from audio.render import Renderer
from broadcaster.announcements.approval import ApprovalService, renderer_for
from broadcaster.announcements.scripts import AnnouncementService
from broadcaster.errors import FieldErrors, ValidationError
from broadcaster.settings import VenueSettings
from broadcaster.store.media import MediaStore
from broadcaster.store.models.workflow import Announcement, AnnouncementState, StateChange
from broadcaster.users import add_user, get_user

#: Javanese script: letters (so the text passes the cheap check) that no engine here can say.
UNSAYABLE = "ꦲꦏ꧀ꦱꦫꦗꦮ ꦲꦏ꧀ꦱꦫꦗꦮ ꦲꦏ꧀ꦱꦫꦗꦮ"


@pytest.fixture
def desk(db, tmp_path):
    renderer = Renderer(cache_dir=tmp_path / "cache", lead_in=0.1)
    media = MediaStore(tmp_path / "media")
    anns = AnnouncementService(VenueSettings(languages=["zh-CN", "en"]), media, renderer=renderer)
    with db.session() as s:
        add_user(s, "amy", "broadcaster", password="correct horse")
        add_user(s, "sam", "supervisor", password="correct horse")
    return anns, ApprovalService(renderer_for(renderer, media), media), renderer


def count(db, model):
    with db.session() as s:
        return s.query(model).count()


def test_a_text_with_nothing_speakable_is_refused_when_written(db, desk):
    anns, _, _ = desk
    with db.session() as s, pytest.raises(ValidationError, match=r"texts\[en\].*nothing that can be spoken"):
        anns.create_script(s, get_user(s, "amy"), "Closing", {"zh-CN": "园区即将闭园。", "en": "🎉🎉 !!! ——"})
    assert count(db, Announcement) == 0


@pytest.mark.parametrize("texts,part,why", [
    ({"en": "各位游客请注意，园区将于十八点闭园。"}, "en", "write it in English only"),
    ({"zh-CN": "园区即将闭园。", "en": "โปรดทราบ สวนจะปิดเวลา 18 นาฬิกา"}, "en", "write it in English only"),
    ({"zh-CN": "Attention please", "en": "The park closes soon."}, "zh-CN", "write it in Chinese characters only"),
])
def test_a_text_in_another_language_s_script_is_refused_when_written_naming_the_part(db, desk, texts, part, why):
    """The engines would spell it out letter by letter ("Chinese letter" for 15 s) or stall on it."""
    anns, _, _ = desk
    with db.session() as s, pytest.raises(ValidationError, match=rf"texts\[{part}\]: .*script: {why}"):
        anns.create_script(s, get_user(s, "amy"), "Closing", texts)
    assert count(db, Announcement) == 0
    with db.session() as s:
        ann_id = anns.create_script(s, get_user(s, "amy"), "Closing", {"en": "The park closes soon."}).id
    with db.session() as s, pytest.raises(ValidationError, match=rf"texts\[{part}\]: .*script: {why}"):
        anns.edit(s, ann_id, get_user(s, "amy"), texts=texts)
    with db.session() as s:
        assert [(t.lang, t.text) for t in s.get(Announcement, ann_id).texts] == [("en", "The park closes soon.")]


def test_a_text_the_engines_say_much_too_little_of_is_refused_at_submit_naming_the_part(db, desk):
    anns, _, _ = desk
    with db.session() as s:
        ann_id = anns.create_script(s, get_user(s, "amy"), "Notice", {"zh-CN": "园区即将闭园。", "en": UNSAYABLE}).id
    with db.session() as s, pytest.raises(FieldErrors) as err:
        anns.submit(s, ann_id, get_user(s, "amy"))
    assert list(err.value.fields) == ["texts[en]"]  # the Chinese part speaks; the English one is named
    assert "far less speech than its length implies" in err.value.fields["texts[en]"]
    with db.session() as s:
        assert s.get(Announcement, ann_id).state is AnnouncementState.DRAFT
        assert [h.to_state for h in s.query(StateChange).filter_by(announcement_id=ann_id)] == ["draft"]


def test_a_text_that_speaks_is_submitted_and_its_render_is_reused_at_approval(db, desk, monkeypatch):
    anns, approval, renderer = desk
    spoken = []
    real = renderer.chain.speak
    monkeypatch.setattr(renderer.chain, "speak", lambda text, lang: spoken.append(lang) or real(text, lang))
    with db.session() as s:
        ann_id = anns.create_script(s, get_user(s, "amy"), "Closing",
                                    {"zh-CN": "园区即将闭园。", "en": "The park closes soon."}).id
    with db.session() as s:
        assert anns.submit(s, ann_id, get_user(s, "amy")).state is AnnouncementState.SUBMITTED
    assert sorted(spoken) == ["en", "zh-CN"]  # spoken once each at submit
    with db.session() as s:
        assert approval.approve(s, ann_id, get_user(s, "sam")).state is AnnouncementState.APPROVED
    assert sorted(spoken) == ["en", "zh-CN"]  # approval assembled the same sentences, none spoken again


def test_the_speech_of_a_page_renders_from_its_last_check(tmp_path):
    """Five desks page at once: the player claims the second page while the first airs. A page's
    sentences render only from its check: for one waiting behind another, when its turn has come (they
    never take the renderer from the sentences of the page on air); for one that airs at once, the check
    its player runs right after the claim, so the claim and check are not slowed by the renderer. Real
    renderer (offline engines)."""
    import time
    from concurrent.futures import wait

    from audio.render import Renderer
    from broadcaster.onair.pieces import Speech, build

    renderer = Renderer(cache_dir=tmp_path / "cache", lead_in=0.1)
    spoken: list[str] = []
    real_say = renderer.say
    renderer.say = lambda sentence, lang: (spoken.append(sentence), real_say(sentence, lang))[1]
    speech = Speech(renderer)

    def pieces(text: str) -> list[dict]:
        return [{"type": "speech", "parts": [["en", text]]}]

    waiting, _, checks = build(pieces("A boy of about five. Please bring him to the desk."), None, speech)
    time.sleep(0.5)
    assert spoken == [], "nothing rendered before its check"
    for check in checks:  # its turn: the check runs just before it airs
        check()
    for check in checks:  # a check run again (a restart from the top) renders nothing twice
        check()
    wait([p for p in waiting if hasattr(p, "result") and not hasattr(p, "samples")], timeout=60)
    assert spoken == ["A boy of about five.", "Please bring him to the desk."]
