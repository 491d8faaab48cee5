"""Progress-bar adapters: a callback for the ``on_progress``/``callback`` arguments.

``tqdm_progress`` and ``rich_progress`` are context managers yielding a callable that
advances a bar by a byte count. The libraries are imported when an adapter is used, and
a missing one raises :class:`ModuleNotFoundError` naming the package to install::

    with tqdm_progress(total=size, description="upload") as advance:
        upload(store, "big.bin", "remote/big.bin", on_progress=advance)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import import_module
from typing import Any

__all__ = ["rich_progress", "tqdm_progress"]


def _require(module: str, package: str) -> Any:
    try:
        return import_module(module)
    except ImportError as exc:
        raise ModuleNotFoundError(
            f"{package} is not installed; `pip install {package}` to use this progress adapter",
            name=module,
        ) from exc


@contextmanager
def tqdm_progress(
    total: int | None = None, *, description: str | None = None, **options: Any
) -> Iterator[Callable[[int], object]]:
    """A tqdm bar counting bytes; extra ``options`` go to ``tqdm.tqdm``."""
    tqdm = _require("tqdm", "tqdm").tqdm
    settings: dict[str, Any] = {"unit": "B", "unit_scale": True, "unit_divisor": 1024}
    settings.update(options)
    bar = tqdm(total=total, desc=description, **settings)
    try:
        yield bar.update
    finally:
        bar.close()


@contextmanager
def rich_progress(
    total: int | None = None, *, description: str = "transfer", console: Any = None
) -> Iterator[Callable[[int], object]]:
    """A rich progress bar counting bytes (transfer speed and size columns)."""
    progress_module = _require("rich.progress", "rich")
    columns = (
        progress_module.TextColumn("{task.description}"),
        progress_module.BarColumn(),
        progress_module.DownloadColumn(),
        progress_module.TransferSpeedColumn(),
    )
    progress = progress_module.Progress(*columns, console=console)
    task = progress.add_task(description, total=total)

    def advance(count: int) -> None:
        progress.update(task, advance=count)

    with progress:
        yield advance
