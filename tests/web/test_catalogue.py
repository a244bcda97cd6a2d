"""The panel's translations come from the gettext catalogue: every string the code and templates name
(as ``pybabel extract`` finds them with web/babel.cfg) has its Chinese, with the same placeholders,
and the compiled catalogue is what the panel answers with."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "web/translations/zh/LC_MESSAGES/messages.po"
KEYWORDS = {"_": None, "t": None, "N_": None, "tn": (1, 2)}
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def extracted() -> dict[str, str]:
    """msgid -> where it was found, with the method map of web/babel.cfg."""
    from babel.messages.frontend import parse_mapping_cfg

    with (ROOT / "web/babel.cfg").open() as f:
        method_map, options = parse_mapping_cfg(f)
    found = {}
    for name, line, msg, _comments, _ctx in extract_from_dir(str(ROOT), method_map, options, keywords=KEYWORDS):
        found.setdefault(msg if isinstance(msg, str) else msg[0], f"{name}:{line}")
    return found


@pytest.fixture(scope="module")
def catalogue():
    with PO.open("rb") as f:
        return read_po(f)


def test_every_extracted_string_has_its_chinese_with_the_same_placeholders(catalogue):
    found = extracted()
    assert len(found) > 300  # the extraction itself works (a broken babel.cfg finds nothing)
    untranslated = {m: where for m, where in found.items()
                    if m not in catalogue or not catalogue[m].string or catalogue[m].fuzzy}
    assert untranslated == {}
    wrong = {}
    for msg in found:
        zh = catalogue[msg].string
        for form in (zh if isinstance(zh, tuple) else (zh,)):
            if set(PLACEHOLDER.findall(form)) - set(PLACEHOLDER.findall(msg if isinstance(msg, str) else msg[0])):
                wrong[msg] = form
    assert wrong == {}


def test_the_catalogue_holds_nothing_the_code_no_longer_names(catalogue):
    """pybabel update would drop such entries: the .po and the code agree."""
    found = extracted()
    stale = [m.id for m in catalogue if m.id and (m.id if isinstance(m.id, str) else m.id[0]) not in found]
    assert stale == []


def test_plural_forms_are_declared_and_used(catalogue):
    assert catalogue.num_plurals == 1 and catalogue.plural_expr == "0"  # Chinese: one form
    plurals = [m for m in catalogue if m.id and not isinstance(m.id, str)]
    assert plurals, "tn() is used for counts"
    assert all(isinstance(m.string, tuple) and len(m.string) == 1 and m.string[0] for m in plurals)


def test_the_panel_compiles_the_catalogue_and_answers_from_it(tmp_path):
    from web.i18n import compile_catalogues

    folder = tmp_path / "translations"
    (folder / "zh/LC_MESSAGES").mkdir(parents=True)
    (folder / "zh/LC_MESSAGES/messages.po").write_bytes(PO.read_bytes())
    compile_catalogues(folder)
    with (folder / "zh/LC_MESSAGES/messages.mo").open("rb") as f:
        compiled = read_mo(f)
    assert compiled["Dashboard"].string == "总览"


def test_pages_come_out_in_chinese_from_the_catalogue(app):
    from tests.web.conftest import Browser

    sam = Browser(app, "sam")
    sam.get("/lang/zh", headers={"Referer": "http://localhost/"})
    html = sam.get("/").get_data(as_text=True)
    assert "总览" in html and ">Dashboard<" not in html
    sam.get("/lang/en", headers={"Referer": "http://localhost/"})
    assert "总览" not in sam.get("/").get_data(as_text=True)


def _calls_in_broadcaster():
    import ast

    for path in sorted((ROOT / "broadcaster").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            yield path.relative_to(ROOT), node


def test_every_action_a_refusal_names_is_given_by_name_so_the_catalogue_finds_it():
    """"bob (desk) may not {action}": pybabel finds an action as ``action="..."`` (web.i18n.extract_domain);
    one passed by position ("change the schedule") reached the Chinese panel in English."""
    import ast

    def name(call):
        return getattr(call.func, "id", None) or getattr(call.func, "attr", "")

    # the helpers that hand ``action`` on to users.require's refusal (acting, session_as, may_schedule...)
    functions = [node for _, node in _calls_in_broadcaster() if isinstance(node, ast.FunctionDef)
                 and any(a.arg == "action" for a in node.args.args + node.args.kwonlyargs)]
    aliases = {node.targets[0].id: node.value.id for _, node in _calls_in_broadcaster() if isinstance(node, ast.Assign)
               and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Name)}  # actor = acting
    forwarders, grown = {"require"}, True
    while grown:
        more = {a for a, f in aliases.items() if f in forwarders} | {f.name for f in functions if any(
            isinstance(c, ast.Call) and name(c) in forwarders
            and any(k.arg == "action" and getattr(k.value, "id", "") == "action" for k in c.keywords)
            for c in ast.walk(f))}
        grown, forwarders = not more <= forwarders, forwarders | more
    assert {"acting", "session_as", "may_schedule"} <= forwarders
    by_position = [f"{path}:{node.lineno} {arg.value!r}" for path, node in _calls_in_broadcaster()
                   if isinstance(node, ast.Call) and name(node) in forwarders
                   for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
    assert by_position == []
    found = extracted()
    assert {"do this", "change the schedule", "create programmes"} <= set(found)  # the default too


def test_a_refusal_names_the_action_in_chinese(app):
    from flask import g

    from web.refusals import refusal

    with app.test_request_context("/"):
        g.pa_lang = "zh"
        for action, zh in (("change the schedule", "修改节目表"), ("create programmes", "创建节目"),
                           ("do this", "执行此操作")):
            said = refusal(f"dora (desk) may not {action}: needs broadcaster or supervisor")
            assert zh in said and action not in said, said


#: The refusals of the domain no panel page shows: the command line's and the settings file's own, the
#: scheduler's guard against a second copy of itself, and a calendar file's (web.schedule_ics says each
#: EventError's ``problem`` in staff words).
NOT_SHOWN = ("broadcaster/commands/", "broadcaster/settings.py", "broadcaster/service.py",
             "broadcaster/schedule/scheduler.py")
REFUSING = {"ValidationError", "FieldErrors", "NotFound", "PermissionDenied", "InvalidTransition",
            "BroadcasterError", "NotApproved", "InUse", "RefusedToAir", "NoNameViolation", "NameInRemark"}
VALUE = "Qq7"  # a value filled into a refusal's f-string: a user's name, a number, a state...


def _sample(node):
    """A refusal text as it reaches the panel, each value in it VALUE; None: not written where it is raised."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else VALUE for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _sample(node.left), _sample(node.right)
        return None if left is None and right is None else (left or VALUE) + (right or VALUE)
    return None


