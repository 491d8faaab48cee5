"""Fixed content the rules seed."""

from __future__ import annotations

__all__ = ["TREE"]

#: A small tree whose names test the listing order: ``-`` and ``.`` sort before the
#: folder ``b`` (taken as ``b/``), ``0`` after it.
TREE: dict[str, bytes] = {
    "a.txt": b"alpha",
    "b-x.txt": b"dash",
    "b.txt": b"dot",
    "b/c.txt": b"charlie",
    "b/d/e.txt": b"echo",
    "b/d/f/g.txt": b"golf",
    "b0.txt": b"zero",
}
