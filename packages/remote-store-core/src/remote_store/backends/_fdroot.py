"""Resolve keys beneath a root folder's descriptor, race-free, for the local backend.

Every local operation first turns a key into ``(folder fd, name)``: a descriptor of the
folder that holds the node, opened strictly inside the root, and the node's name in it.
It then acts only relative to that descriptor (``openat``, ``linkat``, ``renameat``,
``unlinkat``, ``mkdirat``, ``fstatat``, ``fdopendir``), so another process that swaps a
folder for a symlink between a check and a use can no longer redirect the use outside.

Resolution takes one ``openat2(RESOLVE_BENEATH)`` call where the kernel offers it, and
otherwise walks the key one component at a time with ``O_NOFOLLOW | O_DIRECTORY`` opens
relative to the folder reached so far. The walk follows symlinks itself: ``..`` pops the
stack of folders it holds (never above the root), an absolute target must lie under the
root, more than 40 links is a loop. What is refused raises :class:`InvalidPath`.

``REMOTE_STORE_LOCAL_NO_OPENAT2=1`` in the environment (read at import), or setting
:data:`OPEN_BENEATH` to ``None``, forces the walk: meant for tests of the fallback.
"""

from __future__ import annotations

import errno
import os
import stat
import sys

from remote_store.backends._beneath import OpenBeneath, load_open_beneath
from remote_store.errors import InvalidPath

__all__ = [
    "DIR_FLAGS",
    "OPEN_BENEATH",
    "READ_DIR_FLAGS",
    "open_node",
    "release",
    "remove_tree",
    "resolve",
    "resolve_parent",
    "stat_node",
]

#: The kernel's "open beneath" call, or ``None`` (the walk is used); tests may reset it.
OPEN_BENEATH: OpenBeneath | None = (
    None if os.environ.get("REMOTE_STORE_LOCAL_NO_OPENAT2") else load_open_beneath()
)

_O_PATH = getattr(os, "O_PATH", 0)
#: A folder handle for ``*at`` calls (``O_PATH`` where it exists: no read right needed).
DIR_FLAGS = (_O_PATH or os.O_RDONLY) | os.O_DIRECTORY | os.O_CLOEXEC
#: A folder handle that can be listed (``fdopendir``) and fsync'd.
READ_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_STEP_FLAGS = DIR_FLAGS | os.O_NOFOLLOW
#: A handle on any node, only to ``fstat`` it (``O_PATH``: nothing is opened for I/O).
_STAT_FLAGS = (_O_PATH or os.O_RDONLY) | os.O_CLOEXEC
# ``os.fsencode`` is a Python function; ``str.encode`` with its arguments is the same in C
_FS_ENCODING = sys.getfilesystemencoding()
_FS_ERRORS = sys.getfilesystemencodeerrors()
_MAX_LINKS = 40


def _escape(key: str) -> InvalidPath:
    return InvalidPath("path escapes the store root", path=key, backend="local")


def release(fd: int, root_fd: int) -> None:
    """Close a descriptor from :func:`resolve` unless it is the root's own."""
    if fd != root_fd:
        os.close(fd)


def resolve_parent(root_fd: int, root: str, key: str, *, create: bool = False) -> tuple[int, str]:
    """``(fd of the folder holding key, key's last name)``; the last name is not followed.

    ``create`` makes the missing folders on the way. Raises ``FileNotFoundError`` (a folder
    is missing), ``NotADirectoryError`` (a file stands where a folder must be) or
    :class:`InvalidPath` (the path leaves the root, or a symlink loop).
    """
    folder, _, name = key.rpartition("/")
    if not folder:
        return root_fd, name
    beneath = OPEN_BENEATH
    if beneath is not None:
        fd = beneath(root_fd, folder.encode(_FS_ENCODING, _FS_ERRORS), DIR_FLAGS)
        if fd >= 0:
            return fd, name
        if fd == -errno.ENOENT and not create:
            raise FileNotFoundError(errno.ENOENT, "folder not found", key)
    return _walk(root_fd, root, key, follow_last=False, create=create)


