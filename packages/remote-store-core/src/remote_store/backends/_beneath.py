"""Kernel-enforced "open beneath a folder" for the local backend (Linux ``openat2``).

``openat2(dirfd, path, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS)`` refuses, inside the
kernel and in one system call, any path whose resolution leaves ``dirfd`` (through a
symlink, absolute or relative). It fails with ``EXDEV`` in that case, and also for an
absolute symlink that stays inside: the caller then falls back to its slower check
(``O_PATH`` + ``/proc/self/fd`` readlink), so behaviour never changes, only speed.

Unavailable (``None``) off Linux, on other architectures, when ``ctypes`` is missing,
or when the kernel or a seccomp filter refuses the call.
"""

from __future__ import annotations

import os
import platform
import sys
from collections.abc import Callable

__all__ = ["OpenBeneath", "load_open_beneath"]

#: ``open_beneath(dirfd, key_bytes, flags) -> fd`` or ``-errno``.
OpenBeneath = Callable[[int, bytes, int], int]

_SYS_OPENAT2 = 437  # the same number on every architecture using the unified table
_ARCHES = {"x86_64", "aarch64", "arm64", "i386", "i686", "armv7l", "riscv64", "ppc64le", "s390x"}
_RESOLVE_NO_MAGICLINKS = 0x02
_RESOLVE_BENEATH = 0x08
_AT_FDCWD = -100


def load_open_beneath() -> OpenBeneath | None:
    """The ``openat2`` wrapper, or ``None`` when it cannot be used here."""
    if not sys.platform.startswith("linux") or platform.machine() not in _ARCHES:
        return None
    try:
        import ctypes
    except ImportError:  # pragma: no cover - CPython builds without ctypes
        return None

    class OpenHow(ctypes.Structure):
        _fields_ = [
            ("flags", ctypes.c_uint64),
            ("mode", ctypes.c_uint64),
            ("resolve", ctypes.c_uint64),
        ]

    try:
        syscall = ctypes.CDLL(None, use_errno=True).syscall
    except (OSError, AttributeError):  # pragma: no cover
        return None
    syscall.restype = ctypes.c_long
    # No ``argtypes``: converting each argument through them costs more than the system
    # call. The arguments are passed as ready C values instead: the call number and the
    # struct size as prebuilt ``c_long`` / ``c_size_t``, the path as ``char *``, the struct
    # by reference, ``dirfd`` as a C ``int`` (what the kernel reads it as).
    number = ctypes.c_long(_SYS_OPENAT2)
    resolve = _RESOLVE_BENEATH | _RESOLVE_NO_MAGICLINKS
    hows: dict[int, tuple[object, object, object]] = {}
    get_errno = ctypes.get_errno
    byref = ctypes.byref

    def open_beneath(dirfd: int, path: bytes, flags: int) -> int:
        entry = hows.get(flags)
        if entry is None:
            how = OpenHow(flags, 0, resolve)
            size = ctypes.c_size_t(ctypes.sizeof(how))
            entry = hows[flags] = (byref(how), size, how)  # keeps ``how`` alive
        fd: int = syscall(number, dirfd, path, entry[0], entry[1])
        return fd if fd >= 0 else -get_errno()

    probe = open_beneath(_AT_FDCWD, b".", os.O_PATH | os.O_CLOEXEC)
    if probe < 0:  # ENOSYS (old kernel), EPERM (seccomp), ...: the portable path
        return None
    os.close(probe)
    return open_beneath
