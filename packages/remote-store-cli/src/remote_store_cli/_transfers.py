"""Commands that move bytes: cp, mv (files or, with ``-r``, folders) and sync."""

from __future__ import annotations

from typing import Any

from remote_store import Capability, Store
from remote_store.errors import InvalidPath, NotFound
from remote_store.ext.transfer import transfer
from remote_store.ext.tree import TreeResult, copy_tree, move_tree, sync_tree

from remote_store_cli._addresses import Address
from remote_store_cli._context import Context

__all__ = ["cmd_cp", "cmd_mv", "cmd_sync"]


def cmd_cp(ctx: Context) -> int:
    """Copy a file, or a folder's files with ``-r``."""
    return _copy_or_move(ctx, move=False)


def cmd_mv(ctx: Context) -> int:
    """Move a file, or a folder's files with ``-r``."""
    return _copy_or_move(ctx, move=True)


def _copy_or_move(ctx: Context, move: bool) -> int:
    args = ctx.args
    src, dst = ctx.resolve(args.source), ctx.resolve(args.destination)
    verb = "move" if move else "copy"
    if src.path and src.store.is_file(src.path):
        return _one_file(ctx, src, dst, move)
    if src.path and not src.store.is_folder(src.path):
        raise NotFound("no such file or folder", path=src.text)
    if not args.recursive:
        raise InvalidPath(f"is a folder: use {'mv' if move else 'cp'} -r", path=src.text)
    operation = move_tree if move else copy_tree
    with ctx.bars.tree(f"{verb} {src.text}") as on_progress:
        result = operation(
            src.store,
            src.path,
            dst.store,
            dst.path,
            overwrite=args.overwrite,
            workers=args.workers,
            on_progress=on_progress,
        )
    _report_tree(ctx, result)
    return 0


def _target_of(src: Address, dst: Address) -> str:
    """The destination file path: inside ``dst`` when it is a folder (or ends with ``/``)."""
    if not dst.path or dst.text.endswith("/") or dst.store.is_folder(dst.path):
        return dst.join(src.name)
    return dst.path


def _one_file(ctx: Context, src: Address, dst: Address, move: bool) -> int:
    target = _target_of(src, dst)
    size = src.store.get_file_info(src.path).size
    native = _native(src.store, dst.store, move)
    if native is not None:
        method, src_key, dst_key = native(src.path, target)
        method(src_key, dst_key, overwrite=ctx.args.overwrite)
    else:
        with ctx.bars.file(f"{'move' if move else 'copy'} {src.name}", size) as advance:
            transfer(
                src.store,
                src.path,
                dst.store,
                target,
                overwrite=ctx.args.overwrite,
                on_progress=advance,
            )
        if move:
            src.store.delete(src.path)
    record = {"ok": True, "source": src.text, "destination": target, "size": size}
    ctx.out.result(record, [] if ctx.args.quiet else [f"{src.text} -> {target} ({size} bytes)"])
    return 0


def _native(src: Store, dst: Store, move: bool) -> Any:
    """A server-side copy/move of one file when both stores share a backend that has it."""
    if src.backend is not dst.backend:
        return None
    if not src.supports(Capability.MOVE if move else Capability.COPY):
        return None
    if src is dst:
        method = src.move if move else src.copy
        return lambda a, b: (method, a, b)
    root = Store(src.backend, "", _owns=False)
    method = root.move if move else root.copy

    def keys(a: str, b: str) -> tuple[Any, str, str]:
        return method, _key(src, a), _key(dst, b)

    return keys


def _key(store: Store, path: str) -> str:
    return f"{store.root_path}/{path}" if store.root_path else path


def cmd_sync(ctx: Context) -> int:
    """Copy only the changed files of a folder; ``--delete`` removes extra ones."""
    args = ctx.args
    src, dst = ctx.resolve(args.source), ctx.resolve(args.destination)
    with ctx.bars.tree(f"sync {src.text}") as on_progress:
        result = sync_tree(
            src.store,
            src.path,
            dst.store,
            dst.path,
            delete=args.delete,
            compare=args.compare,
            dry_run=args.dry_run,
            workers=args.workers,
            on_progress=on_progress,
        )
    _report_tree(ctx, result)
    return 0


def _report_tree(ctx: Context, result: TreeResult) -> None:
    data = result.to_dict()
    verb = "would copy" if result.dry_run else "copied"
    lines = [
        f"{verb} {data['copied']} file(s) ({data['bytes']} bytes), skipped {data['skipped']}, "
        f"deleted {data['deleted']}, failed {data['failed']}"
    ]
    if ctx.args.verbose or result.dry_run:
        lines[:0] = [f"{item['status']:>8}  {item['path']}" for item in data["files"]]
    ctx.out.result(data, [] if ctx.args.quiet and not result.dry_run else lines)
