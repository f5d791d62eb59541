"""`python -m netsuite_emulator serve ...`."""

from .cli import main

raise SystemExit(main())
