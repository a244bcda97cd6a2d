"""Default page templates (Chinese, English and Russian: a page says the venue's languages), seeded in the *pending* state by the system user.

A supervisor approves each once (``broadcaster template approve ID``); after that desk staff can page
with them without per-page approval. Seeding never touches a template that already exists.
"""
from __future__ import annotations

from sqlalchemy import select

from broadcaster.clock import Clock, SystemClock
from broadcaster.store.db import Database
from broadcaster.cases.staff import system_user
from broadcaster.paging.looks import with_looks
from broadcaster.paging.templates import ALLOWED, check_template
from broadcaster.store.models.cases import PageTemplate, TemplateAudience, TemplatePurpose, TemplateStatus

P, A = TemplatePurpose, TemplateAudience

#: key -> (title, purpose, audience, texts). Keys the desk code looks for are in DEFAULT_KEYS.
DEFAULTS: dict[str, tuple[str, TemplatePurpose, TemplateAudience, dict[str, str]]] = {
    "lost_child": ("Lost child (description)", P.MISSING, A.CHILD, {
        "zh-CN": "寻人启事：一名约{age}岁{looks}的{sex}，身穿{clothing}，脚穿{shoes}，最后在{last_seen_place}附近走失。"
                 "请看到这名孩子的游客或工作人员将其带到{meeting_point}，谢谢！",
        "en": "Attention please. We are looking for a {sex} of about {age}{looks}, wearing {clothing} and {shoes}, "
              "last seen near {last_seen_place}. If you see this child, please bring them to {meeting_point}. "
              "Thank you.",
        "ru": "Внимание! Потерялся ребёнок: {sex}, примерно {age}{looks}, в {clothing} и {shoes}. Место, где ребёнка "
              "видели в последний раз: {last_seen_place}. Если вы увидите этого ребёнка, пожалуйста, приведите его "
              "сюда: {meeting_point}. Спасибо!",
    }),
    "found_child": ("Found child: guardian to meeting point", P.FOUND, A.CHILD, {
        "zh-CN": "广播找人：一名约{age}岁{looks}、身穿{clothing}的{sex}正在{meeting_point}等候家人。"
                 "请孩子的家长听到广播后尽快到{meeting_point}，谢谢！",
        "en": "Would the parent or guardian of a {sex} of about {age}{looks}, wearing {clothing}, please come to "
              "{meeting_point}, where the child is waiting. Thank you.",
        "ru": "Уважаемые родители! Ребёнок ({sex}, примерно {age}{looks}, в {clothing}) ждёт вас. Место встречи: "
              "{meeting_point}. Пожалуйста, подойдите туда. Спасибо!",
    }),
    "missing_adult": ("Missing adult (by name)", P.MISSING, A.ADULT, {
        "zh-CN": "寻人广播：{name}，听到广播后请到{meeting_point}，您的同伴正在那里等您。",
        "en": "Paging {name}. Please come to {meeting_point}, where your party is waiting for you.",
        "ru": "Внимание! {name}, пожалуйста, подойдите сюда: {meeting_point}. Вас ждут.",
    }),
    "all_clear": ("All clear", P.ALL_CLEAR, A.ANY, {
        "zh-CN": "刚才广播寻找的游客已经找到，感谢各位游客的关心和协助。",
        "en": "The person we were looking for has been found. Thank you for your help.",
        "ru": "Человек, которого мы искали, найден. Спасибо за помощь!",
    }),
    "security_escalation": ("Security escalation", P.SECURITY, A.ANY, {
        "zh-CN": "安保人员请注意：寻人案件{case_number}仍未解决。约{age}岁{looks}的{sex}，身穿{clothing}，"
                 "最后在{last_seen_place}出现。请立即协助搜寻并留意各出口。",
        "en": "Security staff: case {case_number} is still open. A {sex} of about {age}{looks}, wearing {clothing}, "
              "last seen at {last_seen_place}. Please search now and watch all exits.",
        "ru": "Внимание, служба безопасности: дело {case_number} всё ещё не закрыто. Ищем: {sex}, примерно {age}"
              "{looks}, в {clothing}. Место, где видели в последний раз: {last_seen_place}. Пожалуйста, начните поиск и "
              "следите за выходами.",
    }),
    "found_escalation": ("Security: found child, no guardian yet", P.SECURITY, A.ANY, {
        "zh-CN": "安保人员请注意：案件{case_number}，一名约{age}岁的{sex}正在{meeting_point}等候家人，"
                 "至今无人认领。请留意正在寻找孩子的家长，并引导其到{meeting_point}。",
        "en": "Security staff: case {case_number}. A {sex} of about {age} is waiting at {meeting_point} and no "
              "guardian has come yet. Please look out for a parent searching for a child and direct them to "
              "{meeting_point}.",
        "ru": "Внимание, служба безопасности: дело {case_number}. Ребёнок ({sex}, примерно {age}) ждёт родителей. "
              "Место встречи: {meeting_point}. Пожалуйста, обращайте внимание на родителей, которые ищут ребёнка, "
              "и направляйте их туда.",
    }),
    "lost_property": ("Valuable item found", P.LOST_PROPERTY, A.ANY, {
        "zh-CN": "失物招领：有游客在{where_found}拾到{colour}{category}一件，请失主到{claim_place}认领。",
        "en": "Lost property: a {colour} {category} was found near {where_found}. "
              "The owner may collect it at {claim_place}.",
        "ru": "Бюро находок: найдена вещь ({category}, цвет: {colour}). Место находки: {where_found}. "
              "Получить её можно здесь: {claim_place}.",
    }),
}

DEFAULT_KEYS = {"missing_child": "lost_child", "found_child": "found_child", "missing_adult": "missing_adult",
                "all_clear": "all_clear", "security": "security_escalation", "security_found": "found_escalation",
                "lost_property": "lost_property"}


def seed_defaults(db: Database, clock: Clock | None = None) -> list[PageTemplate]:
    """Create the default templates that do not exist yet (pending approval). Returns the new ones."""
    now = (clock or SystemClock()).now()
    created: list[PageTemplate] = []
    with db.session() as s:
        author = system_user(s)
        existing = set(s.scalars(select(PageTemplate.key)))
        for key, (title, purpose, audience, texts) in DEFAULTS.items():
            if key in existing:
                continue
            tpl = PageTemplate(key=key, title=title, purpose=purpose, audience=audience,
                               texts=check_template(purpose, audience, texts), status=TemplateStatus.PENDING,
                               created_by_id=author.id, created_at=now, updated_at=now)
            s.add(tpl)
            created.append(tpl)
    return created


def lacks_looks(tpl: PageTemplate) -> bool:
    """A person's page worded before the height and hair lists: it gives the age but not the height and
    hair the desk picks, where a fresh install's wording says them (a default whose wording has
    ``{looks}`` now, or a template of the venue's own). :func:`with_looks` adds them."""
    default = DEFAULTS.get(tpl.key)
    if default is not None and not any("{looks}" in text for text in default[3].values()):
        return False
    return "looks" in ALLOWED[tpl.purpose] and with_looks(tpl.wording) is not None
