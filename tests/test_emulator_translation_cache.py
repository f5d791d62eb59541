"""The emulator's translation cache: a query translated from its shape's template gives the very
SQL, count SQL, columns and errors a fresh translation gives, whatever its literals."""

from __future__ import annotations

import sqlite3
import threading
from zoneinfo import ZoneInfo

import pytest

from netsuite_emulator import engine
from netsuite_emulator.engine import Engine, Settings, SuiteQLError, Translator

NOW = 1796139502.7
TS = "TO_TIMESTAMP('{}', 'YYYY-MM-DD HH24:MI:SS')"
KEYSET = (
    "SELECT id, tranid, TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') AS lastmodifieddate, shipdate, "
    "taxtotal FROM transaction WHERE (type = '{}') AND lastmodifieddate >= " + TS + " AND "
    "(TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS') > '{}' OR (TO_CHAR(lastmodifieddate, "
    "'YYYY-MM-DD HH24:MI:SS') = '{}' AND id > {})) ORDER BY TO_CHAR(lastmodifieddate, 'YYYY-MM-DD HH24:MI:SS'), id"
)
QUERIES = [
    KEYSET.format("CustInvc", "2019-12-31 16:00:00", "2020-01-01 00:00:00", "2020-01-01 00:00:00", 0),
    KEYSET.format("CustInvc", "2025-08-04 06:10:58", "2025-08-04 07:10:58", "2025-08-04 07:10:58", 39626),
    KEYSET.format("It's", "1960-02-29 23:59:59", "x", "y", 7),
    KEYSET.format("CustPymt", "2025-13-45 00:00:00", "a", "b", 1),  # a bound no clock reads: 400
    "SELECT id, entity FROM transaction WHERE id > 5 ORDER BY entity",  # ties shuffled by the seed
    "SELECT id, entity FROM transaction WHERE id > 900 ORDER BY entity",
    "SELECT id, -5 AS m, 1.50 AS f, 'a''b' AS s FROM customer WHERE id > -3 AND companyname <> 'x/y'",
    "SELECT id, -7 AS m, 2.25 AS f, '' AS s FROM customer WHERE id > -9 AND companyname <> 'it''s'",
    "SELECT TO_CHAR(SYSDATE, 'YYYY-MM-DD HH24:MI:SS') AS now FROM DUAL",
    "SELECT TO_CHAR(createddate, 'DD-MON-YYYY') AS d FROM transaction WHERE id IN (1, 2, 3)",
    "SELECT TO_CHAR(createddate, 'YYYY') AS d FROM transaction WHERE id IN (4, 5, 6)",  # another pinned model
    "SELECT TO_CHAR(createddate, 'NOPE') AS d FROM transaction WHERE id IN (4, 5, 6)",
    "SELECT id FROM transaction WHERE trandate >= TO_DATE('1/2/2024') AND foreigntotal > 10.5",
    "SELECT id FROM transaction WHERE trandate >= TO_DATE('2/3/2025') AND foreigntotal > 99",
    "SELECT id FROM transaction WHERE ROWNUM <= 5",
    "SELECT TOP 3 id FROM transaction ORDER BY id DESC",
    "SELECT nosuch FROM customer WHERE id = 1",
    "SELECT id FROM customer -- a comment 'x'",
]


def outcome(translate):
    try:
        t = translate()
    except SuiteQLError as exc:
        return "error", exc.detail
    return t.sql, t.count_sql(), [(c.name, c.kind, c.form) for c in t.columns]


@pytest.mark.parametrize(
    "settings",
    [
        Settings(tz=ZoneInfo("America/Los_Angeles")),
        Settings(tz=ZoneInfo("Asia/Tokyo"), tie_order="stable", date_format="D/M/YYYY", nulls="null"),
    ],
    ids=["default", "switched"],
)
def test_templates_translate_as_the_translator_does(monkeypatch, settings):
    monkeypatch.setattr(engine.time, "time", lambda: NOW)
    eng = Engine(sqlite3.connect(":memory:"), settings, threading.Lock(), seed=5)
    for round_ in range(3):  # the first round makes the templates, the others read them
        for i, query in enumerate(QUERIES):
            seed = None if settings.tie_order == "stable" else 1000 * round_ + i
            cached = outcome(lambda q=query, s=seed: eng._translate(q, s))
            fresh = outcome(lambda q=query, s=seed: Translator(settings, NOW, s).translate(q))
            assert cached == fresh, query
    shapes = eng._templates._shapes
    assert any(templates for templates in shapes.values())  # the keyset pages share one template
    assert not any(("rownum" in key[0].lower() or "TOP" in key[0]) for key in shapes)
