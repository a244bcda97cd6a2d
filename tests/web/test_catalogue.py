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
