"""tap-netsuite: a Singer tap that reads NetSuite through SuiteQL."""
