"""The ``remote-store`` command line (also ``python -m remote_store``).

``main(argv)`` runs one command and returns its exit code; ``run()`` is the console
script's entry point. See docs/cli.md for the commands, addresses and exit codes.
"""
# PYTHON_ARGCOMPLETE_OK

from __future__ import annotations

import sys
from collections.abc import Sequence

from remote_store_cli._app import build_parser, main
from remote_store_cli._exit import EXIT_CODES, exit_code_of

__all__ = ["EXIT_CODES", "build_parser", "exit_code_of", "main", "run"]


def run(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: run ``main`` and exit with its code."""
    sys.exit(main(argv))
