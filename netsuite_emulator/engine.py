"""SuiteQL on SQLite: parse, check identifiers against the emulated schema, translate, execute.

The query is parsed as Oracle SQL (sqlglot), every table and column is resolved against
`schema.TABLES` (NetSuite's own error texts for what is unknown), NetSuite's functions are
rewritten into SQLite functions registered here, and the result is paged with COUNT(*) and
LIMIT/OFFSET inside SQLite so no page materialises the whole result in Python.

Queries run side by side: each request thread reads through its own connection to the
account's database (WAL), inside one read transaction per page, so it sees a consistent
snapshot while the one writer (`Engine.conn`, under `Engine.lock`) changes rows.
"""

from __future__ import annotations

import collections
import random
import re
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import msgspec
import sqlglot
from sqlglot import exp
from sqlglot.dialects.oracle import Oracle
from sqlglot.errors import SqlglotError

from . import formats, schema, tables

PREFIX = "Invalid search query. Detailed unprocessed description follows. "
UNSUPPORTED = "Search error occurred: Invalid or unsupported search."

# Functions sqlglot would rewrite into its own forms, losing the Oracle format model: keep them
# as plain calls and translate them here.
_OWN = {"TO_CHAR", "TO_DATE", "TO_TIMESTAMP", "TRUNC", "NVL"}


class SuiteQL(Oracle):
    """Oracle as sqlglot knows it, minus the rewrites of the functions we translate ourselves."""

    class Parser(Oracle.Parser):  # type: ignore[valid-type,misc]  # sqlglot declares Parser as a variable
        FUNCTIONS: ClassVar[dict] = {k: v for k, v in Oracle.Parser.FUNCTIONS.items() if k not in _OWN}


# sqlglot classes of the functions docs/netsuite.md §3 lists, plus the aggregates (AND and OR are
# functions to sqlglot too).
_ALLOWED = (
    exp.And,
    exp.Or,
    exp.Upper,
    exp.Lower,
    exp.Substring,
    exp.Coalesce,
    exp.Case,
    exp.If,
    exp.DecodeCase,
    exp.Round,
    exp.Count,
    exp.Min,
    exp.Max,
    exp.Sum,
    exp.Avg,
    exp.RowNumber,
    exp.Rank,
    exp.DenseRank,
    exp.Exists,
    exp.CurrentTimestamp,
    exp.CurrentDate,
)
# sqlglot renamed these Select arguments over versions.
_FROM = "from_" if "from_" in exp.Select.arg_types else "from"
_WITH = "with_" if "with_" in exp.Select.arg_types else "with"
_AGGREGATES = (exp.Count, exp.Min, exp.Max, exp.Sum, exp.Avg)
_TOP = re.compile(r"\bSELECT\s+(?:ALL\s+|DISTINCT\s+)?TOP\s+\d+", re.IGNORECASE)
MAX_IN_LIST = 1000
# Odd multipliers and a prime modulus: a seeded, request-specific order of rowids.
_TIE_FACTORS = (2654435761, 40503, 2246822519, 3266489917)
_TIE_MODULUS = 4294967291
OTHER = "other"  # the kind of an expression that is neither a column nor temporal


class SuiteQLError(Exception):
    """A query NetSuite refuses with a 400; `detail` is the full o:errorDetails text."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def unsupported() -> SuiteQLError:
    return SuiteQLError(PREFIX + UNSUPPORTED)


@dataclass
class Settings:
    """Account preferences and emulator switches that change how values are read and written.

    Mutable at run time (`POST /_emulator/config`); readers see a change from their next query.
    """

    tz: ZoneInfo
    date_format: str = "M/D/YYYY"
    decimal_leading_zero: bool = True
    nulls: str = "left-out"  # "left-out" (§2's most likely) or "null"
    links: str = "self-next"  # "self-next" or "all" (first/previous/last too)
    subsecond: bool = False  # modification times keep sub-second parts
    denied: frozenset[str] = frozenset()  # tables the role may not read
    denied_columns: frozenset[str] = frozenset()  # "table.column" the role may not see
    tie_order: str = "shuffled"  # "shuffled": tied rows move between requests (§10); "stable"


@dataclass
class Source:
    """A table or derived table in a FROM clause: its alias, table name and column kinds."""

    alias: str
    table: str | None
    columns: dict[str, str]


@dataclass
class Scope:
    """What one SELECT can name: its sources, the enclosing query's scope, its own aliases."""

    sources: list[Source]
    parent: Scope | None = None
    outputs: dict[str, exp.Expression] = field(default_factory=dict)  # for ORDER BY alias

    def describe(self) -> str:
        """NetSuite's list of identifiers in scope: `{alias=table, ...}` (a Java map's text)."""
        return "{" + ", ".join(f"{s.alias}={s.table or 'subquery'}" for s in self.sources) + "}"


@dataclass
class Column:
    """A result column: its key in the item, its kind (how its values render), and its form:
    "text" when every value is TEXT or NULL and is sent as it is (a table's text column, a
    stored TO_CHAR), "number" for a decimal column's stored text (schema.NUMBER_TEXT), "any"."""

    name: str
    kind: str
    form: str = "any"


@dataclass
class Page:
    """One page: its items as a JSON array (each item empty `links`, then NetSuite strings),
    how many, and the full row count."""

    items: bytes
    count: int
    total: int


