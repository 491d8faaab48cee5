"""A tour of remote-store on the embedded backends: a local folder and memory.

Run it with ``./dev demo``. Every step prints what it did; nothing outside a temporary
folder is touched.
"""

from __future__ import annotations

import tempfile

from remote_store import AlreadyExists, Capability, CapabilityNotSupported, NotFound, Store
from remote_store.backends import LocalBackend, MemoryBackend


def tour(store: Store, label: str) -> None:
    print(f"\n== {label}: {store!r}")
    store.write("reports/2026/january.csv", b"day,amount\n1,10\n")
    store.write_text("reports/2026/february.csv", "day,amount\n1,12\n")
    store.write("notes/readme.txt", b"hello from remote-store")
    print("files:", [str(f.path) for f in store.list_files("", recursive=True)])
    print("folders:", [str(f.path) for f in store.list_folders("reports", max_depth=1)])
    print("read:", store.read_text("notes/readme.txt"))

    store.move("notes/readme.txt", "archive/readme.txt")
    print("moved: notes/readme.txt exists?", store.exists("notes/readme.txt"))

    with store.open_atomic("reports/2026/total.csv") as sink:
        sink.write(b"total\n22\n")
    print("atomic write ->", store.get_file_info("reports/2026/total.csv").size, "bytes")

    try:
        store.write("archive/readme.txt", b"clobber?")
    except AlreadyExists as exc:
        print("refused overwrite:", exc)

    try:
        store.read_bytes("no/such/file")
    except NotFound as exc:
        print("typed error:", type(exc).__name__, "-", exc)

    if not store.supports(Capability.GLOB):
        try:
            list(store.glob("**/*.csv"))
        except CapabilityNotSupported as exc:
            print("capability refusal:", exc.capability)
    else:
        print("glob:", [str(f.path) for f in store.glob("**/*.csv")])

    scoped = store.child("reports")
    print("child store sees:", [str(f.path) for f in scoped.list_files("2026")])


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        with Store(LocalBackend(root=folder)) as local:
            tour(local, "local folder")
    with Store(MemoryBackend()) as memory:
        tour(memory, "memory")
    print("\ndemo finished")


if __name__ == "__main__":
    main()
