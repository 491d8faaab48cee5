"""The hierarchical-namespace (ADLS Gen2) leg: only what needs the DataLake API.

Every data operation stays on the Blob API, which HNS accounts serve as well. The DataLake
API is used for the three things only a hierarchical namespace offers: an atomic rename,
a recursive directory delete in one call, and creating a directory. No emulator speaks
this API, so this leg is exercised only by the opt-in live test.
"""

from __future__ import annotations

from typing import Any

from azure.core import MatchConditions
from azure.core.exceptions import ResourceExistsError

__all__ = ["FOLDER_MARKER", "HnsOps", "is_folder_marker"]

#: Blob metadata key the service sets on a directory of an HNS account.
FOLDER_MARKER = "hdi_isfolder"


def is_folder_marker(metadata: Any) -> bool:
    """Whether blob metadata marks an HNS directory."""
    return bool(metadata) and str(metadata.get(FOLDER_MARKER, "")).lower() == "true"


class HnsOps:
    """Directory operations on an async DataLake ``FileSystemClient``."""

    def __init__(self, filesystem: Any) -> None:
        self.filesystem = filesystem

    async def ensure_directory(self, path: str) -> None:
        """Create ``path`` (and, as the service does, its parents) unless it exists."""
        if not path:
            return
        client = self.filesystem.get_directory_client(path)
        try:
            await client.create_directory(match_condition=MatchConditions.IfMissing)
        except ResourceExistsError:
            pass

    async def rename(self, src: str, dst: str, *, overwrite: bool) -> None:
        """Atomically rename the file ``src`` to ``dst`` (409 when ``dst`` exists and
        ``overwrite`` is false)."""
        await self.ensure_directory(dst.rpartition("/")[0])
        conditions: dict[str, Any] = {}
        if not overwrite:
            conditions["match_condition"] = MatchConditions.IfMissing
        client = self.filesystem.get_file_client(src)
        await client.rename_file(f"{self.filesystem.file_system_name}/{dst}", **conditions)

    async def delete_directory(self, path: str) -> None:
        """Delete a directory and everything below it in one call."""
        await self.filesystem.get_directory_client(path).delete_directory()

    async def close(self) -> None:
        """Close the DataLake client."""
        await self.filesystem.close()
