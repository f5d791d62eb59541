"""The CPU floor: fetch the invoice pages and write RECORD lines as fast as plain Python can.

Same SuiteQL pages, same signing, same typed records as the tap, with none of
the SDK: the least CPU any tap could spend per record. Run by bench/throughput.py.
    python bench/floor.py CONFIG.json > /dev/null
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from decimal import Decimal
from zoneinfo import ZoneInfo

import requests
from oauthlib import oauth1

FORMAT = "YYYY-MM-DD HH24:MI:SS"
COLUMNS = ("id, tranid, entity, TO_CHAR(trandate, 'YYYY-MM-DD') AS trandate, TO_CHAR(duedate, 'YYYY-MM-DD') AS duedate, "
           f"TO_CHAR(createddate, '{FORMAT}') AS createddate, TO_CHAR(lastmodifieddate, '{FORMAT}') AS lastmodifieddate, "
           "status, foreigntotal, foreignamountpaid, foreignamountunpaid, currency, exchangerate, memo, terms, "
           "subsidiary, postingperiod, externalid, otherrefnum")
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
        where = "type = 'CustInvc'"
        if after:
            where += (f" AND (TO_CHAR(lastmodifieddate, '{FORMAT}') > '{after[0]}' OR "
                      f"(TO_CHAR(lastmodifieddate, '{FORMAT}') = '{after[0]}' AND id > {after[1]}))")
        q = f"SELECT {COLUMNS} FROM transaction WHERE {where} ORDER BY TO_CHAR(lastmodifieddate, '{FORMAT}'), id"
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
        after = (last["lastmodifieddate"], last["id"])


if __name__ == "__main__":
    main()
