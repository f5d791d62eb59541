"""Record API writes (docs/netsuite.md §9) for customer and invoice: create, update, upsert, delete.

- ``POST /services/rest/record/v1/{type}``: create; 204 No Content with the new record's URL in
  ``Location`` [doc]. ``id`` and computed fields are read-only [doc].
- ``PATCH /services/rest/record/v1/{type}/{id}``: the given fields set; 204 [doc].
- ``PUT /services/rest/record/v1/{type}/eid:{external id}``: upsert by external id [doc]: the
  record with that external id gets the given fields, or is created with them; 204 with
  ``Location`` [unsure: the help shows the operation, not its answer headers]. PUT on an
  internal id is not documented: 405 [unsure].
- ``DELETE /services/rest/record/v1/{type}/{id}``: 204 [doc]; the record lands in `deletedrecord`.
- ``X-NetSuite-Idempotency-Key`` on POST: documented with ``Prefer: respond-async``, where a
  repeated key answers 400 ``IDEMPOTENCY_ERROR`` with a ``Location`` of the earlier job [doc]. Its
  effect on synchronous requests is [unsure]; here a repeated key answers that error with the
  ``Location`` of the record the first request created, and creates nothing.

Every write goes through the same `Mutator` functions as the ``/_emulator/insert|update|delete``
controls, so it moves ``lastmodifieddate`` and shows in SuiteQL and `deletedrecord` as any change.

Errors take §4's shape; a field at fault is named in ``o:errorPath`` [doc]. Wording follows the
help's example ("Error while accessing resource: You have entered an Invalid Field Value ...",
``INVALID_CONTENT``) where one exists; the texts for a missing mandatory field ("Please enter
value(s) for: ...", ``USER_ERROR``), an unknown or read-only field and a body that is not a JSON
object are [unsure].
"""

from __future__ import annotations

import json
import re
import threading
import typing as t
from datetime import date
from urllib.parse import unquote

from . import records, responses, schema
from .responses import Reply

if t.TYPE_CHECKING:
    from .server import State

METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})
IDEMPOTENCY_HEADER = "X-NetSuite-Idempotency-Key"
RECORD_PATH = "/services/rest/record/v1/"

# Fields the record API computes or assigns: never written by a request.
READ_ONLY = frozenset(
    {
        "id",
        "datecreated",
        "createddate",
        "lastmodifieddate",
        "status",
        "foreigntotal",
        "foreignamountpaid",
        "foreignamountunpaid",
    }
)
# Mandatory fields on create, with the label NetSuite's message names them by.
MANDATORY = {"customer": {"companyname": "Company Name"}, "invoice": {"entity": "Customer"}}
# Which transactions a record type is (the Mutator's `type`).
TRANSACTION_TYPE = {"invoice": "CustInvc"}
# References a write may set that name a record of another type: (type, column) -> that type.
# A reference to a record that does not exist is a 400 naming the field (the help's example).
RECORD_REFERENCES = {("invoice", "entity"): "customer", ("customer", "parent"): "customer"}

_COLLECTION = re.compile(r"/services/rest/record/v1/([a-z]+)")
_INSTANCE = re.compile(r"/services/rest/record/v1/([a-z]+)/(\d+|eid:[^/]+)")


