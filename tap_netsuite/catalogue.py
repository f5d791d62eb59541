"""The tables the tap reads, as data: adding a table is one entry here.

Each entry says which SuiteQL table a stream reads, with which filter, key and replication
column (or none: the table is read whole every run), which role permission reading it needs,
which custom fields join its columns (by script-id prefix), and under which record type
NetSuite's `deletedrecord` lists its deletions. The stream classes (`streams.STREAM_CLASSES`),
discovery (`discovery.py`), the permission hints (`hints.permission_hint`) and the README's
streams table (`python -m tap_netsuite.catalogue`) are all made from it.

Columns are written `name:kind`, the kinds being i integer, s string, b boolean, n exact
decimal, d date, t date-time (UTC); an entry without columns has its JSON Schema in
`schemas/<stream>.json` (the streams the tap had before the whole account was read).
"""

from __future__ import annotations

import dataclasses
import fnmatch

KINDS = {"i": "integer", "s": "string", "b": "boolean", "n": "number", "d": "date", "t": "date-time"}


@dataclasses.dataclass(frozen=True)
class Table:
    """One stream read from one SuiteQL table: incrementally by keyset on (replication key,
    tiebreak) when it has a replication key, else whole, by keyset on its primary key."""

    stream: str  # the stream's name
    table: str  # the SuiteQL table
    permission: str  # what the token's role needs to read it (Setup > Users/Roles > Manage Roles)
    where: str | None = None  # which of the table's rows are the stream's
    primary_keys: tuple[str, ...] = ("id",)
    replication_key: str | None = "lastmodifieddate"  # None: read whole every run (ACTIVATE_VERSION)
    tiebreak: str = "id"  # an integer column unique within one query (incremental tables)
    # The record type `deletedrecord` names this stream's deleted rows by; None: deletions not read.
    deleted_as: str | None = None
    # True for `deletedrecord` itself: read as one partition per `deleted_as` of the other tables.
    per_deleted_type: bool = False
    columns: str = ""  # "name:kind ..." (see KINDS); "" : schemas/<stream>.json
    custom: str = ""  # the script-id prefix of the custom fields that are columns of its rows
    # Selected in a run without a catalog: the streams the tap read before it read the whole
    # account, so such runs read what they did; any other is read once a catalog selects it.
    selected_by_default: bool = False

    @property
    def incremental(self) -> bool:
        return self.replication_key is not None

    def column_kinds(self) -> dict[str, str]:
        """Each declared column and its kind (a KINDS value); {} when the schema is a file."""
        return {name: KINDS[kind] for name, _, kind in (part.partition(":") for part in self.columns.split())}


def _table(
    name: str,
    permission: str,
    columns: str,
    *,
    key: tuple[str, ...] = ("id",),
    replication: str | None = None,
    custom: str = "",
) -> Table:
    """A table read as it is, under its own name."""
    return Table(
        stream=name,
        table=name,
        permission=permission,
        primary_keys=key,
        replication_key=replication,
        columns=columns,
        custom=custom,
    )