def resolve(root_fd: int, root: str, key: str) -> tuple[int, str]:
    """Like :func:`resolve_parent`, but a final symlink is followed (inside the root only).

    The name returned is then not a symlink (or missing); ``""`` means the fd itself is
    the node (the root, or a link that ends on a folder).
    """
    if not key:
        return root_fd, ""
    fd, name = resolve_parent(root_fd, root, key)
    try:
        st = os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return fd, name
    except BaseException:
        release(fd, root_fd)
        raise
    if not stat.S_ISLNK(st.st_mode):
        return fd, name
    release(fd, root_fd)
    return _walk(root_fd, root, key, follow_last=True, create=False)


def open_node(root_fd: int, root: str, key: str, flags: int) -> int:
    """Open ``key`` (symlinks followed inside the root only) with ``flags``.

    Raises like :func:`resolve`, plus ``FileNotFoundError`` for a missing node.
    """
    beneath = OPEN_BENEATH
    if beneath is not None:
        fd = beneath(root_fd, key.encode(_FS_ENCODING, _FS_ERRORS) if key else b".", flags)
        if fd >= 0:
            return fd
        if fd in (-errno.ENOENT, -errno.ENOTDIR):
            raise FileNotFoundError(errno.ENOENT, "not found", key)
        if fd not in (-errno.EXDEV, -errno.ELOOP, -errno.EAGAIN):
            raise OSError(-fd, os.strerror(-fd), key)
    for _ in range(8):  # a node swapped for a symlink between resolve and open: resolve again
        folder, name = resolve(root_fd, root, key)
        try:
            return os.open(name or ".", flags | os.O_NOFOLLOW, dir_fd=folder)
        except OSError as exc:
            if exc.errno != errno.ELOOP:
                raise
        finally:
            release(folder, root_fd)
    raise InvalidPath("the path keeps changing into a symlink", path=key, backend="local")


def _walk(root_fd: int, root: str, key: str, *, follow_last: bool, create: bool) -> tuple[int, str]:
    """The component-by-component resolution (see the module docstring)."""
    stack = [root_fd]  # folders held, from the root down; stack[0] is not ours to close
    pending = key.split("/")[::-1]  # components still to resolve, next one last
    links = changes = 0
    try:
        while pending:
            part = pending.pop()
            if part in ("", "."):
                continue
            if part == "..":
                if len(stack) == 1:
                    raise _escape(key)
                os.close(stack.pop())
                continue
            top = stack[-1]
            if not pending:
                if not follow_last:
                    return stack.pop(), part
                target = _link_target(top, part)
                if target is None:
                    return stack.pop(), part
            else:
                fd = _step(top, part, create)
                if fd >= 0:
                    stack.append(fd)
                    continue
                target = _link_target(top, part)
                if target is None:  # it was a symlink a moment ago: look again
                    changes += 1
                    if changes > 8:
                        raise InvalidPath("the path keeps changing", path=key, backend="local")
                    pending.append(part)
                    continue
            links += 1
            if links > _MAX_LINKS:
                raise InvalidPath("too many levels of symbolic links", path=key, backend="local")
            if target.startswith("/"):
                target = _under_root(target, root, key)
                while len(stack) > 1:
                    os.close(stack.pop())
            pending.extend(target.split("/")[::-1])
        return stack.pop(), ""
    finally:
        for fd in stack[1:]:
            os.close(fd)


def _link_target(folder: int, name: str) -> str | None:
    """The target of symlink ``name`` in ``folder``, or ``None`` when it is no symlink."""
    try:
        return os.readlink(name, dir_fd=folder)
    except OSError as exc:
        if exc.errno in (errno.EINVAL, errno.ENOENT):
            return None
        raise


