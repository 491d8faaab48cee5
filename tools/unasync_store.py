"""Write the sync Store's operations from their async source (an unasync-style generator).

Every Store operation is written once, async, in
``packages/remote-store-core/src/remote_store/aio/_store_ops.py`` (``AsyncStoreOps``).
This script writes its sync twin, ``.../remote_store/_store_ops.py`` (``StoreOps``, the
base of :class:`remote_store.Store`), by rewriting tokens:

* ``async def`` -> ``def``, ``async for`` -> ``for``, ``await`` dropped,
  ``Awaitable[X]`` -> ``X``, and an ``async for`` loop that only yields its item becomes
  ``yield from``;
* the async names in :data:`NAMES` -> their sync names (``AsyncBackend`` -> ``Backend``,
  ``aclose`` -> ``close``, ``anext`` -> ``next``...); strings and comments are left alone;
* a line ending in ``# unasync: async only`` is left out;
* the docstrings in :data:`SYNC_DOCSTRINGS` replace the async ones of those names, and
  the import block is :data:`SYNC_IMPORTS` (the source's must be :data:`ASYNC_IMPORTS`:
  a change there is made in both, on purpose).

Run ``python tools/unasync_store.py`` after editing the source; ``--check`` exits 1 when
the generated module is not current (``tools/tests/test_unasync_store.py`` does the same).
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "packages" / "remote-store-core" / "src" / "remote_store"
SOURCE = PACKAGE / "aio" / "_store_ops.py"
TARGET = PACKAGE / "_store_ops.py"

#: Async name -> sync name (NAME tokens only).
NAMES = {
    "AsyncStoreOps": "StoreOps",
    "AsyncStore": "Store",
    "AsyncBackend": "Backend",
    "AsyncIterator": "Iterator",
    "AsyncStoreContent": "WritableContent",
    "AsyncReadStream": "BinaryIO",
    "AsyncAtomicWrite": "AtomicWriteContext",
    "check_async_content": "check_content",
    "aclose": "close",
    "anext": "next",
}

HEADER = '''"""The operations of the sync :class:`~remote_store.Store` (``StoreOps``).

GENERATED from ``remote_store/aio/_store_ops.py`` by ``tools/unasync_store.py``: do not
edit; change the async source and run the script (a test fails while this is stale).
"""
'''

ASYNC_IMPORTS = """\
from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._path import NORMAL_KEYS, RemotePath
from remote_store._store_core import DeleteOutcomes, StoreCore, head_result
from remote_store.aio._backend import AsyncBackend
from remote_store.aio._content import AsyncStoreContent, check_async_content, normalize_content
from remote_store.errors import AlreadyExists, InvalidPath, NotFound, RemoteStoreError

if TYPE_CHECKING:
    from remote_store.aio._atomic import AsyncAtomicWrite
    from remote_store.aio._reader import AsyncReadStream
    from remote_store.aio._store import AsyncStore
"""

SYNC_IMPORTS = """\
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from remote_store._backend import Backend
from remote_store._capabilities import Capability
from remote_store._models import FileInfo, FolderEntry, FolderInfo, WriteResult
from remote_store._path import NORMAL_KEYS, RemotePath
from remote_store._store_core import DeleteOutcomes, StoreCore, head_result
from remote_store._streams import WritableContent
from remote_store._validation import check_content
from remote_store.errors import AlreadyExists, InvalidPath, NotFound, RemoteStoreError

if TYPE_CHECKING:
    from remote_store._store import AtomicWriteContext, Store
