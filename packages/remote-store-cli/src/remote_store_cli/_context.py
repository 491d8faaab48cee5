"""What every command gets: the parsed arguments, the address resolver, output and bars."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from remote_store_cli._addresses import Address, Resolver
from remote_store_cli._output import Output
from remote_store_cli._progress import Bars

__all__ = ["Context"]


@dataclass
class Context:
    """The state of one command run."""

    args: argparse.Namespace
    resolver: Resolver
    out: Output
    bars: Bars

    def resolve(self, text: str) -> Address:
        """The address of ``text``."""
        return self.resolver.resolve(text)
