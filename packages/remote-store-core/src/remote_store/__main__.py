"""``python -m remote_store``: the command line of remote-store-cli, when it is installed."""

from __future__ import annotations

import sys

#: Exit code when the command line is not installed (documented in docs/cli.md).
EXIT_NOT_INSTALLED = 11


def main(argv: list[str] | None = None) -> int:
    """Delegate to ``remote_store_cli.main``; without it, print how to install it."""
    try:
        from remote_store_cli import main as cli_main  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        if exc.name is None or not exc.name.startswith("remote_store_cli"):
            raise
        sys.stderr.write(
            "remote-store: the command line is not installed; "
            "`pip install remote-store-cli` (or the meta distribution `remote-store`)\n"
        )
        return EXIT_NOT_INSTALLED
    return int(cli_main(sys.argv[1:] if argv is None else argv, prog="python -m remote_store"))


if __name__ == "__main__":
    raise SystemExit(main())
