"""Takes the emulator's package from the top of the repository into the wheel.

Only for a standard build: an editable install instead puts the repository's top folder on
sys.path (`dev-mode-dirs`), so the working tree is what runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = Path(__file__).resolve().parent.parent.parent / "netsuite_emulator"


class EmulatorPackageHook(BuildHookInterface):
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "standard":
            build_data["force_include"][str(PACKAGE)] = "netsuite_emulator"
