"""A NetSuite stand-in for tests, demos and benchmarks: SuiteQL over REST with OAuth 1.0a.

It shares no code with `tap_netsuite`, so that one misunderstanding of NetSuite cannot hide in
both. Run it with `netsuite-emulator serve ...` (see `cli`).
"""
