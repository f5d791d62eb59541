"""The emulated account's SuiteQL tables, declared as data: one `Table` entry per table.

A table is its columns and their kinds, its key, the column an incremental read filters on
(or none: read whole), how many rows it gets and which generator makes them, the record type
the record API and `deletedrecord` know it by, and the tables its columns point at. Custom
fields are declared once (`CUSTOM_FIELDS`) and join the columns of the tables they apply to.
Everything else (DDL, `SELECT *`, BUILTIN.DF, the control endpoints, the README's table list)
is derived from these entries. Facts are from docs/netsuite.md (§10: the whole account);
choices the documentation is silent on are in netsuite_emulator/README.md.

Column kinds (how a value is stored, rendered by SuiteQL, and given by `/_emulator/rows`):
- ``integer``: ids and references, SQLite INTEGER.
- ``string``: text, SQLite TEXT (also a multiple-select's comma-separated ids).
- ``boolean``: NetSuite checkboxes, the TEXT ``'T'`` / ``'F'`` that SuiteQL returns.
- ``decimal``: amounts, rates and percents, SQLite REAL with at most 6 places.
- ``date``: INTEGER epoch seconds of local midnight in the account time zone.
- ``datetime``: INTEGER epoch seconds (UTC).
"""

from __future__ import annotations

from dataclasses import dataclass, field

INTEGER, STRING, BOOLEAN, DECIMAL, DATE, DATETIME = ("integer", "string", "boolean", "decimal", "date", "datetime")
TEMPORAL = frozenset({DATE, DATETIME})
S, B, N, D, T = STRING, BOOLEAN, DECIMAL, DATE, DATETIME  # short forms for the entries below


@dataclass(frozen=True)
class CustomField:
    """One custom field: a column named by its script id on each table it applies to."""

    scriptid: str
    tables: tuple[str, ...]
    fieldtype: str  # customfield.fieldtype: BODY, COLUMN, ENTITY, ITEM, RECORD
    fieldvaluetype: str
    label: str
    references: str | None = None  # List/Record and Multiple Select: the table of the ids


# How each fieldvaluetype is stored and rendered (docs/netsuite.md §10). Percent and Time Of Day
# renderings are [unsure]: see README.
VALUE_KIND = {
    "Check Box": BOOLEAN,
    "Currency": DECIMAL,
    "Date": DATE,
    "Date/Time": DATETIME,
    "Decimal Number": DECIMAL,
    "Email Address": STRING,
    "Free-Form Text": STRING,
    "Hyperlink": STRING,
    "Integer Number": INTEGER,
    "List/Record": INTEGER,
    "Long Text": STRING,
    "Multiple Select": STRING,
    "Percent": DECIMAL,
    "Phone Number": STRING,
    "Text Area": STRING,
    "Time Of Day": STRING,
}

