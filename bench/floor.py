"""The CPU floor of a sync: decode the same pages with msgspec alone, write the same lines pre-encoded.

A tap must at least parse every page NetSuite answers and write every line its target reads.
The floor does only that, with the fastest tools Python has, and is measured in the same run as
the tap it is compared with (bench/throughput.py, bench/account.py):

- the pages: the very queries the tap sent (the emulator's log of them), fetched again at
  zero latency, untimed; their bodies decoded by `msgspec.json.decode` alone, timed;
- the lines: the tap's own output, read untimed, written to stdout in 64 KB blocks, timed.

CPU per record, tap / floor, is then what the tap spends beyond that minimum: signing,
requests, paging, conversion, the SDK. Used as a module (`floor_cpu`); or on its own:

    python bench/floor.py CONFIG.json QUERIES.json TAP_OUTPUT > /dev/null
"""

from __future__ import annotations

import json
import os
import sys
import time
import typing as t
from pathlib import Path

import msgspec
import requests
from oauthlib import oauth1

BLOCK = 1 << 16


def fetch(config: dict, queries: list[dict]) -> t.Iterator[bytes]:
    """Each query's answer body, as the emulator gives it (signed like the tap's requests)."""
    realm = config["account_id"].upper().replace("-", "_")
    session = requests.Session()
    signer = oauth1.Client(
        config["consumer_key"],
        client_secret=config["consumer_secret"],
        resource_owner_key=config["token_id"],
        resource_owner_secret=config["token_secret"],
        signature_method=oauth1.SIGNATURE_HMAC_SHA256,
        realm=realm,
    )
    for query in queries:
        url = f"{config['base_url']}/services/rest/query/v1/suiteql?limit={query['limit']}&offset={query['offset']}"
        _, headers, _ = signer.sign(url, http_method="POST")
        headers.update({"Content-Type": "application/json", "Prefer": "transient"})
        answer = session.post(url, data=json.dumps({"q": query["q"]}), headers=headers, timeout=300)
        answer.raise_for_status()
        yield answer.content


def floor_cpu(config: dict, queries: list[dict], output: Path, out: t.BinaryIO | None = None) -> tuple[int, float]:
    """(records, CPU seconds) of decoding the queries' pages and writing `output`'s lines to `out`
    (default: /dev/null): only the decoding and the writing are timed."""
    decode = msgspec.json.decode
    cpu = 0.0
    for body in fetch(config, queries):
        started = time.process_time()
        decode(body)
        cpu += time.process_time() - started
    with output.open("rb") as lines:
        records = sum(line.startswith(b'{"type":"RECORD"') for line in lines)
    sink = out or Path(os.devnull).open("wb")  # noqa: SIM115 - closed below when opened here
    try:
        with output.open("rb") as lines:
            while block := lines.read(BLOCK):
                started = time.process_time()
                sink.write(block)
                sink.flush()
                cpu += time.process_time() - started
    finally:
        if out is None:
            sink.close()
    return records, cpu


def selected_properties(stream: dict) -> dict:
    """A catalog stream's properties, less those its metadata deselects: the columns the tap reads."""
    left_out = {tuple(e["breadcrumb"]) for e in stream["metadata"] if e["metadata"].get("selected") is False}
    return {k: v for k, v in stream["schema"]["properties"].items() if ("properties", k) not in left_out}


def stream_pages(queries: list[dict], properties: dict) -> list[dict]:
    """The answered page queries of the stream whose columns are `properties`: not its plan's,
    nor discovery's probes (ROWNUM <= 1, columns as NetSuite renders them)."""
    from tap_netsuite.suiteql import select_list

    start = f"SELECT {select_list(properties)} FROM "
    return [q for q in queries if q["status"] == 200 and q["q"].startswith(start) and "ROWNUM" not in q["q"]]


def page_work_cpu(config: dict, queries: list[dict], properties: dict) -> tuple[int, float, float]:
    """(rows, CPU seconds, CPU seconds of msgspec's plain decoding) for the tap's own work on each
    page, alone: decoding it into typed rows (`RecordConverter.page_decoder`), converting them
    (numbers, UTC date-times, dates, checkboxes) and encoding their JSON lines; no request,
    signing, paging, SDK or thread. Between the floor and the tap: what the values NetSuite
    sends as text cost before anything else does."""
    from zoneinfo import ZoneInfo

    from singer_sdk.contrib.msgspec import encoder

    from tap_netsuite.client import _decode
    from tap_netsuite.convert import RecordConverter

    convert = RecordConverter(properties, ZoneInfo(config["account_timezone"]))
    rows, cpu, plain = 0, 0.0, 0.0
    # One page at a time: a tap started later reports this process's memory at fork in its peak RSS.
    for body in fetch(config, queries):
        started = time.process_time()
        msgspec.json.decode(body)
        plain += time.process_time() - started
        started = time.process_time()
        page = _decode(body, convert.page_decoder)["items"]
        encoder.encode_lines(list(convert.rows(page)))
        rows += len(page)
        del page  # freed inside the timing, as the floor's pages are
        cpu += time.process_time() - started
    return rows, cpu, plain


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text())
    queries = json.loads(Path(sys.argv[2]).read_text())
    records, cpu = floor_cpu(config, queries, Path(sys.argv[3]), sys.stdout.buffer)
    print(f"floor: {records} records, {1e6 * cpu / max(records, 1):.2f} us CPU per record", file=sys.stderr)


if __name__ == "__main__":
    main()
