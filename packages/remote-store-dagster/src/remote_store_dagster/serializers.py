"""How the IO managers turn values into files: the :class:`Serializer` protocol and the
built-in serializers.

The default, ``"auto"``, never pickles: a pyarrow ``Table``/``RecordBatch`` or a pandas
``DataFrame`` is stored as Parquet (needs pyarrow), anything else as JSON (a value JSON
cannot represent is refused with a ``TypeError`` that names ``serializer="pickle"``). Pickle
runs code when loaded: use it only for trusted stores, by asking for it explicitly.
"""

from __future__ import annotations

import json
import pickle
from importlib.util import find_spec
from typing import IO, Any, Protocol, runtime_checkable

__all__ = [
    "AutoSerializer",
    "JsonSerializer",
    "ParquetSerializer",
    "PickleSerializer",
    "Serializer",
    "get_serializer",
]


@runtime_checkable
class Serializer(Protocol):
    """Writes a value to a binary stream and reads it back.

    ``extension`` (with its dot, e.g. ``".json"``) is appended to the stored file's path.
    """

    extension: str

    def dump(self, obj: Any, stream: IO[bytes]) -> None:
        """Write ``obj`` to ``stream``."""

    def load(self, stream: IO[bytes]) -> Any:
        """Read a value from ``stream``."""


class JsonSerializer:
    """UTF-8 JSON (tuples come back as lists)."""

    extension = ".json"

    def dump(self, obj: Any, stream: IO[bytes]) -> None:
        """Write ``obj`` as JSON; ``TypeError`` when JSON cannot represent it."""
        try:
            text = json.dumps(obj)
        except (TypeError, ValueError) as exc:
            raise TypeError(
                f"cannot store a {type(obj).__name__} as JSON ({exc}); return a JSON value, a "
                'pyarrow Table or a pandas DataFrame, or choose serializer="pickle"'
            ) from exc
        stream.write(text.encode())

    def load(self, stream: IO[bytes]) -> Any:
        """The JSON value."""
        return json.loads(stream.read())


class PickleSerializer:
    """Python pickle: any picklable value. Loading a pickle can run arbitrary code."""

    extension = ".pkl"

    def dump(self, obj: Any, stream: IO[bytes]) -> None:
        """Pickle ``obj`` into ``stream``."""
        pickle.dump(obj, stream, protocol=pickle.HIGHEST_PROTOCOL)

    def load(self, stream: IO[bytes]) -> Any:
        """Unpickle (trusted stores only)."""
        return pickle.load(stream)  # explicit opt-in, documented


class ParquetSerializer:
    """Parquet through pyarrow: a ``Table``/``RecordBatch``, or a pandas ``DataFrame``
    (loaded back as a ``DataFrame`` when pandas is installed, else as a ``Table``)."""

    extension = ".parquet"

    def __init__(self, compression: str = "zstd") -> None:
        self.compression = compression

    @staticmethod
    def accepts(obj: Any) -> bool:
        """Whether ``obj`` is a table this serializer stores."""
        module = type(obj).__module__
        if module.startswith("pyarrow"):
            import pyarrow as pa

            return isinstance(obj, (pa.Table, pa.RecordBatch))
        return module.startswith("pandas") and type(obj).__name__ == "DataFrame"

    def dump(self, obj: Any, stream: IO[bytes]) -> None:
        """Write ``obj`` as one Parquet file."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if isinstance(obj, pa.RecordBatch):
            obj = pa.Table.from_batches([obj])
        elif not isinstance(obj, pa.Table):
            if not self.accepts(obj):
                raise TypeError(f"cannot store a {type(obj).__name__} as Parquet")
            obj = pa.Table.from_pandas(obj)
        pq.write_table(obj, stream, compression=self.compression)

    def load(self, stream: IO[bytes]) -> Any:
        """A ``DataFrame`` if one was stored and pandas is installed, else a ``Table``."""
        import pyarrow.parquet as pq

        table = pq.read_table(stream)
        if table.schema.pandas_metadata is not None and find_spec("pandas") is not None:
            return table.to_pandas()
        return table


class AutoSerializer:
    """The default: Parquet for tables and data frames, JSON for everything else."""

    extension = ".json"
    #: The serializers a stored value may have used, in lookup order.
    candidates: tuple[Serializer, ...] = (ParquetSerializer(), JsonSerializer())

    def for_value(self, obj: Any) -> Serializer:
        """The serializer that stores ``obj``."""
        if ParquetSerializer.accepts(obj):
            return self.candidates[0]
        return self.candidates[1]

    def dump(self, obj: Any, stream: IO[bytes]) -> None:
        """Write ``obj`` with the serializer :meth:`for_value` picks."""
        self.for_value(obj).dump(obj, stream)

    def load(self, stream: IO[bytes]) -> Any:
        """Read a JSON value (the IO manager picks by file extension instead)."""
        return JsonSerializer().load(stream)


_NAMED: dict[str, type[Any]] = {
    "auto": AutoSerializer,
    "json": JsonSerializer,
    "pickle": PickleSerializer,
    "parquet": ParquetSerializer,
}


def get_serializer(spec: str | Serializer) -> Serializer:
    """A serializer from its name (``auto``, ``json``, ``parquet``, ``pickle``) or as given."""
    if isinstance(spec, str):
        try:
            return _NAMED[spec]()  # type: ignore[no-any-return]
        except KeyError:
            known = ", ".join(sorted(_NAMED))
            raise ValueError(f"unknown serializer {spec!r}; choose one of {known}") from None
    if not isinstance(spec, Serializer):
        raise TypeError("serializer must be a name or have extension, dump() and load()")
    return spec
