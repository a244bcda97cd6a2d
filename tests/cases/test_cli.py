"""The case-work CLI against a real SQLite file: what is stored, and refusals exit 1 storing nothing."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from broadcaster.cli import main
from broadcaster.store.db import Database
from broadcaster.store.models.core import Role, User
from broadcaster.store.models.desk import Complaint, Incident


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db = Database(url)
    with db.session() as s:
        s.add_all([User(name="dora", role=Role.DESK), User(name="sam", role=Role.SUPERVISOR)])
    db.dispose()
    return url


def run(url, *argv) -> int:
    return main(["--db", url, *argv])


def test_complaint_from_receipt_to_closed(url, capsys):
    assert run(url, "complaint", "new", "--channel", "phone", "--category", "facility", "--matter",
               "broken bench", "--user", "dora") == 0
    number = capsys.readouterr().out.split()[1]
    assert number.startswith("TS")
    assert run(url, "complaint", "handle", number, "--department", "工程部", "--user", "dora") == 0
    assert run(url, "complaint", "answer", number, "--result", "bench repaired", "--user", "dora") == 0
    assert run(url, "visit", "due") == 0 and number in capsys.readouterr().out
    assert run(url, "visit", "record", "complaint", number, "--unreachable", "--remarks", "no answer",
               "--user", "dora") == 0
    assert "not reached: still due" in capsys.readouterr().out
    assert run(url, "visit", "due") == 0 and "not reached 1x" in capsys.readouterr().out
    assert run(url, "visit", "record", "complaint", number, "--satisfaction", "5", "--attitude", "5",
               "--timeliness", "4", "--user", "dora") == 0
    assert run(url, "complaint", "close", number, "--user", "dora") == 0
    capsys.readouterr()
    assert run(url, "complaint", "show", number) == 0
    out = capsys.readouterr().out
    assert "followed_up->closed" in out and "done" in out


def test_bad_complaint_exits_1_and_stores_nothing(url, capsys):
    assert run(url, "complaint", "new", "--channel", "fax", "--category", "facility", "--matter", " ",
               "--user", "dora") == 1
    err = capsys.readouterr().err
    assert "--channel: Choose one of the list." in err and "--matter: required" in err  # the options named
    with Database(url).session() as s:
        assert s.scalar(select(func.count()).select_from(Complaint)) == 0


def test_incident_steps(url, capsys):
    assert run(url, "incident", "report", "--place", "Slide", "--injury", "grazed knee", "--user", "dora") == 0
    number = capsys.readouterr().out.split()[1]
    assert run(url, "incident", "step", number, "first_aid", "--detail", "plaster", "--user", "dora") == 0
    assert run(url, "incident", "step", number, "closed", "--user", "dora") == 1  # closing needs the result
    assert run(url, "incident", "step", number, "closed", "--detail", "went home fine", "--user", "dora") == 0
    with Database(url).session() as s:
        inc = s.scalar(select(Incident))
        assert inc.state.value == "closed" and [st.step for st in inc.steps] == ["reported", "first_aid", "closed"]


def test_report_as_text_csv_and_pdf(url, tmp_path, capsys):
    assert run(url, "complaint", "new", "--channel", "email", "--category", "other", "--matter", "x",
               "--user", "dora") == 0
    assert run(url, "report") == 0
    assert "complaint  count" in capsys.readouterr().out.replace("  ", "  ")
    assert run(url, "report", "--month", "2026-13") == 1
    out_csv, out_pdf = tmp_path / "r.csv", tmp_path / "r.pdf"
    assert run(url, "report", "--csv", str(out_csv), "--pdf", str(out_pdf)) == 0
    assert "category: other,1" in out_csv.read_text("utf-8-sig")
    assert out_pdf.read_bytes().startswith(b"%PDF")


# -- hostile option values: one clear line naming the option, exit 1, nothing stored ----------------
TEXT = {"NUL": "x\x00", "control": "x\x1b[2J", "bidi": "x\u202e1", "100k": "x" * 100_000}
WHEN = {"25:99": "25:99", "no such day": "2026-02-30T10:00", "year 1": "0001-01-01T00:00",
        "far future": "2999-12-31T23:59", "words": "yesterday", **TEXT}
CHOICE = {"junk": "junk", "NUL": "phone\x00", **TEXT}
SCORE = {"word": "abc", "zero": "0", "six": "6", "23 digits": "1" * 23, "fraction": "2.5", **TEXT}
NEW = ["complaint", "new", "--channel", "phone", "--category", "facility", "--matter", "bench", "--user", "dora"]
REPORT = ["incident", "report", "--place", "gate", "--injury", "graze", "--user", "dora"]
VISIT = ["visit", "record", "complaint", "{complaint}", "--satisfaction", "5", "--attitude", "5", "--timeliness", "5",
         "--user", "dora"]
HOSTILE = [
    (NEW, "--channel", CHOICE), (NEW, "--category", CHOICE), (NEW, "--matter", TEXT | {"blank": " "}),
    (NEW, "--visitor-name", TEXT), (NEW, "--received-at", WHEN),
    (["complaint", "handle", "{complaint}", "--user", "dora"], "--department", TEXT),
    (["complaint", "step", "{complaint}", "--user", "dora"], "--step", TEXT),
    (["complaint", "close", "{complaint}", "--user", "dora"], "--note", TEXT),
    (REPORT, "--place", TEXT), (REPORT, "--occurred-at", WHEN),
    (["incident", "step", "{incident}", "first_aid", "--user", "dora"], "--at", WHEN),
    (["incident", "step", "{incident}", "hospital", "--user", "dora"], "--detail", TEXT | {"blank": " "}),
    (VISIT, "--satisfaction", SCORE), (VISIT, "--remarks", TEXT),
    (["report"], "--month", {"13": "2026-13", "words": "last month", "23 digits": "1" * 23, **TEXT}),
]


def test_hostile_option_values_get_one_line_naming_the_option_and_store_nothing(url, capsys):
    from tests.web.test_hostile_inputs import dump

    assert run(url, *NEW) == 0
    complaint = capsys.readouterr().out.split()[1]
    assert run(url, "complaint", "answer", complaint, "--result", "fixed", "--user", "dora") == 0
    assert run(url, *REPORT) == 0
    found = {"complaint": complaint, "incident": capsys.readouterr().out.split()[1]}
    db, wrong = Database(url), []
    before = dump(db)
    for argv, option, values in HOSTILE:
        for label, value in values.items():
            args = [a.format(**found) for a in argv]
            if option in args:
                args[args.index(option) + 1] = value
            else:
                args += [option, value]
            rc = run(url, *args)
            err = capsys.readouterr().err
            if rc != 1 or f"{option}: " not in err or err.count("\n") != 1 or "Traceback" in err:
                wrong.append((argv[:2], option, label, rc, err[:160]))
    assert wrong == []
    assert dump(db) == before