_ENTITY_TABLES = ("customer", "vendor", "employee")
CUSTOM_FIELDS: tuple[CustomField, ...] = (
    CustomField("custentity_region", ("customer",), "ENTITY", "Free-Form Text", "Sales Region"),
    CustomField("custentity_vip", ("customer",), "ENTITY", "Check Box", "VIP Customer"),
    CustomField("custentity_credit_review", ("customer",), "ENTITY", "Date", "Credit Review Date"),
    CustomField("custbody_approved", ("transaction",), "BODY", "Check Box", "Approved"),
    CustomField("custbody_project_code", ("transaction",), "BODY", "Free-Form Text", "Project Code"),
    CustomField("custbody_delivery_date", ("transaction",), "BODY", "Date", "Delivery Date"),
    CustomField("custbody_margin", ("transaction",), "BODY", "Decimal Number", "Margin"),
    CustomField("custbody_approved_at", ("transaction",), "BODY", "Date/Time", "Approved At"),
    CustomField(
        "custbody_sales_channel",
        ("transaction",),
        "BODY",
        "List/Record",
        "Sales Channel",
        "customlist_sales_channel",
    ),
    CustomField("custcol_cost_code", ("transactionline",), "COLUMN", "Free-Form Text", "Cost Code"),
    CustomField("custcol_discount_pct", ("transactionline",), "COLUMN", "Percent", "Line Discount"),
    CustomField("custentity_website", _ENTITY_TABLES, "ENTITY", "Hyperlink", "Website"),
    CustomField("custentity_billing_email", _ENTITY_TABLES, "ENTITY", "Email Address", "Billing Email"),
    CustomField("custentity_segment", ("customer", "vendor"), "ENTITY", "List/Record", "Segment", "customlist_segment"),
    CustomField(
        "custentity_industries", ("customer",), "ENTITY", "Multiple Select", "Industries", "customlist_segment"
    ),
    CustomField("custentity_notes", ("customer", "vendor"), "ENTITY", "Long Text", "Notes"),
    CustomField("custentity_credit_limit_ext", ("customer",), "ENTITY", "Currency", "External Credit Limit"),
    CustomField("custentity_rating", ("vendor",), "ENTITY", "Integer Number", "Vendor Rating"),
    CustomField("custentity_shift_start", ("employee",), "ENTITY", "Time Of Day", "Shift Start"),
    CustomField("custentity_emergency_phone", ("employee",), "ENTITY", "Phone Number", "Emergency Phone"),
    CustomField("custitem_weight_kg", ("item",), "ITEM", "Decimal Number", "Weight (kg)"),
    CustomField("custitem_spec_sheet", ("item",), "ITEM", "Hyperlink", "Specification Sheet"),
    CustomField("custitem_care_notes", ("item",), "ITEM", "Text Area", "Care Notes"),
    CustomField("custitem_launch_date", ("item",), "ITEM", "Date", "Launch Date"),
    CustomField(
        "custrecord_contract_customer",
        ("customrecord_contract",),
        "RECORD",
        "List/Record",
        "Customer",
        "customer",
    ),
    CustomField("custrecord_contract_value", ("customrecord_contract",), "RECORD", "Currency", "Contract Value"),
    CustomField("custrecord_contract_start", ("customrecord_contract",), "RECORD", "Date", "Start Date"),
    CustomField("custrecord_contract_signed_at", ("customrecord_contract",), "RECORD", "Date/Time", "Signed At"),
    CustomField("custrecord_contract_auto_renew", ("customrecord_contract",), "RECORD", "Check Box", "Auto Renew"),
    CustomField("custrecord_contract_terms", ("customrecord_contract",), "RECORD", "Text Area", "Special Terms"),
    CustomField(
        "custrecord_audit_transaction",
        ("customrecord_shipment_audit",),
        "RECORD",
        "List/Record",
        "Transaction",
        "transaction",
    ),
    CustomField("custrecord_audit_score", ("customrecord_shipment_audit",), "RECORD", "Integer Number", "Score"),
    CustomField(
        "custrecord_audit_tags",
        ("customrecord_shipment_audit",),
        "RECORD",
        "Multiple Select",
        "Tags",
        "customlist_sales_channel",
    ),
    CustomField("custrecord_audit_contact", ("customrecord_shipment_audit",), "RECORD", "Email Address", "Contact"),
    CustomField("custrecord_audit_time", ("customrecord_shipment_audit",), "RECORD", "Time Of Day", "Checked At"),
)


@dataclass(frozen=True)
class Table:
    """One SuiteQL table of the account.

    `key` is unique and the canonical row order; `handle` is the one column the control
    endpoints' "ids" name (None: the key has several columns, use "count"); `replication` is
    the column an incremental read filters on (None: read whole); `size` says how many rows
    (a flag, or what the count follows); `generator` names the function in `generators` that
    fills it; `record_type` is the record API and metadata catalog type (None: it has none);
    `deleted_type` is `deletedrecord.type` when a row is deleted (None: not recorded; "*": the
    row's own record type); `references` maps a column to the table its values point at;
    `display` is the column BUILTIN.DF shows for a reference to this table; `stored_renderings`
    names the columns whose TO_CHAR or number text is kept beside them (the columns clients
    read on every row of big tables: each costs a Python call per row at build)."""

    name: str
    columns: dict[str, str]
    key: tuple[str, ...]
    required: frozenset[str]
    size: str
    generator: str
    replication: str | None = None
    handle: str | None = "id"
    record_type: str | None = None
    deleted_type: str | None = None
    references: dict[str, str] = field(default_factory=dict)
    display: str | None = "name"
    stored_renderings: tuple[str, ...] = ()
    unique: tuple[tuple[str, ...], ...] = ()
    key_enforced: bool = True  # a PRIMARY KEY constraint (deletedrecord's key is not unique in NetSuite)

    @property
    def custom_fields(self) -> tuple[CustomField, ...]:
        return tuple(f for f in CUSTOM_FIELDS if self.name in f.tables)

    @property
    def all_columns(self) -> dict[str, str]:
        """Standard columns, then custom fields: the order of `SELECT *`."""
        return {**self.columns, **{f.scriptid: VALUE_KIND[f.fieldvaluetype] for f in self.custom_fields}}

    @property
    def all_references(self) -> dict[str, str]:
        return {**self.references, **{f.scriptid: f.references for f in self.custom_fields if f.references}}

    @property
    def unique_keys(self) -> tuple[tuple[str, ...], ...]:
        handle = ((self.handle,),) if self.handle and (self.handle,) != self.key else ()
        return (self.key, *handle, *self.unique)


