"""The CPU floor: fetch the invoice pages and write RECORD lines as fast as plain Python can.

Same SuiteQL pages (the tap's query text and windows), same signing, same typed
records, msgspec to parse and write, none of the SDK, one request at a time:
about the least CPU any Python tap could spend per record. Run by bench/throughput.py.
    python bench/floor.py CONFIG.json > /dev/null
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
import typing as t
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import requests
from oauthlib import oauth1

from tap_netsuite.suiteql import KeysetSpec, boundaries_query, keyset_query, select_list

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "invoice.json").read_text())
COLUMNS = select_list(SCHEMA["properties"])  # the tap's own query text, so the pages are the same
INTS = {"id", "entity", "currency", "terms", "subsidiary", "postingperiod"}
NUMBERS = {"foreigntotal", "foreignamountpaid", "foreignamountunpaid", "exchangerate"}
DATETIMES = {"createddate", "lastmodifieddate"}


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    zone = ZoneInfo(config["account_timezone"])
    realm = config["account_id"].upper().replace("-", "_")
    url = config["base_url"] + "/services/rest/query/v1/suiteql?limit=1000&offset=0"
    session = requests.Session()
    out = sys.stdout.buffer
    encode = msgspec.json.Encoder(decimal_format="number").encode

    def page(q: str) -> dict:
        client = oauth1.Client(
            config["consumer_key"],
            client_secret=config["consumer_secret"],
            resource_owner_key=config["token_id"],
            resource_owner_secret=config["token_secret"],
            signature_method=oauth1.SIGNATURE_HMAC_SHA256,
            realm=realm,
        )
        _, headers, _ = client.sign(url, http_method="POST")
        headers.update({"Content-Type": "application/json", "Prefer": "transient"})
        return msgspec.json.decode(session.post(url, data=encode({"q": q}), headers=headers, timeout=300).content)

    # The same one-page windows as the tap, read one after another.
    spec = KeysetSpec(
        columns=COLUMNS, table="transaction", where="type = 'CustInvc'", replication_key="lastmodifieddate", since=None
    )
    cuts = [(i["second"], int(i["tiebreak"])) for i in page(boundaries_query(spec, every=1000))["items"]]
    for after, through in itertools.pairwise([None, *cuts, None]):
        items = page(keyset_query(spec, after=after, through=through))["items"]
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        lines = []
        for item in items:
            record = {}
            for key, text in item.items():
                if key == "links":
                    continue
                value: t.Any = text
                if key in INTS:
                    value = int(text)
                elif key in NUMBERS:
                    value = Decimal(text)
                elif key in DATETIMES:
                    value = dt.datetime.fromisoformat(text).replace(tzinfo=zone).astimezone(dt.timezone.utc).isoformat()
                record[key] = value
            lines.append(encode({"type": "RECORD", "stream": "invoice", "record": record, "time_extracted": now}))
        out.write(b"\n".join(lines) + b"\n")


if __name__ == "__main__":
    main()
