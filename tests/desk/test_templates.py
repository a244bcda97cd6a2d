import pytest

from broadcaster.paging.rules import NoNameViolation, check_no_name, name_parts
from broadcaster.errors import InvalidTransition, PermissionDenied, ValidationError
from broadcaster.store.models.cases import Page, TemplateStatus
from tests.desk.conftest import lost_child

TEXTS = {"zh-CN": "一名约{age}岁的{sex}，身穿{clothing}。", "en": "A {sex} of about {age} wearing {clothing}."}


def test_seeded_defaults_wait_for_a_supervisor(staff, clock):
    from broadcaster.paging.defaults import DEFAULTS, seed_defaults

    created = seed_defaults(staff, clock)
    assert {t.key for t in created} == set(DEFAULTS)
    assert all(t.status is TemplateStatus.PENDING for t in created)
    assert all(set(t.texts) == {"zh-CN", "en", "ru"} for t in created)  # a page says the venue's languages
    assert seed_defaults(staff, clock) == []  # idempotent, never overwrites


def test_four_eyes_and_a_new_wording_waits_while_the_approved_one_airs(staff, clock):
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService

    svc = TemplateService(staff, clock)
    for t in seed_defaults(staff, clock):
        if t.key != "lost_child":
            svc.approve(t.id, "sam")
    tpl = svc.edit("lost_child", "sam", texts=TEXTS)  # not approved yet: in place, sam its author (version 2)
    with pytest.raises(PermissionDenied, match="four-eyes"):
        svc.approve(tpl.id, "sam")
    with pytest.raises(PermissionDenied):
        svc.approve(tpl.id, "dora")  # the desk approves nothing
    svc.edit(tpl.id, "dora", texts={**TEXTS, "en": "A {sex} of about {age}, in {clothing}."})  # not approved yet:
    assert svc.approve(tpl.id, "sam").status is TemplateStatus.APPROVED  # in place, dora its author now
    assert svc.get(tpl.id).version == 3
    new = {**TEXTS, "en": "A {sex}, about {age}, in {clothing}."}
    edited = svc.edit(tpl.id, "sue", texts=new)
    assert edited.status is TemplateStatus.APPROVED and edited.texts["en"] == "A {sex} of about {age}, in {clothing}."
    assert edited.draft_texts == new and edited.version == 3  # the approved wording airs meanwhile
    assert [x.id for x in svc.waiting()] == [tpl.id]
    with pytest.raises(PermissionDenied, match="four-eyes"):
        svc.approve(tpl.id, "sue")
    assert svc.get(tpl.id).draft_texts == new  # nothing changed
    approved = svc.approve(tpl.id, "sam")
    assert (approved.texts, approved.draft_texts, approved.version) == (new, None, 4)
    assert approved.status is TemplateStatus.APPROVED and svc.waiting() == []
    with pytest.raises(InvalidTransition, match="approved"):
        svc.approve(tpl.id, "sam")

    svc.edit(tpl.id, "dora", texts=TEXTS)
    with pytest.raises(PermissionDenied):
        svc.set_aside(tpl.id, "dora")  # a supervisor turns a new wording down
    turned = svc.set_aside(tpl.id, "sue")
    assert (turned.texts, turned.draft_texts, turned.version) == (new, None, 4)
    with pytest.raises(InvalidTransition, match="no new wording"):
        svc.set_aside(tpl.id, "sue")
    svc.edit(tpl.id, "dora", texts=TEXTS)
    assert svc.edit(tpl.id, "dora", texts=new).draft_texts is None  # back to the wording on air: nothing waits
    assert svc.edit(tpl.id, "dora", title="Lost child").title == "Lost child"  # never aired: at once
    assert svc.get(tpl.id).status is TemplateStatus.APPROVED


def test_a_wording_from_before_the_height_and_hair_lists_gets_them_after_the_age():
    from broadcaster.paging.defaults import DEFAULTS
    from broadcaster.paging.looks import with_looks

    now = DEFAULTS["lost_child"][3]
    before = {lang: text.replace("{looks}", "") for lang, text in now.items()}
    assert with_looks(before) == now  # exactly where the wording of a fresh install says them
    assert with_looks(now) is None
    assert with_looks({"en": "Will the parents of a {sex} please come to {meeting_point}."}) is None  # no age


@pytest.mark.parametrize("texts, field", [
    ({"en": "Wearing {colour_of_socks}"}, "colour_of_socks"),
    ({"en": "Age {age.real}"}, "age.real"),
    ({"en": "Age {age!r}"}, "age"),
    ({"english": "Hello"}, "language"),
    ({"en": "  "}, r"texts\[en\]"),
    ({}, "texts"),
])
def test_bad_templates_refused(staff, clock, texts, field):
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.templates import TemplateService

    [tpl] = [t for t in seed_defaults(staff, clock) if t.key == "lost_child"]
    svc = TemplateService(staff, clock)
    with pytest.raises(ValidationError, match=field):
        svc.edit(tpl.id, "dora", texts=texts)
    assert (svc.get(tpl.id).texts, svc.get(tpl.id).version) == (tpl.texts, 1)  # nothing stored


