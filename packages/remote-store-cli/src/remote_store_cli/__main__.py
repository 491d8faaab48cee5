"""``python -m remote_store_cli``."""

from remote_store_cli import main

raise SystemExit(main(prog="python -m remote_store_cli"))
