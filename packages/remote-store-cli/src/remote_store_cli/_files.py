"""Commands that look at or remove files: ls, cat, rm, info, du."""

from __future__ import annotations

import sys
from typing import Any

from remote_store import FileInfo, FolderEntry
from remote_store.errors import InvalidPath, NotFound

from remote_store_cli._addresses import Address
from remote_store_cli._context import Context
from remote_store_cli._output import file_record, folder_record, human_size

__all__ = ["cmd_cat", "cmd_du", "cmd_info", "cmd_ls", "cmd_rm"]

CHUNK = 1024 * 1024


def _is_file(address: Address) -> bool:
    return bool(address.path) and address.store.is_file(address.path)


def _require_folder(address: Address) -> None:
    """A missing folder is NotFound; a profile's root counts as an (empty) folder."""
    if address.path and not address.store.is_folder(address.path):
        raise NotFound("no such file or folder", path=address.text)


def _relative(path: str, base: str) -> str:
    return path[len(base) + 1 :] if base else path


def cmd_ls(ctx: Context) -> int:
    """List a folder (or show one file)."""
    address = ctx.resolve(ctx.args.address)
    records: list[dict[str, Any]] = []
    if _is_file(address):
        records.append(file_record(address.store.get_file_info(address.path), address.name))
    else:
        _require_folder(address)
        entries: Any = (
            address.store.list_files(address.path, recursive=True)
            if ctx.args.recursive
            else address.store.iter_children(address.path)
        )
        for entry in entries:
            name = _relative(str(entry.path), address.path)
            if isinstance(entry, FileInfo):
                records.append(file_record(entry, name))
            elif isinstance(entry, FolderEntry):
                records.append(folder_record(entry, name + "/"))
    ctx.out.result(records, (_ls_line(record, ctx.args.long) for record in records))
    return 0


def _ls_line(record: dict[str, Any], long: bool) -> str:
    if not long:
        return str(record["path"])
    if record["type"] == "folder":
        return f"{'-':>12}  {'-':<25}  {record['path']}"
    modified = record["modified"] or "-"
    return f"{record['size']:>12}  {modified[:25]:<25}  {record['path']}"


def cmd_cat(ctx: Context) -> int:
    """Write files to stdout, streamed."""
    sink = sys.stdout.buffer
    for text in ctx.args.addresses:
        address = ctx.resolve(text)
        if not address.path:
            raise InvalidPath("not a file: the store root", path=text)
        with address.store.read(address.path) as stream:
            while chunk := stream.read(CHUNK):
                sink.write(chunk)
    sink.flush()
    return 0


def cmd_rm(ctx: Context) -> int:
    """Delete files, or folders with ``-r``."""
    removed: list[dict[str, Any]] = []
    for text in ctx.args.addresses:
        address = ctx.resolve(text)
        if address.path and address.store.is_file(address.path):
            address.store.delete(address.path)
            removed.append({"path": text, "type": "file"})
            continue
        if address.store.is_folder(address.path) and address.path:
            if not ctx.args.recursive:
                raise InvalidPath("is a folder: use rm -r", path=text)
            address.store.delete_folder(address.path, recursive=True)
            removed.append({"path": text, "type": "folder"})
            continue
        if not address.path:
            raise InvalidPath("refusing to delete the store root", path=text)
        if not ctx.args.force:
            raise NotFound("no such file or folder", path=text)
    ctx.out.result({"ok": True, "removed": removed}, (f"removed {r['path']}" for r in removed))
    return 0


def cmd_info(ctx: Context) -> int:
    """Metadata of a file, totals of a folder, or the store itself at its root."""
    address = ctx.resolve(ctx.args.address)
    store = address.store
    record: dict[str, Any]
    if _is_file(address):
        record = file_record(store.get_file_info(address.path), address.path)
    elif not address.path:
        record = {
            "type": "store",
            "backend": store.backend.name,
            "root_path": store.root_path,
            "capabilities": sorted(c.value for c in store.backend.capabilities),
        }
        if store.exists(""):
            info = store.get_folder_info("")
            record.update(files=info.file_count, size=info.total_size)
    else:
        _require_folder(address)
        record = folder_record(store.get_folder_info(address.path), address.path)
    lines = [f"{key}: {value}" for key, value in record.items()]
    ctx.out.result(record, lines)
    return 0


def cmd_du(ctx: Context) -> int:
    """Size and file count of a folder and of each folder directly in it."""
    address = ctx.resolve(ctx.args.address)
    store = address.store
    rows: list[dict[str, Any]]
    if _is_file(address):
        info = store.get_file_info(address.path)
        rows = [{"path": address.text, "files": 1, "size": info.size}]
    elif not address.path and not store.is_folder(""):  # a profile root with no file yet
        rows = [{"path": address.text, "files": 0, "size": 0}]
    else:
        _require_folder(address)
        rows = []
        if not ctx.args.summarize:
            for entry in store.list_folders(address.path):
                sub = store.get_folder_info(str(entry.path))
                name = _relative(str(entry.path), address.path) + "/"
                rows.append({"path": name, "files": sub.file_count, "size": sub.total_size})
        total = store.get_folder_info(address.path)
        rows.append({"path": address.text, "files": total.file_count, "size": total.total_size})
    human = ctx.args.human
    lines = (
        f"{human_size(int(r['size'])) if human else r['size']:>12}  {r['files']:>8}  {r['path']}"
        for r in rows
    )
    ctx.out.result(rows, lines)
    return 0
