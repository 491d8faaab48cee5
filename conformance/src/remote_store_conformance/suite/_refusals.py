"""Rules for capabilities a backend does *not* declare: refused before any I/O."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from remote_store import Backend, Capability, Store
from remote_store.errors import AlreadyExists, CapabilityNotSupported

from remote_store_conformance._helpers import snapshot
from remote_store_conformance._markers import refusal
from remote_store_conformance._spy import IOSpy
from remote_store_conformance.suite._base import Seed

__all__ = ["RefusalRules"]

Attempt = Callable[[Store], object]

#: For each method gate, calls that must be refused when the capability is undeclared.
GATED: dict[Capability, tuple[Attempt, ...]] = {
    Capability.READ: (
        lambda s: s.read("r.txt"),
        lambda s: s.read_bytes("r.txt"),
        lambda s: s.read_text("r.txt"),
        lambda s: s.read_seekable("r.txt"),
    ),
    Capability.WRITE: (
        lambda s: s.write("w.txt", b"data"),
        lambda s: s.write("w.txt", b"data", overwrite=True),
        lambda s: s.write_text("w.txt", "data"),
    ),
    Capability.DELETE: (
        lambda s: s.delete("d.txt"),
        lambda s: s.delete("d.txt", missing_ok=True),
        lambda s: s.delete_folder("d", recursive=True),
    ),
    Capability.LIST: (
        lambda s: s.list_files(""),
        lambda s: s.list_files("", recursive=True),
        lambda s: s.list_folders(""),
        lambda s: s.iter_children(""),
    ),
    Capability.GLOB: (lambda s: s.glob("**/*"),),
    Capability.MOVE: (lambda s: s.move("a.txt", "b.txt"),),
    Capability.COPY: (lambda s: s.copy("a.txt", "b.txt"),),
    Capability.ATOMIC_WRITE: (
        lambda s: s.write_atomic("w.txt", b"data"),
        lambda s: s.open_atomic("w.txt"),
    ),
    Capability.METADATA: (
        lambda s: s.get_file_info("m.txt"),
        lambda s: s.head("m.txt"),
        lambda s: s.get_folder_info(""),
    ),
    Capability.CONDITIONAL_WRITE: (
        lambda s: s.write("c.txt", b"data", if_match="some-etag"),
        lambda s: s.write("c.txt", b"data", if_none_match="*"),
    ),
    Capability.BULK_DELETE: (
        lambda s: s.delete_many(["d.txt"]),
        lambda s: s.delete_many(["d.txt"], missing_ok=True),
    ),
    Capability.USER_METADATA: (
        lambda s: s.write("u.txt", b"data", metadata={"k": "v"}),
        lambda s: s.write_atomic("u.txt", b"data", metadata={"k": "v"}),
    ),
}


def _refused(capability: Capability) -> pytest.MarkDecorator:
    return refusal(capability)


class RefusalRules:
    """An undeclared capability is refused with CapabilityNotSupported, before any I/O."""

    @pytest.mark.parametrize(
        "capability",
        [pytest.param(c, marks=_refused(c), id=c.value) for c in GATED],
    )
    def test_undeclared_capability_is_refused_before_any_io(
        self, rs_backend: Backend, capability: Capability
    ) -> None:
        before = snapshot(rs_backend)
        spy = IOSpy(rs_backend)
        store = Store(spy, _owns=False)  # type: ignore[arg-type]
        for attempt in GATED[capability]:
            with pytest.raises(CapabilityNotSupported) as caught:
                attempt(store)
            assert caught.value.capability == capability.value, "the error names the capability"
            assert spy.calls == [], f"the refusal called the backend: {spy.calls}"
        assert snapshot(rs_backend) == before

    @refusal(Capability.USER_METADATA)
    def test_file_info_metadata_is_none_without_user_metadata(self, rs_backend: Backend) -> None:
        caps = rs_backend.capabilities
        if Capability.WRITE not in caps or Capability.METADATA not in caps:
            pytest.skip("needs WRITE and METADATA to observe")
        store = Store(rs_backend, _owns=False)
        result = store.write("plain.txt", b"x")
        assert not result.metadata
        assert store.get_file_info("plain.txt").metadata is None

    @refusal(Capability.WRITE_RESULT_NATIVE)
    def test_write_result_is_not_native_when_undeclared(self, rs_backend: Backend) -> None:
        store = Store(rs_backend, _owns=False)
        if Capability.WRITE not in rs_backend.capabilities:
            with pytest.raises(CapabilityNotSupported):  # no write, so no result at all
                store.write("plain.txt", b"x")
            return
        assert store.write("plain.txt", b"x").source != "native"

    @refusal(Capability.SEEKABLE_READ)
    def test_read_seekable_falls_back_when_seekable_read_is_undeclared(
        self, rs_backend: Backend, rs_seed: Seed
    ) -> None:
        if Capability.READ not in rs_backend.capabilities:
            pytest.skip("nothing to read")
        store = rs_seed({"seek.bin": b"0123456789"})
        with store.read_seekable("seek.bin") as stream:
            assert stream.seekable()
            stream.seek(5)
            assert stream.read() == b"56789"

    @refusal(Capability.EXCLUSIVE_CREATE)
    def test_store_checks_existence_when_exclusive_create_is_undeclared(
        self, rs_backend: Backend
    ) -> None:
        store = Store(rs_backend, _owns=False)
        if Capability.WRITE not in rs_backend.capabilities:
            with pytest.raises(CapabilityNotSupported):  # creates nothing at all
                store.write("once.txt", b"first")
            return
        store.write("once.txt", b"first")
        with pytest.raises(AlreadyExists):
            store.write("once.txt", b"second")

    @refusal(Capability.LAZY_READ)
    def test_lazy_read_is_not_claimed(self, rs_backend: Backend) -> None:
        assert Capability.LAZY_READ not in rs_backend.capabilities

    @refusal(Capability.ATOMIC_MOVE)
    def test_atomic_move_is_not_claimed(self, rs_backend: Backend) -> None:
        assert Capability.ATOMIC_MOVE not in rs_backend.capabilities