"""

#: Where the sync docstring says something else than the async one (by the async name):
#: its lines, without quotes and indentation.
SYNC_DOCSTRINGS: dict[str, tuple[str, ...]] = {
    "AsyncStoreOps": ("The operations of :class:`Store` over its backend (generated).",),
    "read": ("A binary stream of the file; the caller closes it.",),
    "write": (
        "Create or (with ``overwrite=True``) replace a file from bytes or a binary stream.",
        "",
        "``if_match=etag`` replaces the file only while its etag is still ``etag``;",
        '``if_none_match="*"`` creates it only while nothing is there. Both need',
        "``CONDITIONAL_WRITE`` and raise :class:`PreconditionFailed` when the condition",
        "fails (nothing is written).",
    ),
    "open_atomic": (
        "A context manager yielding a writable stream, committed atomically on a clean exit.",
        "",
        "Nothing is written when the body raises. After the ``with`` block the context",
        "manager's ``result`` holds the :class:`WriteResult`.",
    ),
    "delete_many": (
        "Delete many files in few requests (``BULK_DELETE``).",
        "",
        "Returns the outcome of every path as given: ``None`` when deleted (or missing",
        "with ``missing_ok``), else its typed error; one failure never stops the others.",
        "Refused with :class:`CapabilityNotSupported` before any I/O when undeclared.",
    ),
    "list_files": (
        "Files under ``path`` in ascending path order.",
        "",
        "``max_depth`` 0 means files directly in ``path``; when set it overrides",
        "``recursive``. ``pattern`` filters basenames (``fnmatch``, case-sensitive). A",
        "missing folder yields nothing unless ``strict=True``, which raises :class:`NotFound`.",
    ),
}

ASYNC_ONLY = "# unasync: async only"
_YIELD_ALL = re.compile(r"^( *)for (\w+) in (.+):\n\1    yield \2\n(?!\1    )", re.MULTILINE)


class SourceError(Exception):
    """The async source breaks a rule of the generator."""


def generate(source: str) -> str:
    """The sync module written from the async ``source`` text."""
    tree = ast.parse(source)
    first = tree.body[0]
    if not (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)):
        raise SourceError("the source must start with its docstring")
    lines = source.splitlines(keepends=True)
    imports_end = _line_of(tree, "__all__")
    imports = "".join(lines[first.end_lineno : imports_end - 1]).strip("\n") + "\n"
    if imports != ASYNC_IMPORTS:
        raise SourceError(
            "the source's imports changed: update ASYNC_IMPORTS and SYNC_IMPORTS in "
            "tools/unasync_store.py"
        )
    body_lines = lines[imports_end - 1 :]
    documented = _replace_docstrings(tree, body_lines, offset=imports_end - 1)
    body = "".join(line for line in documented if not line.rstrip().endswith(ASYNC_ONLY))
    body = _rewrite_tokens(body)
    body = _YIELD_ALL.sub(r"\1yield from \3\n", body)
    return f"{HEADER}\n{SYNC_IMPORTS}\n{body}"


def _line_of(tree: ast.Module, name: str) -> int:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return node.lineno
    raise SourceError(f"the source has no {name}")


def _replace_docstrings(tree: ast.Module, lines: list[str], offset: int) -> list[str]:
    """``lines`` (the source from ``offset`` on) with the sync docstrings put in."""
    found: dict[str, tuple[int, int, int]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if node.name not in SYNC_DOCSTRINGS or not node.body:
            continue
        doc = node.body[0]
        if not (isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant)):
            raise SourceError(f"{node.name} has no docstring to replace")
        assert doc.end_lineno is not None
        found[node.name] = (doc.lineno - 1 - offset, doc.end_lineno - offset, doc.col_offset)
    missing = set(SYNC_DOCSTRINGS) - set(found)
    if missing:
        raise SourceError(f"no definition of {sorted(missing)} in the source")
    out = list(lines)
    for name, (start, end, column) in sorted(found.items(), key=lambda item: -item[1][0]):
        out[start:end] = _docstring(SYNC_DOCSTRINGS[name], " " * column)
    return out


def _docstring(text: tuple[str, ...], indent: str) -> list[str]:
    quotes = '"""'
    if len(text) == 1:
        return [f"{indent}{quotes}{text[0]}{quotes}\n"]
    lines = [f"{indent}{quotes}{text[0]}\n"]
    lines += [f"{indent}{line}\n" if line else "\n" for line in text[1:]]
    return [*lines, f"{indent}{quotes}\n"]


def _rewrite_tokens(text: str) -> str:
    """``async``/``await`` dropped, ``Awaitable[X]`` -> ``X``, :data:`NAMES` renamed."""
    line_starts = [0]
    for line in text.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))

    def offset(position: tuple[int, int]) -> int:
        return line_starts[position[0] - 1] + position[1]

    edits: list[tuple[int, int, str]] = []
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    depth_of_awaitable: list[int] = []
    depth = 0
    for index, token in enumerate(tokens):
        start, end = offset(token.start), offset(token.end)
        if token.type == tokenize.OP and token.string == "[":
            depth += 1
        elif token.type == tokenize.OP and token.string == "]":
            if depth_of_awaitable and depth_of_awaitable[-1] == depth:
                depth_of_awaitable.pop()
                edits.append((start, end, ""))
            depth -= 1
        if token.type != tokenize.NAME:
            continue
        if token.string in ("async", "await"):
            following = tokens[index + 1]
            edits.append((start, offset(following.start), ""))
        elif token.string == "Awaitable":
            bracket = tokens[index + 1]
            if bracket.string != "[":
                raise SourceError("Awaitable is only written as Awaitable[X]")
            edits.append((start, offset(bracket.end), ""))
            depth_of_awaitable.append(depth + 1)
        elif token.string in NAMES:
            edits.append((start, end, NAMES[token.string]))
    for token in tokens:  # a name in a string of its own (``__all__``)
        if token.type == tokenize.STRING and token.string[1:-1] in NAMES:
            quote = token.string[0]
            renamed = f"{quote}{NAMES[token.string[1:-1]]}{quote}"
            edits.append((offset(token.start), offset(token.end), renamed))
    out = text
    for start, end, replacement in sorted(edits, reverse=True):
        out = out[:start] + replacement + out[end:]
    return out


def main(argv: list[str] | None = None) -> int:
    """Write the sync module, or with ``--check`` say whether it is current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the output is stale")
    args = parser.parse_args(argv)
    wanted = generate(SOURCE.read_text(encoding="utf-8"))
    current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else None
    if args.check:
        if current != wanted:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python tools/unasync_store.py")
            return 1
        return 0
    if current != wanted:
        TARGET.write_text(wanted, encoding="utf-8")
        print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