class Engine:
    """Runs SuiteQL against the account's database: readers side by side, each on its own
    connection (`reader`); `conn` is the one writer's connection, used under `lock`."""

    def __init__(self, conn: sqlite3.Connection, settings: Settings, lock: threading.Lock, seed: int = 0) -> None:
        self.conn, self.settings, self.lock = conn, settings, lock
        self.path = conn.execute("PRAGMA database_list").fetchone()[2]
        self._local = threading.local()
        self._ties = random.Random(f"ties:{seed}")
        self._ties_lock = threading.Lock()
        self._templates = _Templates()
        register_functions(conn, settings)

    def reader(self) -> sqlite3.Connection:
        """This thread's read-only connection (opened on first use; autocommit, so each read
        transaction is explicit)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA query_only = ON")
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            register_functions(conn, self.settings)
            self._local.conn, self._local.counted = conn, None
        return conn

    def run(self, query: str, limit: int, offset: int) -> Page:
        """One page of a query's rows, rendered as NetSuite renders them, and the full count."""
        tie_seed = None
        if self.settings.tie_order != "stable":
            with self._ties_lock:
                tie_seed = self._ties.getrandbits(31)
        translation = self._translate(query, tie_seed)
        items = translation.items_sql or self._items_sql(translation)
        reader = self.reader()
        reader.execute("BEGIN")  # page and count from one snapshot
        try:
            # One row past the page tells whether the page ends the result; only when it
            # does not (or the offset passed the end) is the full count worth its cost.
            # The rows an offset passes are skipped before any item is written.
            rows = reader.execute(
                f"SELECT {items} FROM (SELECT * FROM ({translation.sql}) LIMIT ? OFFSET ?)", (limit + 1, offset)
            ).fetchall()
            if len(rows) <= limit and (rows or offset == 0):
                total = offset + len(rows)
            else:
                total = self._count(reader, translation.count_sql())
                rows = rows[:limit]
        except sqlite3.Error as exc:  # includes an exception inside one of our functions
            sys.stderr.write(f"suiteql: SQLite refused {translation.sql!r}: {exc}\n")
            raise unsupported() from None
        finally:
            reader.execute("COMMIT")
        return Page(self._array(translation.columns, rows), len(rows), total)

    def _translate(self, query: str, tie_seed: int | None) -> Translation:
        """The query's translation, from the template of its shape when one fits (`Template`)."""
        now = time.time()
        split = _split_literals(query)
        if split is None:
            return Translator(self.settings, now, tie_seed).translate(query)
        shape, values = split
        key = (shape, repr(self.settings), tie_seed is None)
        templates = self._templates.get(key)
        if templates is None:  # a shape no template rebuilds
            return Translator(self.settings, now, tie_seed).translate(query)
        for template in templates:
            if template.fits(values):
                return template.render(values, int(now), tie_seed, self.settings)
        translator = Translator(self.settings, now, tie_seed)
        translation = translator.translate(query)
        made = _template(translation, translator, query, values)
        if made is not None:
            made.items_sql = translation.items_sql = self._items_sql(translation)
        self._templates.add(key, made)
        return translation

    def _count(self, reader: sqlite3.Connection, sql: str) -> int:
        """The rows `sql` gives, counted once while nothing changes: every page of one query but
        the last asks for the same count. A commit by the writer moves the reader's
        `data_version`; SYSDATE is a literal in the SQL; a switched setting (the zone reads
        literals) is part of the key. The caller holds a read transaction."""
        version = reader.execute("PRAGMA data_version").fetchone()[0]
        key = (sql, version, repr(self.settings))
        counted = self._local.counted
        if counted is None or counted[0] != key:
            counted = self._local.counted = (key, reader.execute(f"SELECT COUNT(*) FROM ({sql})").fetchone()[0])
        return counted[1]

    def _items_sql(self, translation: Translation) -> str:
        """SQL that writes each row as NetSuite's item, in SQLite's C: empty `links`, then every
        value a string (§2). A page is 1,000 rows of tens of columns; building and encoding
        them in Python was most of the emulator's CPU per row. Only values without a stored
        rendering (a computed decimal, a bare date) call back into Python (`ns_render`)."""
        pairs = [f"{_sql_text(col.name)}, {self._value_sql(col, f'c{i}')}" for i, col in enumerate(translation.columns)]
        return f"json_object('links', json('[]'), {', '.join(pairs)})"

    def _value_sql(self, column: Column, ref: str) -> str:
        if column.form == "text":
            return ref
        if column.form == "number":
            if self.settings.decimal_leading_zero:
                return ref
            # Oracle's TO_CHAR drops the zero of a magnitude below one (".5", "-.5").
            return (
                f"CASE WHEN {ref} GLOB '0.*' THEN substr({ref}, 2) "
                f"WHEN {ref} GLOB '-0.*' THEN '-' || substr({ref}, 3) ELSE {ref} END"
            )
        if column.kind in schema.TEMPORAL:
            return f"CASE typeof({ref}) WHEN 'text' THEN {ref} WHEN 'null' THEN NULL ELSE ns_render({ref}, 1) END"
        return (
            f"CASE typeof({ref}) WHEN 'integer' THEN CAST({ref} AS TEXT) "
            f"WHEN 'real' THEN ns_render({ref}, 0) ELSE {ref} END"
        )

    def _array(self, columns: list[Column], rows: list[tuple[str]]) -> bytes:
        """The items as one JSON array; NULL columns left out of each item (§2) unless the
        account is switched to send them as null."""
        array = ("[" + ",".join([row[0] for row in rows]) + "]").encode()
        if self.settings.nulls == "null" or b":null" not in array:
            return array
        # Every member follows a comma (`links` leads), and inside a string every quote is
        # escaped, so a piece before ":null" that ends in `,"name"` for a column's name is that
        # column's null member; anything else was text that happened to hold ":null".
        members = frozenset(b"," + _encode(col.name) for col in columns)
        pieces = array.split(b":null")
        for i in range(len(pieces) - 1):
            piece = pieces[i]
            cut = piece.rfind(b',"')
            pieces[i] = piece[:cut] if piece[cut:] in members else piece + b":null"
        return b"".join(pieces)


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_encode = msgspec.json.Encoder().encode


