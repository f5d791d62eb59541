"""A NetSuite stand-in for tests, demos and benchmarks: SuiteQL, the record API and RESTlets over
REST, with OAuth 1.0a and OAuth 2.0, governance, faults and changing data (see README.md).

It shares no code with `tap_netsuite`, so that one misunderstanding of NetSuite cannot hide in
both. Run it with `netsuite-emulator serve ...` (see `cli`). Modules, one job each: `cli` (flags,
start-up), `server` (routing and the request pipeline), `suiteql`/`engine`/`formats` (SuiteQL),
`records` (record API), `restlets` (RESTlet handlers), `signing`/`oauth2` (authentication),
`governance` (pool, latency, metrics), `faults`, `switches` (run-time configuration),
`controls` (the /_emulator endpoints), `control`/`mutations` (reading and changing data),
`schema`/`data`/`sqlgen` (tables and deterministic data).
"""
