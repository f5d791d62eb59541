"""The CPU floor: fetch the invoice pages and write RECORD lines as fast as plain Python can.

Same SuiteQL pages (the tap's query text), same signing, same typed records as
the tap, with none of the SDK and one request at a time: the least CPU any tap
could spend per record. Run by bench/throughput.py.
    python bench/floor.py CONFIG.json > /dev/null
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from oauthlib import oauth1

from tap_netsuite.suiteql import keyset_query, select_list

SCHEMA = json.loads((Path(__file__).resolve().parent.parent / "schemas" / "invoice.json").read_text())
COLUMNS = select_list(SCHEMA["properties"])  # the tap's own query text, so the pages are the same
INTS = {"id", "entity", "currency", "terms", "subsidiary", "postingperiod"}
NUMBERS = {"foreigntotal", "foreignamountpaid", "foreignamountunpaid", "exchangerate"}
DATETIMES = {"createddate", "lastmodifieddate"}


def main() -> None:
    config = json.load(open(sys.argv[1]))  # noqa: SIM115
    zone = ZoneInfo(config["account_timezone"])
    realm = config["account_id"].upper().replace("-", "_")
    url = config["base_url"] + "/services/rest/query/v1/suiteql"
    session = requests.Session()
    out = sys.stdout
    after = None
    while True:
        q = keyset_query(columns=COLUMNS, table="transaction", where="type = 'CustInvc'",
                         replication_key="lastmodifieddate", since=None, after=after)
        full = url + "?limit=1000&offset=0"
        client = oauth1.Client(config["consumer_key"], client_secret=config["consumer_secret"],
                               resource_owner_key=config["token_id"], resource_owner_secret=config["token_secret"],
                               signature_method=oauth1.SIGNATURE_HMAC_SHA256, realm=realm)
        _, headers, _ = client.sign(full, http_method="POST")
        headers.update({"Content-Type": "application/json", "Prefer": "transient"})
        page = session.post(full, data=json.dumps({"q": q}), headers=headers, timeout=300).json()
        now = dt.datetime.now(dt.timezone.utc).isoformat()
        for item in page["items"]:
            record = {}
            for key, value in item.items():
                if key == "links":
                    continue
                if key in INTS:
                    value = int(value)
                elif key in NUMBERS:
                    value = float(Decimal(value))
                elif key in DATETIMES:
                    value = dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=zone).astimezone(dt.timezone.utc).isoformat()
                record[key] = value
            out.write(json.dumps({"type": "RECORD", "stream": "invoice", "record": record, "time_extracted": now}))
            out.write("\n")
        if not page["hasMore"]:
            break
        last = page["items"][-1]
        after = (last["lastmodifieddate"], int(last["id"]))


if __name__ == "__main__":
    main()