def test_child_template_may_not_use_name(staff, clock):
    from broadcaster.paging.templates import TemplateService

    from broadcaster.paging.defaults import seed_defaults

    svc = TemplateService(staff, clock)
    seed_defaults(staff, clock)
    for key in ("lost_child", "all_clear"):  # for a child, and for anyone
        with pytest.raises(NoNameViolation, match="name"):
            svc.edit(key, "dora", texts={"en": "Paging {name}"})
    assert svc.edit("missing_adult", "dora", texts={"en": "Paging {name}"}).texts == {"en": "Paging {name}"}


def test_lost_property_templates_cannot_over_describe(staff, clock):
    from broadcaster.paging.templates import TemplateService

    from broadcaster.paging.defaults import seed_defaults

    seed_defaults(staff, clock)
    with pytest.raises(ValidationError, match="description"):
        TemplateService(staff, clock).edit("lost_property", "dora", texts={"en": "Found: {category}, {description}"})


def test_filling_names_every_missing_field(paging, cases, staff):
    case = cases.open_case("dora", "missing", lost_child(shoes=None, last_seen_place=None))
    with pytest.raises(ValidationError, match="place last seen, shoes"):
        paging.page_case(case.number, "dora")
    with staff.session() as s:
        assert s.query(Page).count() == 0


def test_filled_text_is_bilingual_and_localised(paging, cases, staff):
    from broadcaster.store.models.onair import Airing

    case = cases.open_case("dora", "missing", lost_child())
    page = paging.page_case(case.number, "dora")
    # the pick-list words of the description are said in each language ("red jacket": 红色外套)
    assert "约5岁的男孩，身穿红色外套，脚穿白色运动鞋" in page.texts["zh-CN"]
    assert "a boy of about 5, wearing a red jacket and white sneakers" in page.texts["en"]
    assert "Visitor Centre" in page.texts["en"]
    assert "王小明" not in page.texts["zh-CN"] + page.texts["en"]
    with staff.session() as s:  # what the player will say is exactly that text, in venue language order
        assert s.query(Airing).one().pieces[1]["parts"] == [["zh-CN", page.texts["zh-CN"]], ["en", page.texts["en"]]]


def test_unapproved_template_cannot_page(staff, clock, cases):
    from broadcaster.paging.defaults import seed_defaults
    from broadcaster.paging.paging import PagingService

    seed_defaults(staff, clock)
    case = cases.open_case("dora", "missing", lost_child())
    with pytest.raises(InvalidTransition, match="approve"):
        PagingService(staff, clock).page_case(case.number, "dora")


def test_name_parts_of_chinese_and_latin_names():
    multi, single = name_parts("王小明")
    assert {"王小明", "小明", "王小"} <= multi
    multi, single = name_parts("李雷")
    assert "李雷" in multi and single == {"雷"}
    multi, single = name_parts("欧阳娜")
    assert "欧阳娜" in multi and single == {"娜"}
    multi, _ = name_parts("Tom  Smith-Jones")
    assert {"Tom", "Smith", "Jones"} <= multi


@pytest.mark.parametrize("text", ["请小明的家长到游客中心", "Tom, please come", "SMITH family", "王小明"])
def test_final_text_check_catches_name_parts(text):
    with pytest.raises(NoNameViolation, match="name"):
        check_no_name({"x": text}, "王小明" if any("\u4e00" <= c <= "\u9fff" for c in text) else "Tom Smith")


def test_final_text_check_ignores_words_that_merely_contain_a_name():
    check_no_name({"en": "See you tomorrow at the Tombola stand"}, "Tom Smith")  # no whole-word match
    check_no_name({"zh-CN": "一名约5岁的男孩"}, "王小明")
    with pytest.raises(NoNameViolation):
        check_no_name({"zh-CN": "身穿雷锋T恤"}, "李雷", typed=["雷锋T恤"])


def test_no_name_rule_on_a_real_page_with_free_text(paging, cases, staff):
    case = cases.open_case("dora", "missing", lost_child(clothing="印有小明字样的红外套"))
    with pytest.raises(NoNameViolation, match="no-name"):
        paging.page_case(case.number, "dora")
    case2 = cases.open_case("dora", "missing", lost_child())
    with pytest.raises(NoNameViolation):
        paging.page_case(case2.number, "dora", extra_text="He answers to Xiaoming, 小明.")
    with staff.session() as s:
        assert s.query(Page).count() == 0


def test_adult_template_cannot_be_used_for_a_child(paging, cases):
    case = cases.open_case("dora", "missing", lost_child())
    with pytest.raises(NoNameViolation, match="adult"):
        paging.page_case(case.number, "dora", template="missing_adult")


def test_missing_adult_may_be_paged_by_name(paging, cases):
    case = cases.open_case("dora", "missing", lost_child(person_name="Margaret Lee", age=78))
    page = paging.page_case(case.number, "dora")
    assert "Margaret Lee" in page.texts["en"]