TABLES: tuple[Table, ...] = (
    Table(
        stream="customer",
        selected_by_default=True,
        table="customer",
        permission="Lists > Customers (View)",
        deleted_as="customer",
        custom="custentity",
    ),
    Table(
        stream="invoice",
        selected_by_default=True,
        table="transaction",
        where="type = 'CustInvc'",
        permission="Transactions > Invoice (View) and Find Transaction",
        deleted_as="invoice",
        custom="custbody",
    ),
    Table(
        stream="deleted_record",
        selected_by_default=True,
        table="deletedrecord",
        permission="Lists > Deleted Records (View)",
        primary_keys=("type", "recordid"),
        replication_key="deleteddate",
        tiebreak="recordid",
        per_deleted_type=True,
    ),
    _table(
        "currency",
        "Lists > Currency (View)",
        "id:i name:s symbol:s isbasecurrency:b exchangerate:n currencyprecision:i isinactive:b",
    ),
    _table("fiscalcalendar", "Setup > Manage Accounting Periods (View)", "id:i name:s fiscalmonth:s isdefault:b"),
    _table(
        "subsidiary",
        "Lists > Subsidiaries (View)",
        (
            "id:i name:s fullname:s parent:i currency:i country:s fiscalcalendar:i iselimination:b "
            "isinactive:b lastmodifieddate:t"
        ),
        replication="lastmodifieddate",
    ),
    _table(
        "accountingperiod",
        "Setup > Manage Accounting Periods (View)",
        "id:i periodname:s startdate:d enddate:d parent:i isyear:b isquarter:b isadjust:b isposting:b closed:b",
    ),
    _table(
        "accountingperiodfiscalcalendars",
        "Setup > Manage Accounting Periods (View)",
        "accountingperiod:i fiscalcalendar:i parent:i",
        key=("accountingperiod", "fiscalcalendar"),
    ),
    _table(
        "accountingbook",
        "Setup > Accounting Books (View)",
        "id:i name:s isprimary:b isadjustmentonly:b status:s effectiveperiod:i",
    ),
    _table(
        "accountingbooksubsidiaries",
        "Setup > Accounting Books (View)",
        "accountingbook:i subsidiary:i status:s",
        key=("accountingbook", "subsidiary"),
    ),
    _table(
        "consolidatedexchangerate",
        "Lists > Currency Exchange Rates (View)",
        (
            "id:i postingperiod:i fromsubsidiary:i tosubsidiary:i fromcurrency:i tocurrency:i "
            "accountingbook:i averagerate:n currentrate:n historicalrate:n"
        ),
    ),
    _table("accounttype", "Lists > Accounts (View)", "id:s longname:s balancesheet:b left:b"),
    _table(
        "account",
        "Lists > Accounts (View)",
        (
            "id:i acctnumber:s accountsearchdisplayname:s fullname:s accttype:s parent:i subsidiary:i "
            "currency:i description:s issummary:b isinactive:b lastmodifieddate:t"
        ),
        replication="lastmodifieddate",
    ),
    _table("department", "Lists > Departments (View)", "id:i name:s fullname:s parent:i subsidiary:i isinactive:b"),
    _table("classification", "Lists > Classes (View)", "id:i name:s fullname:s parent:i subsidiary:i isinactive:b"),
    _table(
        "locationmainaddress",
        "Lists > Locations (View)",
        "nkey:i addressee:s addr1:s city:s state:s zip:s country:s",
        key=("nkey",),
    ),
    _table(
        "location",
        "Lists > Locations (View)",
        "id:i name:s fullname:s parent:i subsidiary:i mainaddress:i isinactive:b",
    ),
    _table("term", "Setup > Accounting Lists (View)", "id:i name:s daysuntilnetdue:i discountpercent:n isinactive:b"),
    _table(
        "transactionstatus",
        "Transactions > Find Transaction",
        "id:s trantype:s name:s fullname:s",
        key=("trantype", "id"),
    ),
    _table("vendorcategory", "Setup > Accounting Lists (View)", "id:i name:s istaxagency:b isinactive:b"),
    _table(
        "vendor",
        "Lists > Vendors (View)",
        (
            "id:i entityid:s companyname:s email:s phone:s isperson:b isinactive:b datecreated:t "
            "lastmodifieddate:t subsidiary:i currency:i terms:i category:i is1099eligible:b externalid:s "
            "defaultbillingaddress:i"
        ),
        replication="lastmodifieddate",
        custom="custentity",
    ),
    _table(
        "employee",
        "Lists > Employees (View)",
        (
            "id:i entityid:s firstname:s lastname:s email:s phone:s title:s supervisor:i department:i "
            "location:i subsidiary:i hiredate:d issalesrep:b isinactive:b datecreated:t lastmodifieddate:t"
        ),
        replication="lastmodifieddate",
        custom="custentity",
    ),
    _table(
        "partner",
        "Lists > Partners (View)",
        "id:i entityid:s companyname:s email:s subsidiary:i isinactive:b datecreated:t lastmodifieddate:t",
        replication="lastmodifieddate",
        custom="custentity",
    ),
    _table(
        "contact",
        "Lists > Contacts (View)",
        (
            "id:i entityid:s firstname:s lastname:s email:s phone:s company:i subsidiary:i isinactive:b "
            "datecreated:t lastmodifieddate:t"
        ),
        replication="lastmodifieddate",
        custom="custentity",
    ),
    _table(
        "job",
        "Lists > Projects (View)",
        (
            "id:i entityid:s companyname:s customer:i startdate:d projectedenddate:d subsidiary:i "
            "isinactive:b datecreated:t lastmodifieddate:t"
        ),
        replication="lastmodifieddate",
        custom="custentity",
    ),
    _table(
        "entity",
        "Lists > Customers, Vendors, Employees, Partners and Contacts (View)",
        "id:i entityid:s altname:s type:s email:s phone:s subsidiary:i isinactive:b datecreated:t lastmodifieddate:t",
        replication="lastmodifieddate",
        custom="custentity",
    ),
    _table(
        "entityaddress",
        "Lists > Customers and Vendors (View)",
        "nkey:i recordowner:i addressee:s attention:s addr1:s addr2:s city:s state:s zip:s country:s addrphone:s",
        key=("nkey",),
    ),
    _table(
        "customersubsidiaryrelationship",
        "Lists > Customers (View)",
        "id:i entity:i subsidiary:i isprimarysub:b currency:i",
    ),
    _table(
        "item",
        "Lists > Items (View)",
        (
            "id:i itemid:s displayname:s description:s itemtype:s subsidiary:i baseprice:n cost:n "
            "incomeaccount:i expenseaccount:i assetaccount:i isinactive:b createddate:t lastmodifieddate:t"
        ),
        replication="lastmodifieddate",
        custom="custitem",
    ),
    _table(
        "transaction",
        "Transactions > Find Transaction, and View on each transaction type",
        (
            "id:i tranid:s type:s recordtype:s entity:i trandate:d duedate:d createddate:t "
            "lastmodifieddate:t status:s foreigntotal:n foreignamountpaid:n foreignamountunpaid:n currency:i "
            "exchangerate:n memo:s terms:i subsidiary:i postingperiod:i externalid:s otherrefnum:s "
            "shipdate:d taxtotal:n posting:b voided:b department:i class:i location:i employee:i"
        ),
        replication="lastmodifieddate",
        custom="custbody",
    ),
)

