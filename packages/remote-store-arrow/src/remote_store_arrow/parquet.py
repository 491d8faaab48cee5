"""Parquet datasets with a manifest in any Store (``remote_store.ext.parquet``).

A dataset at ``key`` is a folder::

    key/part-<generation>-00000.parquet   # the data, one or more parts
    key/manifest.json                     # which parts make the dataset, row count, schema hash
    key/_SUCCESS                          # empty marker, written after the first manifest

Readers read exactly the parts the manifest lists. A write puts its parts under new,
unique names (a fresh *generation* per write), then replaces ``manifest.json`` with one
atomic write, and only then deletes the parts of the previous generation. So a reader sees
the old dataset or the new one, never a mix and never nothing; ``read_dataset`` re-reads
the manifest when a part it was about to read has been deleted meanwhile.

The window: a caller that read the *old* manifest itself (``read_manifest``) and reads its
parts later may find them deleted once the overwrite completes; re-read the manifest then.
Two concurrent writers to one key both leave a complete dataset (the last manifest wins);
the loser's parts stay behind as unreferenced files.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from remote_store import Capability, Store
from remote_store.errors import (
    AlreadyExists,
    CapabilityNotSupported,
    InvalidArgument,
    NotFound,
    RemoteStoreError,
)

from remote_store_arrow._manifest import DatasetIncomplete, DatasetManifest, ManifestCorrupted
from remote_store_arrow.arrow import StoreFileSystemHandler

__all__ = ["DatasetIncomplete", "DatasetManifest", "ManifestCorrupted", "ParquetDatasetStore"]

_log = logging.getLogger("remote_store.ext.parquet")

MANIFEST = "manifest.json"
SUCCESS = "_SUCCESS"
#: How many times ``read_dataset`` follows a manifest replaced while it was reading.
READ_ATTEMPTS = 5


def schema_hash(schema: pa.Schema) -> str:
    """SHA-256 of the Arrow schema without its key-value metadata."""
    return hashlib.sha256(schema.remove_metadata().serialize().to_pybytes()).hexdigest()


class ParquetDatasetStore:
    """Write, read and delete manifest-described Parquet datasets in ``store``.

    ``compression`` and ``row_group_size`` are passed to the Parquet writer;
    ``max_rows_per_file`` splits a table into several parts. The store must support
    atomic writes. The store is never closed by this object.
    """

    def __init__(
        self,
        store: Store,
        *,
        compression: str | None = "zstd",
        row_group_size: int | None = None,
        max_rows_per_file: int | None = None,
    ) -> None:
        if max_rows_per_file is not None and max_rows_per_file < 1:
            raise InvalidArgument("max_rows_per_file must be >= 1")
        if row_group_size is not None and row_group_size < 1:
            raise InvalidArgument("row_group_size must be >= 1")
        self.store = store
        self.compression = compression
        self.row_group_size = row_group_size
        self.max_rows_per_file = max_rows_per_file
        self._fs = pafs.PyFileSystem(StoreFileSystemHandler(store))

    # -- writing ----------------------------------------------------------------------

    def write_dataset(
        self,
        table: pa.Table,
        key: str,
        *,
        overwrite: bool = False,
        run_id: str | None = None,
        metadata: Mapping[str, str] | None = None,
    ) -> DatasetManifest:
        """Write ``table`` as the dataset ``key`` and return its manifest.

        Without ``overwrite`` an existing dataset raises :class:`AlreadyExists`. With it,
        the new dataset replaces the old one atomically (see the module docstring). When
        the write fails, the previous dataset is untouched and the new parts are removed.
        """
        if not self.store.supports(Capability.ATOMIC_WRITE):
            raise CapabilityNotSupported(
                "Parquet datasets need atomic writes",
                capability=Capability.ATOMIC_WRITE.value,
                backend=self.store.backend.name,
            )
        if not isinstance(table, pa.Table):
            raise InvalidArgument(f"table must be a pyarrow.Table, not {type(table).__name__}")
        key = _dataset_key(key)
        manifest_path = f"{key}/{MANIFEST}"
        previous = self._previous_manifest(key) if overwrite else None
        if not overwrite and self.store.is_file(manifest_path):
            raise AlreadyExists("dataset exists", path=key, backend=self.store.backend.name)
        generation = uuid.uuid4().hex[:16]
        parts = self._write_parts(table, key, generation)
        manifest = DatasetManifest(
            dataset_key=key,
            parts=tuple(parts),
            row_count=table.num_rows,
            schema_hash=schema_hash(table.schema),
            compression=str(self.compression or "none"),
            created_at_utc=datetime.now(UTC).isoformat(),
            run_id=run_id,
            metadata=dict(metadata or {}),
        )
        try:
            self.store.write_atomic(manifest_path, manifest.to_json().encode(), overwrite=overwrite)
        except BaseException:
            self._delete_parts(key, parts)
            raise
        if not self.store.is_file(f"{key}/{SUCCESS}"):
            self.store.write_atomic(f"{key}/{SUCCESS}", b"", overwrite=True)
        if previous is not None:
            self._delete_parts(key, [p for p in previous.parts if p not in manifest.parts])
        return manifest

    def _previous_manifest(self, key: str) -> DatasetManifest | None:
        try:
            return self.read_manifest(key)
        except DatasetIncomplete:
            return None
        except ManifestCorrupted as exc:
            _log.warning("overwriting dataset %r whose manifest is corrupted: %s", key, exc)
            return None

    def _write_parts(self, table: pa.Table, key: str, generation: str) -> list[str]:
        step = self.max_rows_per_file or max(table.num_rows, 1)
        starts = range(0, max(table.num_rows, 1), step)
        names: list[str] = []
        try:
            for index, start in enumerate(starts):
                name = f"part-{generation}-{index:05d}.parquet"
                with self.store.open_atomic(f"{key}/{name}", overwrite=False) as sink:
                    names.append(name)
                    pq.write_table(
                        table.slice(start, step),
                        sink,
                        compression=self.compression or "none",
                        row_group_size=self.row_group_size,
                    )
        except BaseException:
            self._delete_parts(key, names)
            raise
        return names

    def _delete_parts(self, key: str, parts: Sequence[str]) -> None:
        for part in parts:
            try:
                self.store.delete(f"{key}/{part}", missing_ok=True)
            except RemoteStoreError as exc:
                _log.warning("could not delete part %r of dataset %r: %s", part, key, exc)

    # -- reading ----------------------------------------------------------------------

    def read_manifest(self, key: str) -> DatasetManifest:
        """The dataset's manifest; :class:`DatasetIncomplete` when there is none."""
        key = _dataset_key(key)
        path = f"{key}/{MANIFEST}"
        try:
            raw = self.store.read_bytes(path)
        except NotFound:
            raise DatasetIncomplete(
                "dataset has no manifest", path=key, backend=self.store.backend.name
            ) from None
        try:
            return DatasetManifest.from_json(raw)
        except ManifestCorrupted as exc:
            raise ManifestCorrupted(exc.reason, path=path, backend=self.store.backend.name) from exc

    def read_dataset(self, key: str, *, columns: Sequence[str] | None = None) -> pa.Table:
        """The dataset as one table (optionally only ``columns``).

        :class:`DatasetIncomplete` when the ``_SUCCESS`` marker, the manifest or a listed
        part is missing; :class:`ManifestCorrupted` when the manifest does not parse.
        """
        key = _dataset_key(key)
        for _ in range(READ_ATTEMPTS):
            if not self.store.is_file(f"{key}/{SUCCESS}"):
                raise DatasetIncomplete(
                    "dataset has no _SUCCESS marker", path=key, backend=self.store.backend.name
                )
            manifest = self.read_manifest(key)
            try:
                tables = [self._read_part(key, part, columns) for part in manifest.parts]
            except FileNotFoundError as exc:
                if self.read_manifest(key).parts != manifest.parts:
                    continue  # replaced by an overwrite while we read: read the new one
                missing = getattr(exc, "path", None) or exc.filename
                raise DatasetIncomplete(
                    f"part listed in the manifest is missing: {missing}",
                    path=key,
                    backend=self.store.backend.name,
                ) from exc
            return pa.concat_tables(tables)
        raise DatasetIncomplete(
            f"dataset was replaced {READ_ATTEMPTS} times while being read",
            path=key,
            backend=self.store.backend.name,
        )

    def _read_part(self, key: str, part: str, columns: Sequence[str] | None) -> pa.Table:
        with self._fs.open_input_file(f"{key}/{part}") as source:
            return pq.ParquetFile(source).read(columns=list(columns) if columns else None)

    def dataset_exists(self, key: str) -> bool:
        """Whether ``key`` holds a complete dataset (manifest and ``_SUCCESS``)."""
        key = _dataset_key(key)
        return self.store.is_file(f"{key}/{SUCCESS}") and self.store.is_file(f"{key}/{MANIFEST}")

    def delete_dataset(self, key: str) -> None:
        """Delete the dataset: the marker first (readers stop trusting it), then the
        manifest, then the whole folder. Deleting a missing dataset does nothing."""
        key = _dataset_key(key)
        self.store.delete(f"{key}/{SUCCESS}", missing_ok=True)
        self.store.delete(f"{key}/{MANIFEST}", missing_ok=True)
        self.store.delete_folder(key, recursive=True, missing_ok=True)


def _dataset_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip("/"):
        raise InvalidArgument("dataset key must be a non-empty path")
    return key.strip("/")