def _req(*names: str) -> frozenset[str]:
    return frozenset(names)


def _link_table(name: str, key: tuple[str, ...], size: str) -> Table:
    """nexttransactionlinelink and previoustransactionlinelink: the same links, either way."""
    columns = {
        "previousdoc": INTEGER,
        "previousline": INTEGER,
        "nextdoc": INTEGER,
        "nextline": INTEGER,
        "linktype": S,
        "previoustype": S,
        "nexttype": S,
        "foreignamount": N,
        "linkdate": D,
    }
    return Table(
        name,
        columns,
        key,
        _req(*key, "linktype"),
        size,
        "transaction_links",
        handle=None,
        references={"previousdoc": "transaction", "nextdoc": "transaction"},
        display=None,
    )


def _custom_record(name: str, generator: str) -> Table:
    """A custom record type's table: its standard columns; its custrecord_ fields join them."""
    columns = {
        "id": INTEGER,
        "name": S,
        "isinactive": B,
        "created": T,
        "lastmodified": T,
        "owner": INTEGER,
        "externalid": S,
    }
    return Table(
        name,
        columns,
        ("id",),
        _req("id", "name", "isinactive", "created", "lastmodified"),
        "--custom-records (default: customers / 2, at least 2)",
        generator,
        replication="lastmodified",
        record_type=name,
        deleted_type=name,
        references={"owner": "employee"},
    )


def _custom_list(name: str) -> Table:
    return Table(
        name,
        {"id": INTEGER, "name": S, "isinactive": B},
        ("id",),
        _req("id", "name", "isinactive"),
        "fixed",
        "custom_lists",
        deleted_type=name,
    )


_SETUP = "fixed"
_ENTITY_CORE = {"isinactive": B, "datecreated": T, "lastmodifieddate": T}