MMAP_BYTES = 1 << 34  # map the whole database: pages are read in place, not copied per connection


def register_functions(conn: sqlite3.Connection, settings: Settings) -> None:
    """The SQLite functions translated queries and stored renderings call, on one connection."""
    for name, fn in _functions(settings).items():
        if name != "ns_to_char_dt":  # that one, called most, tests for NULL itself
            fn = _null_in_null_out(fn)  # noqa: PLW2901
        conn.create_function(name, 2, fn, deterministic=True)
    conn.create_function("ns_number_text", 1, formats.number_text_or_null, deterministic=True)


def _functions(settings: Settings) -> dict:
    """The SQLite functions translated queries call; each takes a value and a second argument."""
    s = settings  # read at each call: the settings change at run time

    def to_char_dt(
        v: float | None, f: str | None
    ) -> str | None:  # renders every date and datetime of every row written: no wrappers
        if v is None:
            return None
        if f is None:  # TO_CHAR(datetime) without a model renders like a bare column
            return formats.user_date(v, s.date_format, s.tz)
        return formats.to_char_datetime(v, f, s.tz)

    def render(v: float, temporal: int) -> str:  # a value without a stored rendering, as `Engine._value_sql` says
        return (
            formats.user_date(v, s.date_format, s.tz)
            if temporal
            else formats.number_text(v, leading_zero=s.decimal_leading_zero)
        )

    return {
        "ns_render": render,
        "ns_to_char_dt": to_char_dt,
        "ns_to_char_num": lambda v, f: formats.to_char_number(v, f, leading_zero=s.decimal_leading_zero),
        "ns_to_timestamp": lambda text, f: formats.parse_local(text, f, s.tz),
        "ns_trunc_dt": lambda v, unit: formats.trunc_datetime(v, unit, s.tz),
        "ns_trunc_num": _trunc_number,
        "ns_display": schema.display_text,
    }