class WriteError(Exception):
    """A request NetSuite refuses: the §4 error it answers."""

    def __init__(self, status: int, detail: str, code: str, path: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.code, self.path = status, detail, code, path

    def reply(self) -> Reply:
        body = responses.error_body(self.status, self.detail, self.code)
        if self.path is not None:
            body["o:errorDetails"][0]["o:errorPath"] = self.path
        return Reply(self.status, responses.ERROR, responses.netsuite_json(body))


class _IdempotencyKeys:
    """Keys of the POSTs that created a record, and that record's URL path."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._created: dict[str, str] = {}

    def create_once(self, key: str, create: t.Callable[[], str]) -> tuple[str, bool]:
        """(the record's path, whether this call created it): `create` runs only for a key not seen
        before; concurrent requests with one key create one record."""
        with self._lock:
            if key in self._created:
                return self._created[key], False
            self._created[key] = create()
            return self._created[key], True


_KEYS = _IdempotencyKeys()  # one emulator process serves one account


def handle(state: State, method: str, path: str, body: bytes, origin: str, idempotency_key: str | None = None) -> Reply:
    """Answer one record-API write; `origin` is ``http://host:port``, for ``Location``."""
    try:
        return _dispatch(state, method, path, body, origin, idempotency_key)
    except WriteError as refused:
        return refused.reply()


def _dispatch(state: State, method: str, path: str, body: bytes, origin: str, idempotency_key: str | None) -> Reply:
    collection, instance = _COLLECTION.fullmatch(path), _INSTANCE.fullmatch(path)
    matched = collection or instance
    kind = matched.group(1) if matched else None
    if kind not in MANDATORY:
        raise WriteError(404, f"The requested path {path} does not exist.", "NONEXISTENT_ID")
    if method == "POST" and collection:
        return _post(state, kind, body, origin, idempotency_key)
    if instance is None or method == "POST":
        raise WriteError(405, f"{method} is not allowed on {path}.", "INVALID_METHOD")
    return _on_instance(state, method, kind, instance.group(2), body, origin)


def _post(state: State, kind: str, body: bytes, origin: str, idempotency_key: str | None) -> Reply:
    def create() -> str:
        return _record_path(kind, _create(state, kind, _fields(state, kind, body)))

    if not idempotency_key:
        return _created(origin, create())
    path, created = _KEYS.create_once(idempotency_key, create)
    return _created(origin, path) if created else _idempotency_error(origin + path)


def _on_instance(state: State, method: str, kind: str, target: str, body: bytes, origin: str) -> Reply:
    """PUT (upsert by external id), PATCH or DELETE of one record, named by internal or external id."""
    external_id = unquote(target[4:]) if target.startswith("eid:") else None  # the path arrives percent-encoded
    if method == "PUT":
        if external_id is None:
            raise WriteError(405, "PUT upserts by external id: use /{type}/eid:{externalId}.", "INVALID_METHOD")
        return _upsert(state, kind, external_id, _fields(state, kind, body), origin)
    rid = int(target) if external_id is None else (_by_external_id(state, kind, external_id) or 0)
    if method == "PATCH":
        changed = state.mutator.update({**_selector(kind, rid), "set": _fields(state, kind, body)})
    else:
        changed = state.mutator.delete(_selector(kind, rid))
    if not changed:
        raise WriteError(
            404, "The record instance does not exist. Provide a valid record instance ID.", "NONEXISTENT_ID"
        )
    return Reply(204, responses.JSON, b"")


def _record_path(kind: str, rid: int) -> str:
    return f"{RECORD_PATH}{kind}/{rid}"


def _created(origin: str, path: str) -> Reply:
    """204 with the record's URL in ``Location``."""
    return Reply(204, responses.JSON, b"", headers={"Location": origin + path})


def _idempotency_error(location: str) -> Reply:
    refused = WriteError(
        400,
        'A request with the same idempotency key is already submitted. See the "Location" header '
        "for a link to the previously submitted request.",
        "IDEMPOTENCY_ERROR",
    ).reply()
    refused.headers["Location"] = location
    return refused


def _selector(kind: str, rid: int) -> dict:
    """The Mutator request naming one record of this type (an invoice is a transaction of type CustInvc)."""
    table = records.RECORDS[kind][0]
    selector: dict = {"table": table, "ids": [rid]}
    if kind in TRANSACTION_TYPE:
        selector["type"] = TRANSACTION_TYPE[kind]
    return selector


def _create(state: State, kind: str, fields: dict) -> int:
    for column, label in MANDATORY[kind].items():
        if fields.get(column) in (None, ""):
            raise WriteError(
                400,
                f"Error while accessing a resource. Please enter value(s) for: {label}.",
                "USER_ERROR",
                _camel(kind, column),
            )
    request: dict = {"table": records.RECORDS[kind][0], "rows": [fields]}
    if kind in TRANSACTION_TYPE:
        request["type"] = TRANSACTION_TYPE[kind]
    try:
        [rid] = state.mutator.insert(request)
    except ValueError as exc:  # the Mutator's ControlError, e.g. an invoice while the account has no customer
        raise WriteError(400, f"Error while accessing a resource. {exc}", "USER_ERROR") from None
    return rid


def _upsert(state: State, kind: str, external_id: str, fields: dict, origin: str) -> Reply:
    fields = {**fields, "externalid": external_id}
    existing = _by_external_id(state, kind, external_id)
    if existing is None:
        return _created(origin, _record_path(kind, _create(state, kind, fields)))
    state.mutator.update({**_selector(kind, existing), "set": fields})
    return _created(origin, _record_path(kind, existing))


def _by_external_id(state: State, kind: str, external_id: str) -> int | None:
    table, where, _ = records.RECORDS[kind]
    with state.lock:
        found = state.conn.execute(
            f'SELECT id FROM "{table}" WHERE externalid = ? AND {where} ORDER BY id', (external_id,)
        ).fetchone()
    return found[0] if found else None


def _camel(kind: str, column: str) -> str:
    return records.RECORDS[kind][2][column]


def _fields(state: State, kind: str, body: bytes) -> dict:
    """The request body as the Mutator's canonical {column: value}, or the 400 NetSuite answers."""
    try:
        document = json.loads(body or b"{}")
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise WriteError(400, "Invalid request body: a JSON object is expected.", "INVALID_CONTENT")
    columns = {camel: column for column, camel in records.RECORDS[kind][2].items()}
    table = records.RECORDS[kind][0]
    fields = {}
    for name, value in document.items():
        column = columns.get(name)
        if column is None:
            raise WriteError(
                400, f"Error while accessing a resource. Invalid field name: {name}.", "INVALID_CONTENT", name
            )
        if column in READ_ONLY:
            raise WriteError(
                400, f"Error while accessing a resource. The field {name} is read-only.", "INVALID_CONTENT", name
            )
        fields[column] = _canonical(table, column, name, value)
    _check_references(state, kind, fields)
    return fields


def _reference(value: object) -> int | None:
    ref = value.get("id") if isinstance(value, dict) else None
    return int(str(ref)) if not isinstance(ref, bool) and re.fullmatch(r"[1-9][0-9]{0,14}", str(ref)) else None


def _date(value: object) -> str | None:
    try:
        return date.fromisoformat(str(value)).isoformat()
    except ValueError:
        return None


# Each column type's reading of a JSON value: the Mutator's canonical value, or None when invalid.
_READERS: dict[str, t.Callable[[object], object]] = {
    schema.INTEGER: _reference,  # every writable integer column is a reference, sent as {"id": "5"} [doc]
    schema.BOOLEAN: lambda value: value if isinstance(value, bool) else None,
    schema.DECIMAL: lambda value: value if isinstance(value, (int, float)) and not isinstance(value, bool) else None,
    schema.DATE: _date,
    schema.STRING: lambda value: value if isinstance(value, str) else None,
}


def _canonical(table: str, column: str, name: str, value: object) -> object:
    """One field's value as the Mutator takes it, or the 400 naming the field."""
    if value is None:
        return None
    canonical = _READERS[schema.TABLES[table][column]](value)
    if canonical is None:
        raise _invalid_value(value if isinstance(value, str) else json.dumps(value), name)
    return canonical


def _check_references(state: State, kind: str, fields: dict) -> None:
    """A reference to a record that does not exist is an invalid field value."""
    for column, value in fields.items():
        target = RECORD_REFERENCES.get((kind, column))
        if target is None or value is None:
            continue
        table, where, _ = records.RECORDS[target]
        with state.lock:
            found = state.conn.execute(f'SELECT 1 FROM "{table}" WHERE id = ? AND {where}', (value,)).fetchone()
        if found is None:
            raise _invalid_value(str(value), _camel(kind, column))


def _invalid_value(shown: str, name: str) -> WriteError:
    """The help's wording for a value a field does not take, the field in ``o:errorPath``."""
    return WriteError(
        400,
        f"Error while accessing resource: You have entered an Invalid Field Value {shown} "
        f"for the following field: {name}",
        "INVALID_CONTENT",
        name,
    )
