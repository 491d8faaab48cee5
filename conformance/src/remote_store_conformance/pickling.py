"""A pickle audit for stores: no secret value and no live handle in the bytes, and the
copy works in a fresh (spawned) process against the real server.

Backend authors use it in their own tests::

    data = audit_pickle(store, secrets=[os.environ["MY_TOKEN"]])
    assert spawned_round_trip(data, "probe/file.bin") == b"..."
"""

from __future__ import annotations

import pickle
import pickletools
from collections.abc import Iterable
from typing import Any

from remote_store import Capability

__all__ = ["FORBIDDEN_MODULES", "audit_pickle", "pickled_globals", "spawned_round_trip"]

#: Modules whose objects are live handles (sockets, locks, threads, loops, sessions,
#: SDK clients): a store's pickle refers to none of them.
FORBIDDEN_MODULES: tuple[str, ...] = (
    "socket",
    "_socket",
    "ssl",
    "_ssl",
    "select",
    "selectors",
    "threading",
    "_thread",
    "asyncio",
    "concurrent",
    "multiprocessing",
    "aiohttp",
    "aiobotocore",
    "botocore",
    "boto3",
    "s3fs",
    "fsspec",
    "paramiko",
    "asyncssh",
    "sqlalchemy",
    "urllib3",
    "requests",
    "httpx",
    "http",
    "azure",
    "pyarrow",
)

PAYLOAD = b"pickled store round trip \x00\xff" * 100


def pickled_globals(data: bytes) -> set[str]:
    """Every ``module.name`` a pickle refers to (its GLOBAL and STACK_GLOBAL opcodes)."""
    found: set[str] = set()
    strings: list[str] = []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8", "UNICODE"):
            strings.append(str(arg))
        elif op.name == "GLOBAL":
            found.add(str(arg).replace(" ", "."))
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            found.add(f"{strings[-2]}.{strings[-1]}")
    return found


def _forbidden(name: str) -> bool:
    return any(name == m or name.startswith((m + ".", m + "_")) for m in FORBIDDEN_MODULES)


def audit_pickle(obj: Any, secrets: Iterable[str] = ()) -> bytes:
    """``pickle.dumps(obj)``, checked: no secret (as UTF-8, UTF-16 or Latin-1 text) and
    no global from :data:`FORBIDDEN_MODULES`; cloudpickle is checked too when installed.

    Returns the plain pickle; raises ``AssertionError`` naming what was found.
    """
    payloads = {"pickle": pickle.dumps(obj)}
    try:
        import cloudpickle  # type: ignore[import-not-found, unused-ignore]
    except ImportError:  # pragma: no cover - depends on the environment
        pass
    else:
        payloads["cloudpickle"] = cloudpickle.dumps(obj)
    for kind, data in payloads.items():
        for secret in secrets:
            for encoding in ("utf-8", "utf-16-le", "latin-1"):
                needle = secret.encode(encoding, errors="ignore")
                assert needle not in data, f"a secret is in the {kind} bytes ({encoding})"
        bad = sorted(name for name in pickled_globals(data) if _forbidden(name))
        assert not bad, f"the {kind} bytes refer to live handles: {bad}"
    return payloads["pickle"]


def _child_round_trip(data: bytes, path: str, write: bool) -> tuple[bytes, list[str]]:
    store = pickle.loads(data)
    try:
        if write:
            store.write(path, PAYLOAD, overwrite=True)
        content = store.read_bytes(path)
        listed: list[str] = []
        if store.supports(Capability.LIST):
            folder = path.rpartition("/")[0]
            listed = sorted(str(info.path) for info in store.list_files(folder))
        if write:
            store.delete(path)
        return content, listed
    finally:
        store.close()


def spawned_round_trip(data: bytes, path: str, *, write: bool = True) -> tuple[bytes, list[str]]:
    """Unpickle ``data`` in a new *spawned* process and use it there.

    With ``write``: write :data:`PAYLOAD` at ``path``, read it back, list its folder and
    delete it; without: read and list only (no listing
    when the store cannot list). Returns ``(content read, paths listed)``.
    The child inherits this process's environment (where ``${VAR}`` secrets resolve).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(_child_round_trip, data, path, write).result(timeout=120)
