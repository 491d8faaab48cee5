"""The manifest of a Parquet dataset and the dataset errors."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from remote_store.errors import RemoteStoreError

__all__ = ["DatasetIncomplete", "DatasetManifest", "ManifestCorrupted"]


class _DatasetError(RemoteStoreError):
    def __init__(self, reason: str, *, path: str | None = None, backend: str | None = None) -> None:
        super().__init__(reason, path=path, backend=backend)
        self.reason = reason


class DatasetIncomplete(_DatasetError):
    """The dataset has no ``_SUCCESS`` marker, no manifest, or a part the manifest lists is
    missing. ``reason`` says which."""


class ManifestCorrupted(_DatasetError):
    """``manifest.json`` is not valid JSON or lacks a field. ``reason`` says what is wrong."""


@dataclass(frozen=True)
class DatasetManifest:
    """What a dataset consists of: the part files (relative to the dataset folder) in
    order, the row count, a hash of the Arrow schema and how it was written."""

    dataset_key: str
    parts: tuple[str, ...]
    row_count: int
    schema_hash: str
    compression: str
    created_at_utc: str
    run_id: str | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> str:
        """The manifest as a JSON document (sorted keys)."""
        data = {
            "dataset_key": self.dataset_key,
            "parts": list(self.parts),
            "row_count": self.row_count,
            "schema_hash": self.schema_hash,
            "compression": self.compression,
            "created_at_utc": self.created_at_utc,
            "run_id": self.run_id,
            "metadata": dict(self.metadata),
        }
        return json.dumps(data, sort_keys=True, indent=2)

    @classmethod
    def from_json(cls, text: str | bytes) -> DatasetManifest:
        """Parse :meth:`to_json`'s output; :class:`ManifestCorrupted` when it does not fit."""
        try:
            data: Any = json.loads(text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise ManifestCorrupted(f"manifest is not valid JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise ManifestCorrupted("manifest must be a JSON object")
        try:
            parts = data["parts"]
            metadata = data.get("metadata") or {}
            manifest = cls(
                dataset_key=_typed(data["dataset_key"], str, "dataset_key"),
                parts=tuple(_typed(p, str, "parts[]") for p in _typed(parts, list, "parts")),
                row_count=_typed(data["row_count"], int, "row_count"),
                schema_hash=_typed(data["schema_hash"], str, "schema_hash"),
                compression=_typed(data["compression"], str, "compression"),
                created_at_utc=_typed(data["created_at_utc"], str, "created_at_utc"),
                run_id=None if data.get("run_id") is None else str(data["run_id"]),
                metadata={
                    str(k): _typed(v, str, "metadata")
                    for k, v in _typed(metadata, dict, "metadata").items()
                },
            )
        except KeyError as exc:
            raise ManifestCorrupted(f"manifest lacks the field {exc.args[0]!r}") from None
        for part in manifest.parts:
            if not part or part.startswith("/") or ".." in part.split("/"):
                raise ManifestCorrupted(f"manifest lists an invalid part name {part!r}")
        return manifest


def _typed(value: Any, kind: type[Any], name: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ManifestCorrupted(f"manifest field {name} must be a {kind.__name__}")
    return value
