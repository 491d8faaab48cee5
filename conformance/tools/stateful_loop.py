"""Certify one backend class of ``tests/broken_backends.py`` N times; count the certificates.

Used to show the stateful test has no flakes: every run draws new random sequences.

    python conformance/tools/stateful_loop.py NoExclusiveCreate 50 [-k random_operations]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from test_kit_meta import certify_class


def main(backend: str, runs: int, *pytest_args: str) -> int:
    certified = 0
    started = time.monotonic()
    for index in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            proc, cert = certify_class(Path(folder), backend, *pytest_args)
        ok = bool(cert and cert["certified"])
        certified += ok
        if not ok:
            print(f"run {index + 1}: NOT CERTIFIED\n{proc.stdout[-3000:]}")
    elapsed = time.monotonic() - started
    print(f"{backend}: {certified}/{runs} certified in {elapsed:.0f} s")
    return 0 if certified == runs else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:]))
