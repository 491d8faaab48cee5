"""``python -m remote_store``: delegates to remote_store_cli, or exits 11 with a hint."""

from __future__ import annotations

import sys
import types
from typing import Any

import pytest
from remote_store.__main__ import EXIT_NOT_INSTALLED, main


def test_without_the_cli_it_prints_an_install_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "remote_store_cli", None)  # import raises ImportError
    assert main(["ls"]) == EXIT_NOT_INSTALLED == 11
    assert "pip install remote-store-cli" in capsys.readouterr().err


def test_with_the_cli_it_passes_the_arguments_and_the_exit_code(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[list[str], str]] = []

    def fake_main(argv: list[str], *, prog: str) -> int:
        calls.append((argv, prog))
        return 3

    module: Any = types.ModuleType("remote_store_cli")
    module.main = fake_main
    monkeypatch.setitem(sys.modules, "remote_store_cli", module)
    assert main(["cat", "data:x"]) == 3
    assert calls == [(["cat", "data:x"], "python -m remote_store")]


def test_an_import_error_inside_the_cli_is_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    module: Any = types.ModuleType("remote_store_cli")

    def broken(name: str) -> Any:
        raise ImportError("No module named 'rich'", name="rich")

    module.__getattr__ = broken
    monkeypatch.setitem(sys.modules, "remote_store_cli", module)
    with pytest.raises(ImportError, match="rich"):
        main(["ls"])
