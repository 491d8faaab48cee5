"""The sync Store's operations are generated from their async source and kept current.

``tools/unasync_store.py`` writes ``remote_store/_store_ops.py`` from
``remote_store/aio/_store_ops.py``; these tests fail when the generated module is stale,
when a rewriting rule breaks, and when an operation is written again by hand in
``Store`` or ``AsyncStore`` instead of once in the source.
"""

from __future__ import annotations

import importlib.util
import inspect
import io
import sys
import tokenize
from pathlib import Path
from types import ModuleType

import pytest
from remote_store import Store
from remote_store.aio import AsyncStore

ROOT = Path(__file__).resolve().parents[2]


def _load() -> ModuleType:
    path = ROOT / "tools" / "unasync_store.py"
    spec = importlib.util.spec_from_file_location("rs_unasync_store", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


unasync = _load()


def test_the_generated_sync_module_is_current() -> None:
    wanted = unasync.generate(unasync.SOURCE.read_text(encoding="utf-8"))
    current = unasync.TARGET.read_text(encoding="utf-8")
    assert current == wanted, "stale: run python tools/unasync_store.py"


def test_check_mode_reports_a_stale_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "_store_ops.py"
    stale.write_text(unasync.TARGET.read_text(encoding="utf-8") + "# edited by hand\n")
    monkeypatch.setattr(unasync, "TARGET", stale)
    monkeypatch.setattr(unasync, "ROOT", tmp_path)
    assert unasync.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().out
    assert unasync.main([]) == 0  # writes it again
    assert unasync.main(["--check"]) == 0
    assert not stale.read_text(encoding="utf-8").endswith("# edited by hand\n")


def test_tokens_are_rewritten_and_strings_and_comments_left_alone() -> None:
    source = (
        '__all__ = ["AsyncStoreOps"]\n'
        "async def f(self, m: Callable[..., Awaitable[R]]) -> AsyncIterator[R]:\n"
        '    """AsyncBackend in a docstring stays."""\n'
        "    async for x in self._backend.list(await m()):  # AsyncBackend stays here\n"
        "        yield x\n"
        "    await self._backend.aclose()\n"
        "    entry = await anext(it, None)\n"
    )
    assert unasync._rewrite_tokens(source) == (
        '__all__ = ["StoreOps"]\n'
        "def f(self, m: Callable[..., R]) -> Iterator[R]:\n"
        '    """AsyncBackend in a docstring stays."""\n'
        "    for x in self._backend.list(m()):  # AsyncBackend stays here\n"
        "        yield x\n"
        "    self._backend.close()\n"
        "    entry = next(it, None)\n"
    )


def test_a_loop_that_only_yields_its_item_becomes_yield_from() -> None:
    rule = unasync._YIELD_ALL
    assert rule.sub(r"\1yield from \3\n", "    for x in g():\n        yield x\n") == (
        "    yield from g()\n"
    )
    kept = "    for x in g():\n        yield x\n        count += 1\n"
    assert rule.sub(r"\1yield from \3\n", kept) == kept


def test_a_source_with_other_imports_is_refused() -> None:
    source = unasync.SOURCE.read_text(encoding="utf-8")
    changed = source.replace("import TYPE_CHECKING, Any, TypeVar", "import TYPE_CHECKING, Any")
    with pytest.raises(unasync.SourceError, match="imports changed"):
        unasync.generate(changed)


def test_async_only_lines_are_left_out_of_the_sync_module() -> None:
    source = unasync.SOURCE.read_text(encoding="utf-8")
    generated = unasync.TARGET.read_text(encoding="utf-8")
    assert source.count(unasync.ASYNC_ONLY) >= 1
    assert unasync.ASYNC_ONLY not in generated
    assert "normalize_content" not in generated
    names = {
        token.string
        for token in tokenize.generate_tokens(io.StringIO(generated).readline)
        if token.type == tokenize.NAME
    }
    assert not names & {"async", "await", "AsyncBackend", "AsyncIterator", "aclose"}


#: What Store and AsyncStore write by hand: each flavour's own way of making a read
#: stream, an open_atomic context, a child store, a seekable read, and its constructor
#: and context-manager methods. Every other operation is written once, in the source.
HAND_WRITTEN: dict[type, set[str]] = {
    Store: {
        "__init__",
        "__enter__",
        "__exit__",
        "_atomic_context",
        "_make_child",
        "_read_stream",
        "read_seekable",
    },
    AsyncStore: {
        "__init__",
        "__aenter__",
        "__aexit__",
        "_atomic_context",
        "_commit_atomic",
        "_make_child",
        "_read_stream",
        "read_seekable",
    },
}


@pytest.mark.parametrize("cls", [Store, AsyncStore])
def test_the_store_classes_write_only_their_own_ways_by_hand(cls: type) -> None:
    own = {
        name
        for name, member in vars(cls).items()
        if callable(member) or isinstance(member, (staticmethod, classmethod))
    }
    assert own == HAND_WRITTEN[cls]


@pytest.mark.parametrize("cls", [Store, AsyncStore])
def test_every_hook_the_operations_leave_open_is_defined_by_both_stores(cls: type) -> None:
    base = cls.__mro__[1]
    hooks = [
        name
        for name, member in vars(base).items()
        if callable(member) and "raise NotImplementedError" in inspect.getsource(member)
    ]
    assert sorted(hooks) == ["_atomic_context", "_make_child", "_read_stream"]
    for name in hooks:
        assert name in vars(cls), f"{cls.__name__} does not define {name}"