def refusal_texts():
    """(where, text) of every refusal written in broadcaster/ that a panel page may show: the message of a
    refusal, and each field's words of a FieldErrors."""
    import ast

    for path, node in _calls_in_broadcaster():
        if not (isinstance(node, ast.Call) and node.args and str(path).startswith("broadcaster")
                and (getattr(node.func, "id", None) or getattr(node.func, "attr", "")) in REFUSING
                and not str(path).startswith(NOT_SHOWN)):
            continue
        arg = node.args[0]
        for value in (arg.values if isinstance(arg, ast.Dict) else [arg]):
            text = _sample(value)
            if text is not None:
                yield f"{path}:{node.lineno}", text


def shaped(text: str) -> bool:
    """A refusal whose values say part of its words ("another supervisor must approve it" / "... decide"):
    one of web.refusals.REFUSALS has its shape."""
    from web.refusals import REFUSALS

    shape = re.compile(".+".join(re.escape(part) for part in text.split(VALUE)), re.S)
    return any(shape.fullmatch(template) for template in REFUSALS)


def test_every_refusal_the_domain_writes_reaches_the_chinese_panel_in_chinese(app):
    """A refusal raised in broadcaster/ is said in Chinese (web.refusals): the whole message on an error page,
    and a "field: what" refusal's words beside its field, the field named in staff words. A new refusal
    without its Chinese fails here, not on a member of staff's screen."""
    from flask import g

    from web.refusals import _label, refusal

    texts = list(refusal_texts())
    assert len(texts) > 150
    english = {}
    with app.test_request_context("/"):
        g.pa_lang = "zh"
        for where, text in texts:
            text = text.replace(f"[{VALUE}]", "[0]")  # items[0].seconds: the first piece
            field = re.fullmatch(r"([\w\[\]./-]+): (.+)", text, re.S)
            app.config["I18N_MISSING"] = missing = set()
            said = [] if field and VALUE in field[1] else [refusal(text)]  # a field named by a value: its words
            if field and (VALUE in field[1] or _label(field[1])):  # beside its field, or after its label
                said.append(refusal(field[2]))
            missing.discard(VALUE)
            if missing and len(text.replace(VALUE, "")) > 8 and shaped(text):  # "must {approve it|decide}"
                continue
            if missing:
                english[where] = (text, said)
        app.config.pop("I18N_MISSING")
    assert english == {}, "\n".join(f"{where}: {text} -> {said}" for where, (text, said) in english.items())