# Streams read otherwise than from a table, as the README's streams table lists them.
OTHER_STREAMS = (
    (
        "open_invoice_aging",
        "the open-invoices RESTlet of `suitescripts/` (when its ids are set)",
        "`as_of`, `id`",
        "none: a full snapshot per day",
        "a role that can run the RESTlet's deployment",
    ),
)

# Tables no stream reads but the tap's SuiteScripts do, and the permission each needs.
OTHER_PERMISSIONS = {
    "transactionline": "Transactions > Invoice (View) and Find Transaction",
}

# Columns that exist only when the account has a feature (Setup > Company > Enable Features).
FEATURES = {
    "subsidiary": "NetSuite OneWorld (subsidiaries); on other accounts deselect the column",
}


def deleted_types() -> tuple[str, ...]:
    """The record types whose deletions `deleted_record` reads: one per table that has one."""
    return tuple(table.deleted_as for table in TABLES if table.deleted_as)


def permission_for(table_name: str) -> str | None:
    """The permission a role needs to read a SuiteQL table (any case), or None when not catalogued."""
    name = table_name.lower()
    needed = dict.fromkeys(table.permission for table in TABLES if table.table == name)
    return "; ".join(needed) or OTHER_PERMISSIONS.get(name)


# Custom record types (one table each, named by the type's script id in lower case) and custom
# lists: the columns every one has; their custom fields (custrecord_*) are found by discovery.
CUSTOM_RECORD_COLUMNS = "id:i name:s isinactive:b created:t lastmodified:t owner:i externalid:s"
CUSTOM_LIST_COLUMNS = "id:i name:s isinactive:b"


def custom_record(scriptid: str) -> Table:
    """The stream of a custom record type: replicated on `lastmodified`, as custom record tables are."""
    name = scriptid.lower()
    return Table(
        stream=name,
        table=name,
        permission=f"Lists > Custom Record Entries, or the {name} record type's own access (View)",
        replication_key="lastmodified",
        columns=CUSTOM_RECORD_COLUMNS,
        custom="custrecord",
    )


def custom_list(scriptid: str) -> Table:
    """The stream of a custom list: read whole every run (it has no modification date)."""
    name = scriptid.lower()
    return Table(
        stream=name,
        table=name,
        permission="Setup > Custom Lists (View)",
        replication_key=None,
        columns=CUSTOM_LIST_COLUMNS,
    )


def entry_for(stream: str) -> Table | None:
    """The catalogue entry of a stream name: catalogued, or a custom record type or list."""
    for table in TABLES:
        if table.stream == stream:
            return table
    if stream.startswith("customrecord"):
        return custom_record(stream)
    if stream.startswith("customlist"):
        return custom_list(stream)
    return None


def allowed(name: str, patterns: list[str] | None) -> bool:
    """Whether the `tables` setting lets discovery look at a table or stream (all when unset)."""
    return not patterns or any(fnmatch.fnmatchcase(name.lower(), pattern.lower()) for pattern in patterns)


def readme_streams_table() -> str:
    """The README's streams table, in markdown."""
    lines = [
        "| stream | SuiteQL source | key | replication | permission |",
        "|---|---|---|---|---|",
    ]
    for table in TABLES:
        source = f"`{table.table}`"
        if table.where:
            source += f" where `{table.where}`"
        if table.per_deleted_type:
            source += ", one partition per record type: " + ", ".join(f"`{kind}`" for kind in deleted_types())
        keys = ", ".join(f"`{key}`" for key in table.primary_keys)
        replication = f"`{table.replication_key}`" if table.replication_key else "none: read whole (ACTIVATE_VERSION)"
        lines.append(f"| `{table.stream}` | {source} | {keys} | {replication} | {table.permission} |")
    lines.append(
        "| `customrecord_*` | each custom record type of `customrecordtype` | `id` | `lastmodified` | "
        + custom_record("customrecord_x").permission.replace("customrecord_x", "custom")
        + " |"
    )
    lines.append(
        f"| `customlist_*` | each custom list | `id` | none: read whole (ACTIVATE_VERSION) | "
        f"{custom_list('x').permission} |"
    )
    lines.append(
        "| custom queries | each entry of the `custom_queries` setting | its `primary_keys` | "
        "its `replication_key`, or none | the permissions of the tables it reads |"
    )
    lines.extend(
        f"| `{stream}` | {source} | {keys} | {replication} | {permission} |"
        for stream, source, keys, replication, permission in OTHER_STREAMS
    )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(readme_streams_table(), end="")  # noqa: T201 - the command's output is the table