DECLARED: tuple[Table, ...] = (
    # -- finance dimensions: small setup tables, most without a usable timestamp (read whole)
    Table(
        "currency",
        {
            "id": INTEGER,
            "name": S,
            "symbol": S,
            "isbasecurrency": B,
            "exchangerate": N,
            "currencyprecision": INTEGER,
            "isinactive": B,
        },
        ("id",),
        _req("id", "name", "symbol", "isbasecurrency", "isinactive"),
        _SETUP,
        "currencies",
        deleted_type="currency",
    ),
    Table(
        "fiscalcalendar",
        {"id": INTEGER, "name": S, "fiscalmonth": S, "isdefault": B},
        ("id",),
        _req("id", "name", "isdefault"),
        _SETUP,
        "fiscal_calendars",
    ),
    Table(
        "subsidiary",
        {
            "id": INTEGER,
            "name": S,
            "fullname": S,
            "parent": INTEGER,
            "currency": INTEGER,
            "country": S,
            "fiscalcalendar": INTEGER,
            "iselimination": B,
            "isinactive": B,
            "lastmodifieddate": T,
        },
        ("id",),
        _req("id", "name", "currency", "iselimination", "isinactive", "lastmodifieddate"),
        _SETUP,
        "subsidiaries",
        replication="lastmodifieddate",
        references={"parent": "subsidiary", "currency": "currency", "fiscalcalendar": "fiscalcalendar"},
    ),
    Table(
        "accountingperiod",
        {
            "id": INTEGER,
            "periodname": S,
            "startdate": D,
            "enddate": D,
            "parent": INTEGER,
            "isyear": B,
            "isquarter": B,
            "isadjust": B,
            "isposting": B,
            "closed": B,
        },
        ("id",),
        _req("id", "periodname", "startdate", "enddate", "isyear", "isquarter", "isposting", "closed"),
        "fixed: a year, its quarters and months, 2020-2027",
        "accounting_periods",
        references={"parent": "accountingperiod"},
        display="periodname",
    ),
    Table(
        "accountingperiodfiscalcalendars",
        {"accountingperiod": INTEGER, "fiscalcalendar": INTEGER, "parent": INTEGER},
        ("accountingperiod", "fiscalcalendar"),
        _req("accountingperiod", "fiscalcalendar"),
        "one per period and calendar",
        "accounting_period_calendars",
        handle=None,
        references={
            "accountingperiod": "accountingperiod",
            "fiscalcalendar": "fiscalcalendar",
            "parent": "accountingperiod",
        },
    ),
    Table(
        "accountingbook",
        {"id": INTEGER, "name": S, "isprimary": B, "isadjustmentonly": B, "status": S, "effectiveperiod": INTEGER},
        ("id",),
        _req("id", "name", "isprimary", "isadjustmentonly", "status"),
        _SETUP,
        "accounting_books",
        references={"effectiveperiod": "accountingperiod"},
    ),
    Table(
        "accountingbooksubsidiaries",
        {"accountingbook": INTEGER, "subsidiary": INTEGER, "status": S},
        ("accountingbook", "subsidiary"),
        _req("accountingbook", "subsidiary", "status"),
        _SETUP,
        "accounting_book_subsidiaries",
        handle=None,
        references={"accountingbook": "accountingbook", "subsidiary": "subsidiary"},
    ),
    Table(
        "consolidatedexchangerate",
        {
            "id": INTEGER,
            "postingperiod": INTEGER,
            "fromsubsidiary": INTEGER,
            "tosubsidiary": INTEGER,
            "fromcurrency": INTEGER,
            "tocurrency": INTEGER,
            "accountingbook": INTEGER,
            "averagerate": N,
            "currentrate": N,
            "historicalrate": N,
        },
        ("id",),
        _req(
            "id",
            "postingperiod",
            "fromsubsidiary",
            "tosubsidiary",
            "fromcurrency",
            "tocurrency",
            "accountingbook",
            "averagerate",
            "currentrate",
            "historicalrate",
        ),
        "one per month and foreign subsidiary",
        "exchange_rates",
        references={
            "postingperiod": "accountingperiod",
            "fromsubsidiary": "subsidiary",
            "tosubsidiary": "subsidiary",
            "fromcurrency": "currency",
            "tocurrency": "currency",
            "accountingbook": "accountingbook",
        },
        display=None,
    ),
    Table(
        "accounttype",
        {"id": S, "longname": S, "balancesheet": B, "left": B},
        ("id",),
        _req("id", "longname", "balancesheet", "left"),
        _SETUP,
        "account_types",
        display="longname",
    ),
    Table(
        "account",
        {
            "id": INTEGER,
            "acctnumber": S,
            "accountsearchdisplayname": S,
            "fullname": S,
            "accttype": S,
            "parent": INTEGER,
            "subsidiary": INTEGER,
            "currency": INTEGER,
            "description": S,
            "issummary": B,
            "isinactive": B,
            "lastmodifieddate": T,
        },
        ("id",),
        _req(
            "id",
            "acctnumber",
            "accountsearchdisplayname",
            "fullname",
            "accttype",
            "issummary",
            "isinactive",
            "lastmodifieddate",
        ),
        "fixed chart of accounts",
        "accounts",
        replication="lastmodifieddate",
        record_type="account",
        deleted_type="account",
        references={"accttype": "accounttype", "parent": "account", "subsidiary": "subsidiary", "currency": "currency"},
        display="accountsearchdisplayname",
    ),
    Table(
        "department",
        {"id": INTEGER, "name": S, "fullname": S, "parent": INTEGER, "subsidiary": INTEGER, "isinactive": B},
        ("id",),
        _req("id", "name", "fullname", "isinactive"),
        _SETUP,
        "departments",
        record_type="department",
        deleted_type="department",
        references={"parent": "department", "subsidiary": "subsidiary"},
    ),
    Table(
        "classification",
        {"id": INTEGER, "name": S, "fullname": S, "parent": INTEGER, "subsidiary": INTEGER, "isinactive": B},
        ("id",),
        _req("id", "name", "fullname", "isinactive"),
        _SETUP,
        "classes",
        record_type="classification",
        deleted_type="classification",
        references={"parent": "classification", "subsidiary": "subsidiary"},
    ),
    Table(
        "locationmainaddress",
        {"nkey": INTEGER, "addressee": S, "addr1": S, "city": S, "state": S, "zip": S, "country": S},
        ("nkey",),
        _req("nkey", "country"),
        "one per location",
        "location_addresses",
        handle="nkey",
        display="addr1",
    ),
    Table(
        "location",
        {
            "id": INTEGER,
            "name": S,
            "fullname": S,
            "parent": INTEGER,
            "subsidiary": INTEGER,
            "mainaddress": INTEGER,
            "isinactive": B,
        },
        ("id",),
        _req("id", "name", "fullname", "isinactive"),
        _SETUP,
        "locations",
        record_type="location",
        deleted_type="location",
        references={"parent": "location", "subsidiary": "subsidiary", "mainaddress": "locationmainaddress"},
    ),
    Table(
        "term",
        {"id": INTEGER, "name": S, "daysuntilnetdue": INTEGER, "discountpercent": N, "isinactive": B},
        ("id",),
        _req("id", "name", "isinactive"),
        _SETUP,
        "terms",
        deleted_type="term",
    ),
    Table(
        "transactionstatus",
        {"id": S, "trantype": S, "name": S, "fullname": S},
        ("trantype", "id"),
        _req("id", "trantype", "name", "fullname"),
        _SETUP,
        "transaction_statuses",
        handle=None,
        display="name",
    ),
    Table(
        "vendorcategory",
        {"id": INTEGER, "name": S, "istaxagency": B, "isinactive": B},
        ("id",),
        _req("id", "name", "istaxagency", "isinactive"),
        _SETUP,
        "vendor_categories",
    ),
    # -- custom lists and metadata
    _custom_list("customlist_segment"),
    _custom_list("customlist_sales_channel"),
    Table(
        "customfield",
        {
            "id": INTEGER,
            "scriptid": S,
            "fieldtype": S,
            "fieldvaluetype": S,
            "label": S,
            "description": S,
            "isinactive": B,
            "lastmodifieddate": T,
        },
        ("id",),
        _req("id", "scriptid", "fieldtype", "fieldvaluetype", "label", "isinactive", "lastmodifieddate"),
        "one per declared custom field",
        "custom_fields",
        replication="lastmodifieddate",
        display="label",
    ),
    Table(
        "customrecordtype",
        {"internalid": INTEGER, "scriptid": S, "name": S, "description": S, "isinactive": B},
        ("internalid",),
        _req("internalid", "scriptid", "name", "isinactive"),
        "one per custom record table",
        "custom_record_types",
        handle="internalid",
    ),
    # -- entities: one id space, mirrored into `entity`
    Table(
        "customer",
        {
            "id": INTEGER,
            "entityid": S,
            "companyname": S,
            "email": S,
            "phone": S,
            "isperson": B,
            "isinactive": B,
            "datecreated": T,
            "lastmodifieddate": T,
            "parent": INTEGER,
            "subsidiary": INTEGER,
            "currency": INTEGER,
            "terms": INTEGER,
            "externalid": S,
            "defaultbillingaddress": INTEGER,
        },
        ("id",),
        _req(
            "id",
            "entityid",
            "companyname",
            "isperson",
            "isinactive",
            "datecreated",
            "lastmodifieddate",
            "subsidiary",
            "currency",
        ),
        "--customers",
        "customers",
        replication="lastmodifieddate",
        record_type="customer",
        deleted_type="customer",
        references={
            "parent": "customer",
            "subsidiary": "subsidiary",
            "currency": "currency",
            "terms": "term",
            "defaultbillingaddress": "entityaddress",
        },
        display="companyname",
        stored_renderings=("datecreated", "lastmodifieddate", "custentity_credit_review"),
    ),
    Table(
        "vendor",
        {
            "id": INTEGER,
            "entityid": S,
            "companyname": S,
            "email": S,
            "phone": S,
            "isperson": B,
            **_ENTITY_CORE,
            "subsidiary": INTEGER,
            "currency": INTEGER,
            "terms": INTEGER,
            "category": INTEGER,
            "is1099eligible": B,
            "externalid": S,
            "defaultbillingaddress": INTEGER,
        },
        ("id",),
        _req(
            "id",
            "entityid",
            "companyname",
            "isperson",
            "isinactive",
            "datecreated",
            "lastmodifieddate",
            "subsidiary",
            "currency",
            "is1099eligible",
        ),
        "--vendors (default: customers / 10, at least 3)",
        "vendors",
        replication="lastmodifieddate",
        record_type="vendor",
        deleted_type="vendor",
        references={
            "subsidiary": "subsidiary",
            "currency": "currency",
            "terms": "term",
            "category": "vendorcategory",
            "defaultbillingaddress": "entityaddress",
        },
        display="companyname",
    ),
    Table(
        "employee",
        {
            "id": INTEGER,
            "entityid": S,
            "firstname": S,
            "lastname": S,
            "email": S,
            "phone": S,
            "title": S,
            "supervisor": INTEGER,
            "department": INTEGER,
            "location": INTEGER,
            "subsidiary": INTEGER,
            "hiredate": D,
            "issalesrep": B,
            **_ENTITY_CORE,
        },
        ("id",),
        _req(
            "id",
            "entityid",
            "firstname",
            "lastname",
            "subsidiary",
            "issalesrep",
            "isinactive",
            "datecreated",
            "lastmodifieddate",
        ),
        "--employees (default: customers / 50, at least 3)",
        "employees",
        replication="lastmodifieddate",
        record_type="employee",
        deleted_type="employee",
        references={
            "supervisor": "employee",
            "department": "department",
            "location": "location",
            "subsidiary": "subsidiary",
        },
        display="entityid",
    ),
    Table(
        "partner",
        {"id": INTEGER, "entityid": S, "companyname": S, "email": S, "subsidiary": INTEGER, **_ENTITY_CORE},
        ("id",),
        _req("id", "entityid", "companyname", "subsidiary", "isinactive", "datecreated", "lastmodifieddate"),
        "customers / 100, at least 2",
        "partners",
        replication="lastmodifieddate",
        record_type="partner",
        deleted_type="partner",
        references={"subsidiary": "subsidiary"},
        display="companyname",
    ),
    Table(
        "contact",
        {
            "id": INTEGER,
            "entityid": S,
            "firstname": S,
            "lastname": S,
            "email": S,
            "phone": S,
            "company": INTEGER,
            "subsidiary": INTEGER,
            **_ENTITY_CORE,
        },
        ("id",),
        _req("id", "entityid", "subsidiary", "isinactive", "datecreated", "lastmodifieddate"),
        "customers / 4, at least 2",
        "contacts",
        replication="lastmodifieddate",
        record_type="contact",
        deleted_type="contact",
        references={"company": "customer", "subsidiary": "subsidiary"},
        display="entityid",
    ),
    Table(
        "job",
        {
            "id": INTEGER,
            "entityid": S,
            "companyname": S,
            "customer": INTEGER,
            "startdate": D,
            "projectedenddate": D,
            "subsidiary": INTEGER,
            **_ENTITY_CORE,
        },
        ("id",),
        _req(
            "id", "entityid", "companyname", "customer", "subsidiary", "isinactive", "datecreated", "lastmodifieddate"
        ),
        "customers / 20, at least 2",
        "jobs",
        replication="lastmodifieddate",
        record_type="job",
        deleted_type="job",
        references={"customer": "customer", "subsidiary": "subsidiary"},
        display="companyname",
    ),
    Table(
        "entity",
        {
            "id": INTEGER,
            "entityid": S,
            "altname": S,
            "type": S,
            "email": S,
            "phone": S,
            "subsidiary": INTEGER,
            **_ENTITY_CORE,
        },
        ("id",),
        _req("id", "entityid", "type", "isinactive", "datecreated", "lastmodifieddate"),
        "one per customer, vendor, employee, partner, contact and job",
        "entities (kept by triggers)",
        replication="lastmodifieddate",
        references={"subsidiary": "subsidiary"},
        display="altname",
    ),
    Table(
        "entityaddress",
        {
            "nkey": INTEGER,
            "recordowner": INTEGER,
            "addressee": S,
            "attention": S,
            "addr1": S,
            "addr2": S,
            "city": S,
            "state": S,
            "zip": S,
            "country": S,
            "addrphone": S,
        },
        ("nkey",),
        _req("nkey", "recordowner", "country"),
        "one per customer and vendor",
        "entity_addresses",
        handle="nkey",
        references={"recordowner": "entity"},
        display="addr1",
    ),
    Table(
        "customersubsidiaryrelationship",
        {"id": INTEGER, "entity": INTEGER, "subsidiary": INTEGER, "isprimarysub": B, "currency": INTEGER},
        ("id",),
        _req("id", "entity", "subsidiary", "isprimarysub"),
        "one per customer, a second for about one in eight",
        "customer_subsidiaries",
        references={"entity": "customer", "subsidiary": "subsidiary", "currency": "currency"},
        display=None,
    ),
    Table(
        "item",
        {
            "id": INTEGER,
            "itemid": S,
            "displayname": S,
            "description": S,
            "itemtype": S,
            "subsidiary": INTEGER,
            "baseprice": N,
            "cost": N,
            "incomeaccount": INTEGER,
            "expenseaccount": INTEGER,
            "assetaccount": INTEGER,
            "isinactive": B,
            "createddate": T,
            "lastmodifieddate": T,
        },
        ("id",),
        _req("id", "itemid", "itemtype", "isinactive", "createddate", "lastmodifieddate"),
        "--items (default 24)",
        "items",
        replication="lastmodifieddate",
        record_type="by itemtype: inventoryitem, noninventoryitem, serviceitem, otherchargeitem, discountitem",
        deleted_type="*",
        references={
            "subsidiary": "subsidiary",
            "incomeaccount": "account",
            "expenseaccount": "account",
            "assetaccount": "account",
        },
        display="itemid",
    ),
    # -- transactions
    Table(
        "transaction",
        {
            "id": INTEGER,
            "tranid": S,
            "type": S,
            "recordtype": S,
            "entity": INTEGER,
            "trandate": D,
            "duedate": D,
            "createddate": T,
            "lastmodifieddate": T,
            "status": S,
            "foreigntotal": N,
            "foreignamountpaid": N,
            "foreignamountunpaid": N,
            "currency": INTEGER,
            "exchangerate": N,
            "memo": S,
            "terms": INTEGER,
            "subsidiary": INTEGER,
            "postingperiod": INTEGER,
            "externalid": S,
            "otherrefnum": S,
            "shipdate": D,
            "taxtotal": N,
            "posting": B,
            "voided": B,
            "department": INTEGER,
            "class": INTEGER,
            "location": INTEGER,
            "employee": INTEGER,
        },
        ("id",),
        _req(
            "id",
            "tranid",
            "type",
            "recordtype",
            "trandate",
            "createddate",
            "lastmodifieddate",
            "status",
            "foreigntotal",
            "currency",
            "exchangerate",
            "subsidiary",
            "postingperiod",
            "posting",
            "voided",
        ),
        "--invoices CustInvc, other types in proportion",
        "transactions",
        replication="lastmodifieddate",
        record_type="by type: invoice, salesorder, customerpayment, creditmemo, vendorbill, journalentry, "
        "itemfulfillment",
        deleted_type="*",
        references={
            "entity": "entity",
            "currency": "currency",
            "terms": "term",
            "subsidiary": "subsidiary",
            "postingperiod": "accountingperiod",
            "department": "department",
            "class": "classification",
            "location": "location",
            "employee": "employee",
        },
        display="tranid",
        stored_renderings=(
            "trandate",
            "duedate",
            "createddate",
            "lastmodifieddate",
            "foreigntotal",
            "foreignamountpaid",
            "foreignamountunpaid",
            "exchangerate",
            "custbody_delivery_date",
            "custbody_margin",
            "shipdate",
            "taxtotal",
        ),
    ),
    Table(
        "transactionline",
        {
            "transaction": INTEGER,
            "id": INTEGER,
            "linesequencenumber": INTEGER,
            "mainline": B,
            "item": INTEGER,
            "quantity": N,
            "rate": N,
            "amount": N,
            "memo": S,
            "linelastmodifieddate": T,
            "uniquekey": INTEGER,
            "netamount": N,
            "taxline": B,
            "account": INTEGER,
            "department": INTEGER,
            "class": INTEGER,
            "location": INTEGER,
            "subsidiary": INTEGER,
            "entity": INTEGER,
            "isclosed": B,
        },
        ("transaction", "id"),
        _req(
            "transaction",
            "id",
            "uniquekey",
            "linesequencenumber",
            "mainline",
            "taxline",
            "linelastmodifieddate",
            "subsidiary",
            "isclosed",
        ),
        "--lines-per-transaction item lines + a main line (payments: main line only)",
        "transactions",
        replication="linelastmodifieddate",
        handle="uniquekey",
        references={
            "transaction": "transaction",
            "item": "item",
            "account": "account",
            "department": "department",
            "class": "classification",
            "location": "location",
            "subsidiary": "subsidiary",
            "entity": "entity",
        },
        display=None,
        stored_renderings=("quantity", "rate", "amount", "linelastmodifieddate"),
    ),
    Table(
        "transactionaccountingline",
        {
            "transaction": INTEGER,
            "transactionline": INTEGER,
            "accountingbook": INTEGER,
            "account": INTEGER,
            "debit": N,
            "credit": N,
            "amount": N,
            "netamount": N,
            "posting": B,
            "lastmodifieddate": T,
        },
        ("transaction", "transactionline", "accountingbook"),
        _req("transaction", "transactionline", "accountingbook", "account", "amount", "posting"),
        "one per posting line and book",
        "transactions",
        replication="lastmodifieddate",
        handle=None,
        references={"transaction": "transaction", "accountingbook": "accountingbook", "account": "account"},
        display=None,
    ),
    _link_table(
        "nexttransactionlinelink",
        ("previousdoc", "previousline", "nextdoc", "nextline"),
        "one per payment, fulfilment and credit",
    ),
    _link_table(
        "previoustransactionlinelink",
        ("nextdoc", "nextline", "previousdoc", "previousline"),
        "the same links seen from the later document",
    ),
    # -- custom records
    _custom_record("customrecord_contract", "contracts"),
    _custom_record("customrecord_shipment_audit", "shipment_audits"),
    Table(
        "deletedrecord",
        {
            "recordid": INTEGER,
            "recordtypeid": INTEGER,
            "scriptid": S,
            "type": S,
            "name": S,
            "deleteddate": T,
            "deletedby": INTEGER,
            "context": S,
            "iscustomlist": B,
            "iscustomrecord": B,
            "iscustomtransaction": B,
        },
        ("deleteddate", "recordid"),
        _req(
            "recordid", "recordtypeid", "type", "deleteddate", "iscustomlist", "iscustomrecord", "iscustomtransaction"
        ),
        "a few per deletable type; invoices: invoices / 500, at least 3",
        "deleted_records",
        replication="deleteddate",
        handle=None,
        display=None,
        stored_renderings=("deleteddate",),
        unique=(("deleteddate", "recordid", "type"),),
        key_enforced=False,
    ),
    # Oracle's one-row table, for `SELECT SYSDATE FROM DUAL`.
    Table("dual", {"dummy": S}, ("dummy",), _req("dummy"), "one row", "dual", handle=None, display=None),
)