def _null_in_null_out(fn: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """SQL semantics: a NULL value gives NULL without calling the function."""
    return lambda value, arg: None if value is None else fn(value, arg)


def _trunc_number(value: float, digits: int | None) -> float:
    if isinstance(value, int) and not digits:
        return value
    scale = 10 ** int(digits or 0)
    truncated = int(value * scale) / scale
    return int(truncated) if not digits else truncated


@dataclass
class Translation:
    """SQLite SQL for the rows, how to write the SQL that counts them, the result columns, and
    (from a template) the SQL that writes the items."""

    sql: str
    counting: Callable[[], str]
    columns: list[Column]
    items_sql: str | None = None
    tree: exp.Select | None = None  # the rewritten tree, for `_template`

    def count_sql(self) -> str:
        """SQLite SQL whose row count is the total; built only when a page needs the count."""
        return self.counting()


# -- the translation cache ----------------------------------------------------------------
# Keyset pages of one read differ only in their literals (`id > 39626`, a TO_TIMESTAMP bound),
# and parsing and translating each page's SuiteQL with sqlglot was about a quarter of the
# emulator's CPU per row. So a query's shape (its text with its literals cut out) is translated
# once per settings into templates of the SQL whose slots are filled with each request's
# literals. A literal whose value steers the translation (a format model) is pinned: the
# template fits only queries with the same value there. Queries the literal scanner cannot read
# for certain (comments, quoted identifiers, backslashes, ROWNUM and TOP, which read their
# numbers) are translated every time, as is a shape whose template does not give back the very
# SQL translation gave (checked when the template is made).
_LITERAL = re.compile(r"'(?:[^']|'')*'|(?<![\w.])\d+(?:\.\d+)?(?![\w.'])")
_PLAIN_TEXT = re.compile(r"[^\\\x00-\x1f\x7f]*")
_UNCACHED = re.compile(r"--|/\*|[\"\\\x00\x01]|\brownum\b|\btop\b", re.IGNORECASE)
_SLOT, _COPY, _EPOCH, _NOW, _TIE = "ns_slot", "copy", "epoch", "now", "tie"
_SENTINEL = re.compile("\x01(\\d+)\x01")
TEMPLATE_SHAPES = 256  # distinct shapes kept, least recently used dropped
TEMPLATES_PER_SHAPE = 8  # pinned values of one shape kept


def _split_literals(query: str) -> tuple[str, list[str]] | None:
    """(the query with each literal cut to a marker of its kind, the literals' values), or None
    when the text is not one this scanner reads for certain."""
    pieces, values, at = [], [], 0
    for match in _LITERAL.finditer(query):
        start, text = match.start(), match.group()
        if text[0] == "'":
            if start and (query[start - 1].isalnum() or query[start - 1] in "_$#"):
                return None  # q'[...]', N'...': not plain strings
            value = text[1:-1].replace("''", "'")
            if not _PLAIN_TEXT.fullmatch(value):
                return None
            pieces.append(query[at:start] + "\x00s")
        else:
            value = text
            pieces.append(query[at:start] + "\x00n")
        values.append(value)
        at = match.end()
    pieces.append(query[at:])
    shape = "".join(pieces)
    if "'" in shape or _UNCACHED.search(shape.replace("\x00s", "").replace("\x00n", "")):
        return None
    return shape, values


def _epoch_number(epoch: float) -> float:
    return int(epoch) if epoch == int(epoch) else epoch


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@dataclass
class Template:
    """One shape's translation with slots for its literals: `sql` and `count` alternate fixed
    text and slot numbers; `slots[k]` is (copy, literal index, is string), (epoch, literal
    index, format model), (now,) or (tie,)."""

    sql: list[str | int]
    count: list[str | int]
    slots: list[tuple]
    columns: list[Column]
    pinned: tuple[tuple[int, str], ...]
    items_sql: str | None = None

    def fits(self, values: list[str]) -> bool:
        return all(values[i] == value for i, value in self.pinned)

    def render(self, values: list[str], now: int, tie_seed: int | None, settings: Settings) -> Translation:
        filled = []
        for slot in self.slots:
            if slot[0] == _COPY:
                filled.append(_sql_string(values[slot[1]]) if slot[2] else values[slot[1]])
            elif slot[0] == _EPOCH:
                try:
                    epoch = formats.parse_local(values[slot[1]], slot[2], settings.tz)
                except formats.FormatError:
                    raise unsupported() from None
                filled.append(str(_epoch_number(epoch)))
            else:
                filled.append(str(now if slot[0] == _NOW else tie_seed))

        def fill(parts: list[str | int]) -> str:
            return "".join(p if isinstance(p, str) else filled[p] for p in parts)

        return Translation(fill(self.sql), lambda: fill(self.count), self.columns, self.items_sql)


def _template(translation: Translation, translator: Translator, query: str, values: list[str]) -> Template | None:
    """The template of a just translated query, or None when its SQL cannot be rebuilt from its
    literals for certain. Consumes the translation's tree (its count SQL is built first)."""
    starts = {m.start(): i for i, m in enumerate(_LITERAL.finditer(query))}
    tree = translation.tree
    if tree is None:
        return None
    count_sql = translation.count_sql()  # before the tree changes below
    slots: list[tuple] = []
    used: set[int] = set()
    pinned = {starts.get(start, -1) for start in translator.pinned}
    if -1 in pinned:
        return None
    swaps = []
    for node in tree.walk():
        slot = node.meta.get(_SLOT) if node.meta else None
        if slot is not None:
            if slot[0] == _EPOCH:
                if slot[1] not in starts:
                    return None
                slot = (_EPOCH, starts[slot[1]], slot[2])
                used.add(slot[1])
            swaps.append((node, slot))
        elif isinstance(node, exp.Literal) and node.meta and "start" in node.meta:
            index = starts.get(node.meta["start"])
            if (
                index is None
                or node.this != values[index]
                or node.is_string != query[node.meta["start"]].startswith("'")
            ):
                return None
            used.add(index)
            if index not in pinned:
                swaps.append((node, (_COPY, index, node.is_string)))
    if used | pinned != set(range(len(values))):
        return None  # a literal the translation read without saying how
    for node, slot in swaps:
        slots.append(slot)
        node.replace(exp.Var(this=f"\x01{len(slots) - 1}\x01"))

    def parts(sql: str) -> list[str | int]:
        pieces = _SENTINEL.split(sql)
        return [int(p) if i % 2 else p for i, p in enumerate(pieces)]

    template = Template(
        parts(tree.sql(dialect="sqlite", identify=True)),
        parts(_counting(tree).sql(dialect="sqlite", identify=True)),
        slots,
        translation.columns,
        tuple(sorted((i, values[i]) for i in pinned)),
    )
    rendered = template.render(values, translator.now, translator.tie_seed, translator.settings)
    if rendered.sql != translation.sql or rendered.count_sql() != count_sql:
        return None
    return template


class _Templates:
    """The templates of the shapes seen last, for the threads of one engine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # None: a shape whose template could not be made, translated every time.
        self._shapes: collections.OrderedDict[tuple, list[Template] | None] = collections.OrderedDict()

    def get(self, key: tuple) -> list[Template] | None:
        with self._lock:
            if key not in self._shapes:
                return []
            self._shapes.move_to_end(key)
            templates = self._shapes[key]
            return None if templates is None else list(templates)

    def add(self, key: tuple, template: Template | None) -> None:
        with self._lock:
            templates = self._shapes.get(key, [])
            if template is None or templates is None:
                self._shapes[key] = None
            else:
                templates.insert(0, template)
                del templates[TEMPLATES_PER_SHAPE:]
                self._shapes[key] = templates
            self._shapes.move_to_end(key)
            while len(self._shapes) > TEMPLATE_SHAPES:
                self._shapes.popitem(last=False)


def _counting(tree: exp.Select) -> exp.Select:
    """The same rows without ordering or computed columns, so COUNT(*) reads only an index."""
    counted = tree.copy()
    counted.set("order", None)
    if not any(counted.args.get(k) for k in ("group", "distinct", "limit", "having")) and not any(
        p.find(*_AGGREGATES) for p in counted.expressions
    ):
        counted.set("expressions", [exp.Literal.number(1)])
    return counted


class Translator:
    """Turns one SuiteQL text into SQLite SQL plus the name and kind of each result column."""

    def __init__(self, settings: Settings, now: float, tie_seed: int | None = None) -> None:
        self.settings, self.now, self.tie_seed = settings, int(now), tie_seed
        self.top_written = False
        # For the translation cache (`_template`): where each literal whose value steered the
        # translation starts in the text (its value is then part of what the template fits).
        self.pinned: set[int] = set()

    def _pin(self, node: exp.Expression) -> None:
        if isinstance(node, exp.Literal) and "start" in node.meta:
            self.pinned.add(node.meta["start"])

    def translate(self, query: str) -> Translation:
        # `SELECT TOP n` is accepted [real]; sqlglot reads it as a LIMIT, which is refused.
        self.top_written = _TOP.search(query) is not None
        try:
            statements = sqlglot.parse(query, dialect=SuiteQL)
        except SqlglotError:
            raise unsupported() from None
        if len(statements) != 1 or not isinstance(statements[0], exp.Select):
            raise unsupported()
        tree = statements[0]
        columns = self.select(tree, None, top=True)
        # Not copied first (the default): the tree was parsed for this query alone.
        sql = tree.sql(dialect="sqlite", identify=True, copy=False)
        counted: list[str] = []

        def counting() -> str:  # built once, and only when a page needs the count
            if not counted:
                counted.append(_counting(tree).sql(dialect="sqlite", identify=True))
            return counted[0]

        return Translation(sql, counting, columns, tree=tree)

    # -- SELECT ---------------------------------------------------------------------------
    def select(self, node: exp.Select, parent: Scope | None, *, top: bool = False) -> list[Column]:
        """Resolve and rewrite one SELECT in place; return its result columns."""
        limit = node.args.get("limit")
        if node.args.get(_WITH) or node.args.get("offset") or (limit is not None and not self._is_top(limit)):
            # WITH is refused [doc]; LIMIT, OFFSET and FETCH FIRST: no evidence [unsure], refused here.
            raise unsupported()
        from_ = node.args.get(_FROM)
        if from_ is None:
            raise unsupported()  # Oracle needs FROM (DUAL for constants)
        scope = Scope([], parent)
        self._source(from_.this, scope)
        for join in node.args.get("joins") or []:
            self._source(join.this, scope)
        for join in node.args.get("joins") or []:
            if join.args.get("on") is not None:
                join.set("on", self.expr(join.args["on"], scope)[0])
        rownum_limit = self._take_rownum_limit(node)

        columns: list[Column] = []
        projections: list[exp.Expr] = []
        unnamed = 0
        for proj in self._expand_stars(node.expressions, scope):
            alias = proj.alias if isinstance(proj, exp.Alias) else None
            inner = proj.this if isinstance(proj, exp.Alias) else proj
            new, kind = self.expr(inner, scope)
            if alias:
                name = alias.lower()
            elif isinstance(inner, exp.Column):
                name = inner.name.lower()
            else:
                unnamed += 1
                name = f"expr{unnamed}"  # NetSuite's name for an unaliased expression
            columns.append(Column(name, kind))
            projections.append(exp.alias_(new, f"c{len(projections)}" if top else name, quoted=True, copy=False))
        node.set("expressions", projections)
        scope.outputs = {c.name: p.this for c, p in zip(columns, projections, strict=False)}

        for key in ("where", "group", "having"):
            if node.args.get(key) is not None:
                node.set(key, self.expr(node.args[key], scope)[0])
        if node.args.get("order") is not None:
            for ordered in node.args["order"].expressions:
                target = ordered.this
                if isinstance(target, exp.Column) and not target.table and target.name.lower() in scope.outputs:
                    # A select alias: order by its expression, which keeps indexes usable.
                    ordered.set("this", scope.outputs[target.name.lower()].copy())
                else:
                    ordered.set("this", self.expr(target, scope)[0])
                _native_nulls_order(ordered)
        if rownum_limit is not None:
            self._apply_rownum_limit(node, scope, rownum_limit)
        if top and self.tie_seed is not None and rownum_limit is None and node.args.get("order") is not None:
            self._shuffle_ties(node, scope)
        if top:
            for column, projection in zip(columns, projections, strict=False):
                column.form = _read_stored_text(projection)
        return columns

    def _is_top(self, limit: exp.Expression) -> bool:
        return self.top_written and isinstance(limit, exp.Limit) and isinstance(limit.expression, exp.Literal)

    def _shuffle_ties(self, node: exp.Select, scope: Scope) -> None:
        """Rows tied under a non-unique ORDER BY come back in an order that changes from one
        request to the next (docs/netsuite.md §10): a seeded term of each source row's rowid
        breaks the ties. A query ordered by a unique key of every table it reads is left alone;
        derived tables and grouped rows have no rowid to shuffle by."""
        if (
            any(s.table is None for s in scope.sources)
            or any(node.args.get(k) for k in ("group", "distinct"))
            or any(p.find(*_AGGREGATES) for p in node.expressions)
        ):
            return
        ordered = {
            (o.this.meta.get("alias"), o.this.meta.get("name"))
            for o in node.args["order"].expressions
            if isinstance(o.this, exp.Column)
        }
        if all(
            any(all((s.alias, c) in ordered for c in key) for key in tables.BY_NAME[s.table].unique_keys)
            for s in scope.sources
            if s.table is not None
        ):
            return
        term = " + ".join(
            f'"{s.alias}".rowid * {_TIE_FACTORS[k % len(_TIE_FACTORS)]}' for k, s in enumerate(scope.sources)
        )
        shuffle = sqlglot.parse_one(f"(({term}) + {self.tie_seed}) % {_TIE_MODULUS}", dialect="sqlite")
        for literal in shuffle.find_all(exp.Literal):  # positions in this text, not the query's
            literal.meta.pop("start", None)
        seed = shuffle.this.this.expression  # Mod(Paren(Add(Paren(term), seed)), modulus)
        if isinstance(seed, exp.Literal) and seed.this == str(self.tie_seed):
            seed.meta[_SLOT] = (_TIE,)
        node.args["order"].expressions.append(exp.Ordered(this=shuffle, nulls_first=True))

    def _source(self, node: exp.Expression, scope: Scope) -> None:
        if isinstance(node, exp.Table):
            name = node.name.lower()
            if node.args.get("db") or name not in schema.TABLES:
                written = ".".join(part.name for part in node.parts)
                raise SuiteQLError(PREFIX + f"Invalid search type: {written}.")
            if name in self.settings.denied:
                raise SuiteQLError(PREFIX + f"Search error occurred: Record '{name}' was not found.")
            alias = (node.alias or name).lower()
            node.set("this", exp.to_identifier(name, quoted=True))
            if node.alias:
                node.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
            hidden = self.settings.denied_columns
            columns = {c: k for c, k in schema.TABLES[name].items() if f"{name}.{c}" not in hidden}
            scope.sources.append(Source(alias, name, columns))
        elif isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
            inner = self.select(node.this, scope.parent)
            alias = (node.alias or "").lower()
            if alias:
                node.set("alias", exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))
            scope.sources.append(Source(alias, None, {c.name: c.kind for c in inner}))
        else:
            raise unsupported()
        if [s.alias for s in scope.sources].count(scope.sources[-1].alias) > 1:
            raise unsupported()

    def _expand_stars(self, projections: list[exp.Expr], scope: Scope) -> Iterator[exp.Expr]:
        for proj in projections:
            if isinstance(proj, exp.Star):
                sources = scope.sources
            elif isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star):
                sources = [s for s in scope.sources if s.alias == proj.table.lower()]
                if not sources:
                    raise self._unknown(proj.sql(dialect=SuiteQL), scope)
            else:
                yield proj
                continue
            for source in sources:
                for name in source.columns:
                    yield exp.column(name, table=source.alias or None)

    # -- ROWNUM ---------------------------------------------------------------------------
    def _take_rownum_limit(self, node: exp.Select) -> int | None:
        """Remove `ROWNUM <= n` / `ROWNUM < n` conjuncts from WHERE; return the row limit."""
        where = node.args.get("where")
        if where is None:
            return None
        limit: int | None = None
        kept: list[exp.Expr] = []
        for cond in where.this.flatten() if isinstance(where.this, exp.And) else [where.this]:
            n = _rownum_bound(cond)
            if n is None:
                kept.append(cond)
            else:
                limit = n if limit is None else min(limit, n)
        if limit is not None:
            node.set("where", exp.Where(this=exp.and_(*kept)) if kept else None)
        return limit

    def _apply_rownum_limit(self, node: exp.Select, scope: Scope, limit: int) -> None:
        """ROWNUM counts rows before ORDER BY and grouping: limit the rows the query reads."""
        if not (
            node.args.get("order") or node.args.get("group") or node.args.get("distinct") or node.find(*_AGGREGATES)
        ):
            node.set("limit", exp.Limit(expression=exp.Literal.number(limit)))
            return
        if node.args.get("joins") or len(scope.sources) != 1:
            raise unsupported()  # ROWNUM with ORDER BY over a join: not emulated
        source = node.args[_FROM].this
        inner = exp.select("*").from_(source.copy()).limit(limit)
        if node.args.get("where") is not None:
            inner.set("where", node.args["where"])
            node.set("where", None)
        alias = scope.sources[0].alias
        node.set(
            _FROM,
            exp.From(this=exp.Subquery(this=inner, alias=exp.TableAlias(this=exp.to_identifier(alias, quoted=True)))),
        )

    # -- expressions ----------------------------------------------------------------------
    def expr(self, node: exp.Expr, scope: Scope) -> tuple[exp.Expr, str]:
        """Resolve and rewrite an expression tree; return the new node and its kind."""
        if isinstance(node, exp.Select):
            columns = self.select(node, scope)
            return node, columns[0].kind if len(columns) == 1 else OTHER
        if isinstance(node, exp.Column):
            return self._column(node, scope)
        if isinstance(node, exp.Dot):
            return self._builtin(node, scope)
        if isinstance(node, exp.Func) and not isinstance(node, (exp.Anonymous, *_ALLOWED)):
            raise unsupported()  # date and timestamp literals ([doc]: use TO_DATE) come here too
        if isinstance(node, exp.In) and len(node.expressions) > MAX_IN_LIST:
            raise unsupported()  # more than 1,000 values in one IN list [doc]
        kinds = self._children(node, scope)
        if isinstance(node, exp.Add) and any(
            k == schema.STRING or (isinstance(c, exp.Literal) and c.is_string)
            for k, c in zip(kinds, (node.this, node.expression), strict=False)
        ):
            raise unsupported()  # `+` does not join strings: use || [doc]
        if isinstance(node, exp.Anonymous):
            return self._function(node, kinds)
        if isinstance(node, exp.Ordered):  # inside OVER (ORDER BY ...); a query's own is in select
            _native_nulls_order(node)
        if isinstance(node, (exp.CurrentTimestamp, exp.CurrentDate)):
            now = exp.Literal.number(self.now)
            now.meta[_SLOT] = (_NOW,)
            return now, schema.DATETIME  # SYSDATE: evaluated once
        if isinstance(node, (exp.Coalesce, exp.Min, exp.Max, exp.Paren, exp.Subquery)):
            return node, next((k for k in kinds if k != OTHER), OTHER)
        if isinstance(node, exp.Case):
            ifs = node.args.get("ifs") or []
            outcomes = [i.args.get("true") for i in ifs] + [node.args.get("default")]
            return node, next(
                (o.meta["kind"] for o in outcomes if o is not None and o.meta.get("kind", OTHER) != OTHER), OTHER
            )
        return node, OTHER

    def _children(self, node: exp.Expr, scope: Scope) -> list[str]:
        kinds = []
        for key, value in list(node.args.items()):
            if isinstance(value, exp.Expression):
                new, kind = self.expr(value, scope)
                new.meta["kind"] = kind
                node.set(key, new)
                kinds.append(kind)
            elif isinstance(value, list):
                pairs = [self.expr(v, scope) if isinstance(v, exp.Expression) else (v, OTHER) for v in value]
                for new, kind in pairs:
                    if isinstance(new, exp.Expression):
                        new.meta["kind"] = kind
                node.set(key, [new for new, _ in pairs])
                kinds += [kind for _, kind in pairs]
        return kinds

    def _column(self, node: exp.Column, scope: Scope) -> tuple[exp.Expression, str]:
        name = node.name.lower()
        qualifier = node.table.lower()
        if isinstance(node.this, exp.Star) or node.args.get("join_mark"):
            raise unsupported()  # Oracle's (+) outer join is refused [doc]
        if not qualifier and name == "rownum":
            # ROWNUM in a select list: the row's number before ORDER BY.
            return exp.Window(this=exp.RowNumber()), schema.INTEGER
        current: Scope | None = scope
        while current is not None:
            hits = [s for s in current.sources if (not qualifier or s.alias == qualifier) and name in s.columns]
            if len(hits) > 1:
                raise unsupported()  # ambiguous column
            if hits:
                source = hits[0]
                new = exp.column(name, table=source.alias or None, quoted=True)
                new.meta.update(kind=source.columns[name], table=source.table, name=name, alias=source.alias)
                return new, source.columns[name]
            current = current.parent
        raise self._unknown(node.sql(dialect=SuiteQL), scope)

    @staticmethod
    def _unknown(identifier: str, scope: Scope) -> SuiteQLError:
        return SuiteQLError(
            PREFIX + f"Search error occurred: Unknown identifier '{identifier}'. "
            f"Available identifiers are: {scope.describe()}."
        )

    def _builtin(self, node: exp.Dot, scope: Scope) -> tuple[exp.Expression, str]:
        """BUILTIN.DF(column) (display text) and BUILTIN.CF(column) (criteria form)."""
        fn = node.expression
        if not (
            isinstance(node.this, exp.Identifier)
            and node.this.name.upper() == "BUILTIN"
            and isinstance(fn, exp.Anonymous)
            and fn.name.upper() in ("DF", "CF")
            and len(fn.expressions) == 1
            and isinstance(fn.expressions[0], exp.Column)
        ):
            raise unsupported()
        col, kind = self._column(fn.expressions[0], scope)
        key = (col.meta.get("table"), col.meta.get("name"))
        type_col = exp.column("type", table=col.meta.get("alias") or None, quoted=True)
        if fn.name.upper() == "CF":
            if key == ("transaction", "status"):
                return exp.DPipe(
                    this=type_col, expression=exp.DPipe(this=exp.Literal.string(":"), expression=col)
                ), OTHER
            return col, kind
        target = schema.reference_of(*key)
        if target is not None:
            declared = tables.BY_NAME[target]
            shown = declared.display or declared.key[0]
            # The lookup's own alias keeps `customer.parent` pointing at the outer row.
            lookup = (
                exp.select(exp.column(shown, table="ns_ref", quoted=True))
                .from_(exp.to_table(target, alias="ns_ref", quoted=True))
                .where(exp.column(declared.key[0], table="ns_ref", quoted=True).eq(col))
            )
            return exp.Subquery(this=lookup), OTHER
        if key in schema.DISPLAY_LOOKUP:
            texts = schema.DISPLAY_LOOKUP[key]
            code = (
                exp.DPipe(this=type_col, expression=exp.DPipe(this=exp.Literal.string(":"), expression=col))
                if texts == "status"
                else col
            )
            return exp.Anonymous(this="ns_display", expressions=[exp.Literal.string(texts), code]), OTHER
        return col, kind  # a plain field's display text is its value

    def _function(self, node: exp.Anonymous, kinds: list[str]) -> tuple[exp.Expression, str]:
        name, args = node.name.upper(), node.expressions
        if name == "NVL" and len(args) == 2:
            return exp.Coalesce(this=args[0], expressions=[args[1]]), next((k for k in kinds if k != OTHER), OTHER)
        if name == "TO_CHAR" and len(args) in (1, 2):
            fmt = args[1] if len(args) == 2 else exp.Null()
            temporal = kinds[0] in schema.TEMPORAL
            if temporal and isinstance(fmt, exp.Literal):
                self._pin(fmt)
                self._check_format(fmt.this)
                column = args[0]
                stored = (
                    column.meta.get("table")
                    and schema.rendered_column(column.meta["table"], column.meta["name"], kinds[0], fmt.this)
                    if isinstance(column, exp.Column)
                    else None
                )
                if stored:  # a table's own column: its rendering is stored (schema.RENDERED)
                    rendering = exp.column(stored, table=column.meta["alias"] or None, quoted=True)
                    rendering.meta.update(column.meta)  # NULL exactly when the column is
                    return rendering, OTHER
            fn = "ns_to_char_dt" if temporal else "ns_to_char_num"
            return exp.Anonymous(this=fn, expressions=[args[0], fmt]), OTHER
        if name in ("TO_DATE", "TO_TIMESTAMP") and len(args) in (1, 2):
            kind = schema.DATE if name == "TO_DATE" else schema.DATETIME
            if len(args) == 1:
                args = [args[0], exp.Literal.string(formats.user_format_as_oracle(self.settings.date_format))]
            if all(isinstance(a, exp.Literal) and a.is_string for a in args):
                self._pin(args[1])
                try:  # a literal is read once, so an index on the column can serve the filter
                    epoch = formats.parse_local(args[0].this, args[1].this, self.settings.tz)
                except formats.FormatError:
                    raise unsupported() from None
                literal = exp.Literal.number(_epoch_number(epoch))
                literal.meta[_SLOT] = (_EPOCH, args[0].meta.get("start"), args[1].this)
                return literal, kind
            return exp.Anonymous(this="ns_to_timestamp", expressions=args), kind
        if name == "TRUNC" and len(args) in (1, 2):
            if kinds[0] in schema.TEMPORAL:
                unit = args[1] if len(args) == 2 else exp.Literal.string("DD")
                return exp.Anonymous(this="ns_trunc_dt", expressions=[args[0], unit]), schema.DATE
            if len(args) == 1:  # to a whole number, toward zero: SQLite's own cast, no callback
                return exp.Cast(this=args[0], to=exp.DataType.build("BIGINT")), OTHER
            return exp.Anonymous(this="ns_trunc_num", expressions=[args[0], args[1]]), OTHER
        raise unsupported()

    @staticmethod
    def _check_format(fmt: str) -> None:
        try:
            formats.oracle_tokens(fmt)
        except formats.FormatError:
            raise unsupported() from None


def _read_stored_text(projection: exp.Expr) -> str:
    """Point a top-level projection of a table's own decimal column at its stored text
    (schema.NUMBER_TEXT; ORDER BY has taken the number itself by now); return how the
    column's values reach the item (Column.form)."""
    if not isinstance(projection, exp.Alias):
        return "any"
    node = projection.this
    table, name = node.meta.get("table"), node.meta.get("name")
    if not isinstance(node, exp.Column) or table not in schema.TABLES:
        return "any"
    if node.name != name:  # a stored TO_CHAR rendering
        return "text"
    kind = schema.TABLES[table].get(name)
    if kind in (schema.STRING, schema.BOOLEAN):  # TEXT columns
        return "text"
    if kind == schema.DECIMAL and name in tables.BY_NAME[table].stored_renderings:
        stored = exp.column(name + schema.NUMBER_TEXT, table=node.meta["alias"] or None, quoted=True)
        stored.meta.update(node.meta)
        projection.set("this", stored)
        return "number"
    return "any"


def _native_nulls_order(ordered: exp.Ordered) -> None:
    """Oracle puts NULLs last when ascending; a column that is never NULL needs no NULLS clause,
    and without one SQLite can read the order straight from an index."""
    col = ordered.this
    if isinstance(col, exp.Column) and col.meta.get("name") in schema.REQUIRED.get(str(col.meta.get("table")), ()):
        ordered.set("nulls_first", not ordered.args.get("desc"))


def _rownum_name(node: exp.Expression | None) -> bool:
    return isinstance(node, exp.Column) and not node.table and node.name.lower() == "rownum"


def _rownum_bound(cond: exp.Expr) -> int | None:
    """n for `ROWNUM <= n`, n-1 for `ROWNUM < n` (either side), 1 for `ROWNUM = 1`."""
    if isinstance(cond, exp.EQ) and (_rownum_name(cond.this) or _rownum_name(cond.expression)):
        other = cond.expression if _rownum_name(cond.this) else cond.this
        if isinstance(other, exp.Literal) and other.this == "1":
            return 1
    ops = {exp.LTE: 0, exp.LT: -1, exp.GTE: 0, exp.GT: -1}
    for op, delta in ops.items():
        if type(cond) is not op:
            continue
        left, right = cond.this, cond.expression
        if op in (exp.GTE, exp.GT):
            left, right = right, left
        if _rownum_name(left) and isinstance(right, exp.Literal) and not right.is_string:
            return max(0, int(right.this) + delta)
    return None
