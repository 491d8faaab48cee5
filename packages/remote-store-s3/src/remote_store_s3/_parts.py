"""The parts of a multipart upload, shared by the sync and the async backend.

A :class:`PartPool` fills part buffers in place (copied from written chunks, or read
straight from the source with ``readinto``), computes each part's CRC32 while it fills,
and hands out filled parts as streams (:class:`Part`). At most ``PART_BUFFERS`` buffers
are held, allocated on demand and reused from part to part; what sends a part and waits
for it is the sink's (:class:`remote_store_s3._writes.MultipartSink`, the async
``_async_io.Multipart``).

Parts are ``PART_SIZE`` (5 MiB) for the first ``LARGE_AFTER`` parts (100 MiB), then
``LARGE_PART_SIZE`` (8 MiB): fewer, larger requests wrote 256 MiB a few percent faster
than 5 MiB parts (docs/benchmarks.md; boto3's managed transfer keeps ten 8 MiB parts in
flight at +124 MiB RSS, this +29 MiB), while a stream up to 100 MiB holds no more than
three 5 MiB buffers. The cap is fixed whatever the size (``PART_BUFFERS *
LARGE_PART_SIZE`` = 24 MiB, plus the chunks the source and the connection hold), and it
stays under the conformance kit's bounded-memory rule (size / 4 + 4 MiB of traced peak)
at every size: ~18.5 MiB up to 100 MiB (the kit's default file is 64 MiB: 20 MiB), at
most 28 MiB past it (where the bound is at least 29 MiB).

The CRC32 goes out as the part's ``x-amz-checksum-crc32`` header, the checksum botocore
would otherwise compute for an UploadPart by reading the body a second time.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

__all__ = [
    "LARGE_AFTER",
    "LARGE_PART_SIZE",
    "PART_BUFFERS",
    "PART_SIZE",
    "Part",
    "PartPool",
    "part_size",
]

#: Size of the first parts of a multipart upload (S3's minimum is 5 MiB).
PART_SIZE = 5 * 1024 * 1024
#: Size of the parts after the first ``LARGE_AFTER``, the size boto3's managed transfer
#: uses; both double every 1000 parts, so the 10 000-part limit is far away.
LARGE_PART_SIZE = 8 * 1024 * 1024
#: Parts of ``PART_SIZE`` before parts grow to ``LARGE_PART_SIZE`` (100 MiB of content).
#: A stream up to there holds three 5 MiB buffers at most: 15 MiB, under the kit's
#: bounded-memory rule at its default 64 MiB file (size / 4 + 4 MiB = 20 MiB of traced
#: peak), which a one-command certification uses; three 8 MiB buffers would cross it.
LARGE_AFTER = 20
#: Part buffers an upload holds at most, reused from part to part: all of them upload at
#: once while the source waits, and the next part fills in the first one freed. Measured
#: on the 256 MiB benchmark, a fourth or fifth 5 MiB buffer did no better than three
#: 8 MiB parts, and five crossed the 32 MiB RSS budget.
PART_BUFFERS = 3
#: A body up to this size fills a growing buffer; a larger one gets part-sized buffers.
GROWABLE = 1024 * 1024
#: Bytes one ``readinto`` of the source is asked for at most: a source that builds what
#: it copies in (a generated stream, a decoder) then holds at most this much besides the
#: part buffers (the kit's bounded-memory rule counts it).
READ_SIZE = 256 * 1024


def part_size(parts: int) -> int:
    """The size of the next part after ``parts`` parts: ``PART_SIZE`` for the first
    ``LARGE_AFTER``, then ``LARGE_PART_SIZE``; doubles every 1000 parts."""
    return (PART_SIZE if parts < LARGE_AFTER else LARGE_PART_SIZE) << (parts // 1000)


def _crc32(data: Any, value: int) -> int:
    import zlib  # loaded with the first write, not with the plugin

    return zlib.crc32(data, value)


class Part:
    """A filled part: its number, its body (a rewound stream), size and base64 CRC32."""

    __slots__ = ("body", "capacity", "checksum", "number", "size")

    def __init__(self, number: int, body: io.BytesIO, size: int, crc: int, capacity: int):
        import base64

        self.number = number
        self.body = body
        self.size = size
        self.checksum = base64.b64encode(crc.to_bytes(4, "big")).decode("ascii")
        self.capacity = capacity

    def args(self, upload_id: str) -> dict[str, Any]:
        """UploadPart arguments besides bucket and key (the body rewound first)."""
        self.body.seek(0)
        return {
            "UploadId": upload_id,
            "PartNumber": self.number,
            "Body": self.body,
            "ChecksumCRC32": self.checksum,
        }


class PartPool:
    """Part buffers filled in place, at most ``buffers`` of them (see the module).

    ``can_fill()`` says whether the next bytes have a buffer to go to; when it is false,
    the sink waits for its oldest part and gives its buffer back (:meth:`give_back`).
    """

    def __init__(self, buffers: int = PART_BUFFERS) -> None:
        self._limit = buffers
        self._buffer: io.BytesIO | None = io.BytesIO()  # growable until GROWABLE
        self._view: memoryview | None = None  # the writable view of a sized buffer
        self._capacity = 0  # the sized buffer's length (0: growable)
        self._filled = 0
        self._crc = 0
        self._free: list[tuple[int, io.BytesIO]] = []  # (capacity, buffer)
        self._allocated = 0
        #: Parts taken so far (the next part's number minus one).
        self.taken = 0
        #: Bytes fed so far.
        self.size = 0

    @property
    def full(self) -> bool:
        """Whether the part filling has reached its size."""
        return self._capacity > 0 and self._filled >= self._capacity

    @property
    def filled(self) -> int:
        """Bytes in the part filling."""
        return self._filled

    @property
    def sized(self) -> bool:
        """Whether parts fill part-sized buffers (the content is past ``GROWABLE``)."""
        return self._capacity > 0 or self.taken > 0

    def can_fill(self) -> bool:
        """Whether a buffer is there to fill (the current one, a free one or a new one)."""
        return self._buffer is not None or bool(self._free) or self._allocated < self._limit

    def feed(self, view: memoryview) -> int:
        """Copy the start of ``view`` into the part filling; the bytes taken."""
        if self._buffer is not None and not self._capacity:
            if self._filled + len(view) <= min(GROWABLE, part_size(0)):
                self._buffer.write(view)
                return self._count(view)
            self._grow()
        room = self._room()
        piece = view[:room]
        assert self._view is not None
        self._view[self._filled : self._filled + len(piece)] = piece
        return self._count(piece)

    def fill_from(self, readinto: Callable[[Any], int | None]) -> int:
        """One ``readinto`` of the source straight into the part filling (sized buffers
        only); the bytes read, 0 at the end of the source."""
        self._room()
        assert self._view is not None
        start = self._filled
        read = readinto(self._view[start : min(self._capacity, start + READ_SIZE)])
        if not read:
            return 0
        return self._count(self._view[start : start + read])

    def take(self) -> Part:
        """The part filling, as a rewound stream of exactly its bytes."""
        buffer = self._buffer if self._buffer is not None else io.BytesIO()
        capacity, filled = self._capacity, self._filled
        if self._view is not None:
            self._view.release()
            self._view = None
        if filled < capacity:  # the last part: the buffer is not reused
            buffer.seek(filled)
            buffer.truncate()
            capacity = 0
        self.taken += 1
        part = Part(self.taken, buffer, filled, self._crc, capacity)
        self._buffer, self._capacity, self._filled, self._crc = None, 0, 0, 0
        return part

    def body(self) -> bytes:
        """The content so far as one body, when it fits one part (a single PUT)."""
        part = self.take()
        return part.body.getvalue()  # the buffer's own bytes after the truncate: no copy

    def give_back(self, part: Part) -> None:
        """Reuse a confirmed part's buffer for a later part (when it still has the size)."""
        if part.capacity and part.capacity == part_size(self.taken):
            self._free.append((part.capacity, part.body))
        elif part.capacity:
            self._allocated -= 1  # parts grew: a new buffer of the new size replaces it

    def clear(self) -> None:
        """Drop every buffer (an aborted upload)."""
        if self._view is not None:
            self._view.release()
        self._buffer, self._view, self._capacity, self._filled = io.BytesIO(), None, 0, 0
        self._free = []

    # -- internals --------------------------------------------------------------------

    def _count(self, piece: memoryview) -> int:
        self._crc = _crc32(piece, self._crc)
        self._filled += len(piece)
        self.size += len(piece)
        return len(piece)

    def _room(self) -> int:
        """Room left in the part filling, a sized buffer taken first if there is none."""
        if self._buffer is None:
            self._sized_buffer()
        elif not self._capacity:
            self._grow()
        return self._capacity - self._filled

    def _grow(self) -> None:
        """Past a small body: move what the growable buffer holds into a sized one."""
        assert self._buffer is not None
        small = self._buffer.getbuffer()
        try:
            self._sized_buffer()
            assert self._view is not None
            self._view[: len(small)] = small
        finally:
            small.release()

    def _sized_buffer(self) -> None:
        capacity = part_size(self.taken)
        while self._free and self._free[-1][0] != capacity:
            self._free.pop()  # given back before parts grew: replaced by a new one
            self._allocated -= 1
        if self._free:
            buffer = self._free.pop()[1]
        else:
            # a bytes object nobody else holds: written in place through the view, never grown
            buffer = io.BytesIO(bytes(capacity))
            self._allocated += 1
        self._buffer, self._view, self._capacity = buffer, buffer.getbuffer(), capacity