BY_NAME: dict[str, Table] = {t.name: t for t in DECLARED}
TABLES: dict[str, dict[str, str]] = {t.name: t.all_columns for t in DECLARED}
REQUIRED: dict[str, frozenset[str]] = {t.name: t.required for t in DECLARED}
KEYS: dict[str, tuple[str, ...]] = {t.name: t.key for t in DECLARED}
FIELDS_BY_SCRIPTID: dict[str, CustomField] = {f.scriptid: f for f in CUSTOM_FIELDS}
CUSTOM_RECORD_TYPES = {"customrecord_contract": (501, "Contract"), "customrecord_shipment_audit": (502, "Audit")}
# The tables holding one row per entity of each type, and entity.type for them.
ENTITY_TYPES = {
    "customer": "CustJob",
    "vendor": "Vendor",
    "employee": "Employee",
    "partner": "Partner",
    "contact": "Contact",
    "job": "CustJob",
}


def markdown() -> str:
    """The README's table list, made from the declarations (a test keeps the README equal)."""
    out = [
        "| table | key | ids name | replication column | rows | generator | record type | custom fields |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in DECLARED:
        fields = ", ".join(f"`{f.scriptid}` ({f.fieldvaluetype})" for f in t.custom_fields) or "-"
        out.append(
            f"| `{t.name}` | {', '.join(t.key)} | {t.handle or '(count)'} | {t.replication or '- (read whole)'} "
            f"| {t.size} | {t.generator} | {t.record_type or '-'} | {fields} |"
        )
    return "\n".join(out) + "\n"
