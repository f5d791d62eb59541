"""A NetSuite stand-in for tests, demos and benchmarks: SuiteQL, the record API and RESTlets over
REST, with OAuth 1.0a and OAuth 2.0, governance, faults and changing data (see README.md).

It shares no code with `tap_netsuite`, so that one misunderstanding of NetSuite cannot hide in
both. Run it with `netsuite-emulator serve ...` (see `cli`). Modules, one job each: `cli` (flags,
start-up), `server` (routing and the request pipeline), `suiteql`/`engine`/`formats` (SuiteQL),
`records` (record API), `restlets` (RESTlet handlers), `signing`/`oauth2` (authentication),
`governance` (pool, latency, metrics), `faults`, `switches` (run-time configuration),
`control_routes` (the /_emulator endpoints), `canonical`/`mutations` (reading the truth and
changing data), `record_writes` (record API create/update/delete), `restlet_api` (the RESTlet
registry), `tables` (every table declared as data), `schema`/`data`/`generators`/`sqlgen`/`lines`
(column kinds and deterministic data).
"""
