"""Progress bars (rich) for transfers: shown on a terminal, silent otherwise."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from remote_store.ext.tree import TreeProgress

__all__ = ["Bars"]


class Bars:
    """Makes progress callbacks; all of them do nothing when bars are disabled."""

    def __init__(self, enabled: bool, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = enabled

    @classmethod
    def for_terminal(cls, quiet: bool) -> Bars:
        """Enabled when stderr is a terminal and the user did not ask for quiet."""
        return cls(not quiet and sys.stderr.isatty())

    def _progress(self) -> Any:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        return Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(binary_units=True),
            TransferSpeedColumn(),
            TextColumn("{task.fields[files]}"),
            TimeRemainingColumn(),
            console=Console(file=self.stream),
            transient=False,
        )

    @contextmanager
    def file(self, description: str, total: int | None) -> Iterator[Callable[[int], object]]:
        """A byte-count callback for one file."""
        if not self.enabled:
            yield _ignore
            return
        with self._progress() as progress:
            task = progress.add_task(description, total=total, files="")

            def advance(count: int) -> None:
                progress.update(task, advance=count)

            yield advance

    @contextmanager
    def tree(self, description: str) -> Iterator[Callable[[TreeProgress], object] | None]:
        """An ``on_progress`` for a folder operation (bytes, and files done of total)."""
        if not self.enabled:
            yield None
            return
        with self._progress() as progress:
            task = progress.add_task(description, total=None, files="")

            def update(state: TreeProgress) -> None:
                files = f"{state.files_done}/{state.files_total} files"
                if state.files_failed:
                    files += f" ({state.files_failed} failed)"
                progress.update(
                    task, completed=state.bytes_done, total=state.bytes_total, files=files
                )

            yield update


def _ignore(count: int) -> None:
    return None
