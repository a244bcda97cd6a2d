"""The studio's command options through the same input models as the panel and the API (issue 12): a
hostile value (NUL, control characters, 100k characters, a word for a number, 23 digits, a bad name) is
one clear line naming the option, exit 2 (argparse refusing the option) or 1 (the model refusing the
command's input), no traceback, and the database is unchanged."""
from __future__ import annotations

import pytest

from broadcaster.logs import raise_fault
from tests.web.test_hostile_inputs import TEXT, cli, dump

NUMBERS = {"word": "abc", "23 digits": "12345678901234567890123", "zero": "0", "negative": "-1", "NUL": "5\x00"}


@pytest.fixture
def calendar(tmp_path):
    path = tmp_path / "week.ics"
    path.write_text("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:a@b\r\nSUMMARY:Chime\r\n"
                    "DTSTART:20261127T100000\r\nDTEND:20261127T101000\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return str(path)


@pytest.fixture
def m3u(tmp_path):
    path = tmp_path / "list.m3u"
    path.write_text("#EXTM3U\n", encoding="utf-8")
    return str(path)


CASES = [  # (argv with {placeholders}, the option, the option's name in the refusal, hostile values)
    (["faults", "--user", "sam", "--ack"], "--ack", "--ack", NUMBERS | {"huge": str(2 ** 64)}),
    (["faults", "--user", "sam", "--resolve"], "--resolve", "--resolve", NUMBERS | {"huge": str(2 ** 64)}),
    (["log", "asrun", "--limit"], "--limit", "--limit", NUMBERS | {"too many": "10001"}),
    (["user", "role", "bob"], None, "role: ", {"junk": "boss", "NUL": "admin\x00", **TEXT}),
    (["playlist", "import", "{m3u}", "--name"], "--name", "--name", TEXT | {"blank": "  "}),
    (["playlist", "import", "{m3u}", "--crossfade"], "--crossfade", "--crossfade",
     {"word": "abc", "nan": "nan", "inf": "inf", "negative": "-1", "an hour": "3600", "huge": "1e400"}),
    (["ics", "import", "{calendar}", "--programme"], "--programme", "--programme", TEXT | {"blank": " "}),
    (["venue", "--tz"], "--tz", "--tz", {"unknown": "Mars/Base", "path": "../../etc/passwd", **TEXT}),
]


def test_studio_options_refuse_every_hostile_value_and_store_nothing(staff, calendar, m3u, capsys):
    with staff.session() as s:
        raise_fault(s, "other", "a fault to acknowledge")
    wrong = []
    before = dump(staff)
    for argv, _option, named, values in CASES:
        for label, value in values.items():
            args = [a.format(calendar=calendar, m3u=m3u) for a in argv] + [value]
            rc = cli(staff.url, *args)
            err = capsys.readouterr().err
            lines = [x for x in err.splitlines() if "error" in x]
            if rc not in (1, 2) or "Traceback" in err or len(lines) != 1 or named not in lines[0]:
                wrong.append((argv[:2], label, rc, err[-300:]))
    assert wrong == []
    assert dump(staff) == before


def test_a_good_value_still_passes_the_same_door(staff, capsys):
    """The models let a real value through (the refusals above are the values', not the options')."""
    assert cli(staff.url, "log", "asrun", "--limit", "5") == 0
    assert cli(staff.url, "venue", "--tz", "Asia/Shanghai") == 0
    assert "Asia/Shanghai" in capsys.readouterr().out