def _step(folder: int, name: str, create: bool) -> int:
    """Open sub-folder ``name`` of ``folder`` without following a symlink; ``-1`` for a symlink.

    Raises ``FileNotFoundError`` (missing, ``create`` false) or ``NotADirectoryError``.
    """
    for _ in range(16):
        try:
            return os.open(name, _STEP_FLAGS, dir_fd=folder)
        except FileNotFoundError:
            if not create:
                raise
            try:
                os.mkdir(name, 0o777, dir_fd=folder)
            except FileExistsError:
                pass
        except OSError as exc:
            if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                raise
            try:
                mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(mode):
                return -1
            if not stat.S_ISDIR(mode):
                raise NotADirectoryError(errno.ENOTDIR, "an ancestor is a file", name) from None
    raise InvalidPath("the path keeps changing", path=name, backend="local")


def _under_root(target: str, root: str, key: str) -> str:
    """An absolute symlink target as a path relative to the root, or refuse it."""
    if target == root or target.startswith(root.rstrip("/") + "/"):
        return target[len(root) :]
    real = os.path.realpath(target)  # only ever used as a path *below* the root
    if real == root or real.startswith(root.rstrip("/") + "/"):
        return real[len(root) :]
    raise _escape(key)


def remove_tree(folder: int, name: str) -> None:
    """Remove sub-folder ``name`` of ``folder`` and all it holds, never following a symlink."""
    fd = os.open(name, READ_DIR_FLAGS | os.O_NOFOLLOW, dir_fd=folder)
    try:
        with os.scandir(fd) as entries:
            children = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
        for child, is_dir in children:
            _remove_entry(fd, child, is_dir)
    finally:
        os.close(fd)
    os.rmdir(name, dir_fd=folder)


def _remove_entry(folder: int, name: str, is_dir: bool) -> None:
    try:
        if is_dir:
            try:
                remove_tree(folder, name)
                return
            except OSError as exc:
                if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
                    raise
        try:
            os.unlink(name, dir_fd=folder)
        except IsADirectoryError:  # swapped for a folder since it was listed
            remove_tree(folder, name)
        except OSError as exc:
            if exc.errno != errno.EPERM or not is_dir:  # Linux unlink of a folder is EISDIR
                raise
            remove_tree(folder, name)
    except FileNotFoundError:
        pass  # removed by someone else meanwhile


def stat_node(root_fd: int, root: str, key: str) -> os.stat_result | None:
    """``stat`` of ``key`` (symlinks followed inside the root only); ``None`` when missing.

    A top-level key takes one ``fstatat`` on the root descriptor; a nested one resolves its
    folder first (one ``openat2`` where available).
    """
    if not key:
        return os.fstat(root_fd)
    beneath = OPEN_BENEATH
    if beneath is not None and _O_PATH and "/" in key:
        # a nested key: one openat2 of the node itself (a final symlink followed by the
        # kernel, beneath the root only), then fstat; anything unusual takes the path below
        fd = beneath(root_fd, key.encode(_FS_ENCODING, _FS_ERRORS), _STAT_FLAGS)
        if fd >= 0:
            try:
                return os.fstat(fd)
            finally:
                os.close(fd)
        if fd in (-errno.ENOENT, -errno.ENOTDIR):
            return None
    for _ in range(8):
        try:
            folder, name = resolve_parent(root_fd, root, key)
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            st = os.stat(name, dir_fd=folder, follow_symlinks=False)
        except (FileNotFoundError, NotADirectoryError):
            return None
        finally:
            release(folder, root_fd)
        if not stat.S_ISLNK(st.st_mode):
            return st
        try:
            folder, name = _walk(root_fd, root, key, follow_last=True, create=False)
        except (FileNotFoundError, NotADirectoryError):
            return None
        try:
            st = os.stat(name, dir_fd=folder, follow_symlinks=False) if name else os.fstat(folder)
        except (FileNotFoundError, NotADirectoryError):
            return None
        finally:
            release(folder, root_fd)
        if not stat.S_ISLNK(st.st_mode):
            return st
    raise InvalidPath("the path keeps changing into a symlink", path=key, backend="local")
