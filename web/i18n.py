"""The panel's two languages through gettext catalogues (Flask-Babel): English message ids in the code
and templates, their Chinese in ``web/translations/zh/LC_MESSAGES/messages.po``. ``t("Dashboard")`` in
views and ``{{ _("Dashboard") }}`` in templates; ``tn("{n} page", "{n} pages", n)`` where a count
changes the words; ``{name}`` placeholders are filled after translating. A word translated where it is
shown but named elsewhere is marked ``N_("...")``, a table of them ``N_all({...})`` (a dict's values, a
tuple's items); in broadcaster/ the actions refusals name (``action="..."``) and the tables web/babel.cfg
names are found as they are; words the domain names otherwise are listed in ``web/i18n_words.py``. The
language comes from the session (``/lang/<code>``), else the browser's Accept-Language, else English.

A new string: write it in English in the code, then

    pybabel extract -F web/babel.cfg -k t -k N_ -k tn:1,2 -o web/translations/messages.pot .
    pybabel update -i web/translations/messages.pot -d web/translations -N

and translate its entry in the .po. The catalogue is compiled when the panel starts; the tests check
that every extracted string has its translation."""
from __future__ import annotations

import ast
import os
from pathlib import Path

from flask import Blueprint, current_app, g, redirect, request, session, url_for
from flask_babel import Babel, get_translations

def N_(text: str) -> str:
    """Mark a word for the catalogue; it is translated where it is shown."""
    return text


def N_all(table):
    """Mark a table's words for the catalogue (a dict's values, a tuple's or a list's items)."""
    return table


def _table_words(table: ast.expr):
    """(line, None, word, []) for each text of a table: a dict's values, a tuple's, list's or set's items."""
    for word in table.values if isinstance(table, ast.Dict) else getattr(table, "elts", ()):
        if isinstance(word, ast.Constant) and isinstance(word.value, str):
            yield word.lineno, None, word.value, []


def extract_panel(fileobj, keywords, comment_tags, options):
    """pybabel's extraction of web/ (web/babel.cfg): its Python extraction, and each ``N_all(...)`` table's words."""
    from babel.messages.extract import extract_python

    source = fileobj.read()
    fileobj.seek(0)
    yield from extract_python(fileobj, keywords, comment_tags, options)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_all":
            yield from _table_words(node.args[0])


def extract_domain(fileobj, keywords, comment_tags, options):
    """pybabel's extraction of broadcaster/ (web/babel.cfg): the actions a refusal names ("bob (desk) may not
    {action}"), each given as ``action="..."`` (argparse's ``add_argument(action=...)`` aside) or as the default
    of a parameter ``action``, and the words of the module's tables web/babel.cfg names for it
    (``tables = KINDS CaseState``: a dict, a tuple, an Enum)."""
    tree = ast.parse(fileobj.read())
    tables = options.get("tables", "").split()
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") in tables:
            yield from _table_words(node.value)
        elif isinstance(node, ast.ClassDef) and node.name in tables:  # an Enum: its members' values
            yield from _table_words(ast.List([m.value for m in node.body if isinstance(m, ast.Assign)]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") != "add_argument":
            for kw in node.keywords:
                if kw.arg == "action" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                    yield kw.value.lineno, None, kw.value.value, []
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):  # ``action="do this"``: the default too
            args = node.args
            named = args.posonlyargs + args.args
            defaults = list(zip(named[len(named) - len(args.defaults):], args.defaults))
            for arg, default in defaults + list(zip(args.kwonlyargs, args.kw_defaults)):
                if arg.arg == "action" and isinstance(default, ast.Constant) and isinstance(default.value, str):
                    yield default.lineno, None, default.value, []


#: Languages in the staff's words (catalogue keys), the one table the panel names a language by: the speech a
#: handover checks, the language a refusal names, a page text's and a script part's language (language_name).
LANGUAGE_NAMES = N_all({"zh-CN": "Mandarin", "zh-TW": "Mandarin (traditional)", "zh": "Chinese", "en": "English",
                        "ru": "Russian", "yue": "Cantonese", "ja": "Japanese", "ko": "Korean"})

LANGUAGES = {"en": "English", "zh": "中文"}
CATALOGUES = Path(__file__).resolve().parent / "translations"

bp = Blueprint("i18n", __name__)


def compile_catalogues(folder: Path = CATALOGUES) -> None:
    """Each ``.po`` compiled to its ``.mo`` when that is missing or older (no build step to forget)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in folder.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as f:
            catalogue = read_po(f)
        part = mo.with_suffix(f".{os.getpid()}.part")
        with part.open("wb") as f:
            write_mo(f, catalogue)
        part.replace(mo)


def current_language() -> str:
    """The session's choice, else the browser's; worked out once per request (pages ask often)."""
    lang = g.get("pa_lang")
    if lang is None:
        lang = session.get("lang")
        if lang not in LANGUAGES:
            lang = (request.accept_languages.best_match(list(LANGUAGES)) if request else None) or "en"
        g.pa_lang = lang
    return lang


def language_name(code: str | None) -> str:
    """A language by its name in the UI language (普通话, 英语), never its code: the code as written
    (zh-CN, yue), else in any case, else its base language (en-GB: English); an unknown code as it is."""
    code = (code or "").strip()
    lower = {c.lower(): name for c, name in LANGUAGE_NAMES.items()}
    name = lower.get(code.lower()) or lower.get(code.split("-")[0].lower())
    return t(name) if name else code


def _translations(text: str):
    """This request's catalogue. Tests set ``I18N_MISSING`` to a set: every string a page asked for
    that the catalogue lacks is added to it."""
    translations = get_translations()
    missing = current_app.config.get("I18N_MISSING")
    if missing is not None and text and current_language() != "en" and text not in translations._catalog:
        missing.add(text)
    return translations


def t(text: str, **values) -> str:
    """``text`` in the current language; ``{name}`` placeholders filled after."""
    out = _translations(text).ugettext(text)
    return out.format(**values) if values else out


def tn(singular: str, plural: str, n: int, **values) -> str:
    """The form for the count ``n`` in the current language, with ``{n}`` and the other placeholders."""
    return _translations(singular).ungettext(singular, plural, n).format(n=n, **values)


@bp.get("/lang/<code>")
def switch(code: str):
    if code in LANGUAGES:
        session["lang"] = code
        g.pop("pa_lang", None)
    target = request.referrer or ""
    # only ever go back to a page of this site (no open redirect)
    host = request.host_url
    return redirect(target if target.startswith(host) else url_for("dashboard.index"))


def init_app(app) -> None:
    compile_catalogues()
    Babel(app, locale_selector=current_language, default_translation_directories=str(CATALOGUES),
          configure_jinja=False)  # the templates' ``_`` is ours: ``{name}`` placeholders, as in the code
    app.register_blueprint(bp)
    app.jinja_env.globals.update(_=t, tn=tn, current_language=current_language, LANGUAGES=LANGUAGES)
