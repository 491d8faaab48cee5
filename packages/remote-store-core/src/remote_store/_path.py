"""Store keys: normalisation and validation of the paths callers pass in."""

from __future__ import annotations

import re
from typing import ClassVar

from remote_store.errors import InvalidPath

__all__ = ["RemotePath", "normalize_key"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

#: Valid ``str`` paths already normalised -> their key. The Store's hot paths index it
#: directly (a dict lookup is a third of a function call); never holds "" or ".".
NORMAL_KEYS: dict[str, str] = {}
_NORMAL_KEYS_LIMIT = 8192


def normalize_key(raw: str) -> str:
    """Normalise a caller's path to a store key, or raise :class:`InvalidPath`.

    Backslashes become ``/``; empty and ``.`` segments are dropped; a leading ``/`` is
    dropped; ``..`` segments, NUL and other ASCII control characters are refused; an
    empty result is refused. Unicode is kept as given (no NFC/NFD folding).
    """
    if type(raw) is str:
        key = NORMAL_KEYS.get(raw)
        if key is None:
            key = _normalize(raw)
            if len(NORMAL_KEYS) >= _NORMAL_KEYS_LIMIT:
                NORMAL_KEYS.clear()
            NORMAL_KEYS[raw] = key
        return key
    if not isinstance(raw, str):
        raise InvalidPath(f"path must be a str, not {type(raw).__name__}")
    return _normalize(str(raw))


def _normalize(raw: str) -> str:
    text = raw.replace("\\", "/")
    if _CONTROL.search(text):
        if "\x00" in text:
            raise InvalidPath("path contains a NUL byte", path=raw)
        raise InvalidPath("path contains an ASCII control character", path=raw)
    parts = [part for part in text.split("/") if part and part != "."]
    if ".." in parts:
        raise InvalidPath("path contains a '..' segment", path=raw)
    if not parts:
        raise InvalidPath("path is empty after normalisation", path=raw)
    return "/".join(parts)


def check_key(raw: object) -> str:
    """:func:`normalize_key` with a typed error for non-string input."""
    if isinstance(raw, RemotePath):
        return raw._key
    if type(raw) is not str:
        if isinstance(raw, str):
            return normalize_key(str(raw))
        raise InvalidPath(f"path must be a str, not {type(raw).__name__}")
    return normalize_key(raw)


class RemotePath:
    """An immutable, normalised store key.

    ``RemotePath.ROOT`` is the store root; its string is ``"."``.
    """

    __slots__ = ("_key",)
    ROOT: ClassVar[RemotePath]

    def __init__(self, path: str | RemotePath) -> None:
        self._key = check_key(path)

    @classmethod
    def _trusted(cls, key: str) -> RemotePath:
        obj = cls.__new__(cls)
        obj._key = key
        return obj

    @classmethod
    def from_backend_path(cls, path: str) -> RemotePath:
        """A path from a backend; ``""`` is the root."""
        if path in ("", "."):
            return cls.ROOT
        return cls(path)

    @property
    def name(self) -> str:
        """The last segment (``""`` for the root)."""
        if self._key == "":
            return ""
        return self._key.rpartition("/")[2]

    @property
    def parent(self) -> RemotePath | None:
        """The parent path, or ``None`` for a single segment or the root."""
        head, sep, _ = self._key.rpartition("/")
        return RemotePath._trusted(head) if sep else None

    @property
    def parts(self) -> tuple[str, ...]:
        """The segments."""
        return tuple(self._key.split("/")) if self._key else ()

    @property
    def suffix(self) -> str:
        """The extension of the name including the dot; ``""`` for dot-files like ``.env``."""
        name = self.name
        dot = name.rfind(".")
        return name[dot:] if dot > 0 else ""

    def as_posix(self) -> str:
        """The key with ``/`` separators."""
        return str(self)

    def __truediv__(self, other: str | RemotePath) -> RemotePath:
        tail = check_key(other)
        return RemotePath._trusted(f"{self._key}/{tail}" if self._key else tail)

    def __str__(self) -> str:
        return self._key or "."

    def __repr__(self) -> str:
        return f"RemotePath({str(self)!r})"

    def __fspath__(self) -> str:
        return str(self)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, RemotePath):
            return self._key == other._key
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    def __lt__(self, other: RemotePath) -> bool:
        return self._key < other._key

    def __hash__(self) -> int:
        return hash(str(self))

    def __reduce__(self) -> tuple[object, ...]:
        return (RemotePath._trusted, (self._key,))


RemotePath.ROOT = RemotePath._trusted("")
