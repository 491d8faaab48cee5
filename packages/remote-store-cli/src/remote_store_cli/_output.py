"""Text or JSON output, and the shape of files, folders and errors in both."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import Any, TextIO

from remote_store import FileInfo, FolderEntry, FolderInfo
from remote_store.backend import redact_text
from remote_store.errors import RemoteStoreError, TreeTransferError

__all__ = ["Output", "file_record", "folder_record", "human_size"]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def file_record(info: FileInfo, path: str | None = None) -> dict[str, Any]:
    """A file as a JSON-ready dict."""
    return {
        "path": path if path is not None else str(info.path),
        "type": "file",
        "size": info.size,
        "modified": _iso(info.modified_at),
        "digest": f"{info.digest.algorithm}:{info.digest.value}" if info.digest else None,
        "etag": info.etag,
        "content_type": info.content_type,
        "version_id": info.version_id,
        "metadata": dict(info.metadata or {}),
    }


def folder_record(entry: FolderEntry | FolderInfo, path: str | None = None) -> dict[str, Any]:
    """A folder as a JSON-ready dict (with totals for a :class:`FolderInfo`)."""
    record: dict[str, Any] = {"path": path if path is not None else str(entry.path)}
    record["type"] = "folder"
    if isinstance(entry, FolderInfo):
        record["files"] = entry.file_count
        record["size"] = entry.total_size
        record["modified"] = _iso(entry.modified_at)
    return record


def human_size(size: int) -> str:
    """``1536`` -> ``1.5 KiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if value < 1024 or unit == "TiB":
            return f"{int(value)} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover


class Output:
    """Writes results to stdout and errors to stderr, as text or as JSON."""

    def __init__(
        self, json_mode: bool, stdout: TextIO | None = None, stderr: TextIO | None = None
    ) -> None:
        self.json_mode = json_mode
        self.stdout = stdout or sys.stdout
        self.stderr = stderr or sys.stderr

    def result(self, data: Any, lines: Iterable[str] = ()) -> None:
        """``data`` as one JSON document, or the text ``lines``."""
        if self.json_mode:
            self.stdout.write(json.dumps(data, indent=None, default=str) + "\n")
        else:
            for line in lines:
                self.stdout.write(line + "\n")
        self.stdout.flush()

    def note(self, text: str) -> None:
        """A human message on stderr (never in JSON mode's stdout)."""
        self.stderr.write(text + "\n")

    def error(self, exc: BaseException, code: int) -> None:
        """Report a failure: JSON on stdout in JSON mode, a message on stderr otherwise."""
        record = error_record(exc, code)
        if self.json_mode:
            self.stdout.write(json.dumps({"ok": False, "error": record}, default=str) + "\n")
            self.stdout.flush()
            return
        self.stderr.write(f"remote-store: error: {record['message']}\n")
        for failure in record.get("failures", []):
            self.stderr.write(f"  {failure['path']}: {failure['type']}: {failure['message']}\n")
        self.stderr.flush()


def error_record(exc: BaseException, code: int) -> dict[str, Any]:
    """The JSON shape of an error (secrets masked in every message)."""
    record: dict[str, Any] = {
        "type": type(exc).__name__,
        "message": redact_text(str(exc)) if str(exc) else type(exc).__name__,
        "exit_code": code,
    }
    if isinstance(exc, RemoteStoreError):
        record["path"] = exc.path
        record["backend"] = exc.backend
        if exc.location is not None:  # raised by a store: where, and the backend key
            record["location"] = exc.location
            record["key"] = exc.key
    if isinstance(exc, TreeTransferError):
        record["failures"] = [
            {"path": path, "type": type(error).__name__, "message": redact_text(str(error))}
            for path, error in sorted(exc.failures.items())
        ]
        summary = getattr(exc.result, "to_dict", None)
        if callable(summary):
            record["result"] = summary()
    return record
