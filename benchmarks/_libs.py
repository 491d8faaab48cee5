"""One adapter per measured library, all with the same small interface.

Loaded inside a worker process (``_worker.py``) whose interpreter has that library
installed; only the chosen library is imported. Keys are ``/``-separated, relative to the
adapter's root (a folder for ``local``, the bucket for ``s3``, nothing for ``memory``).

Every adapter does what a user of that library would write for the job:

* ``write(key, data, new)``: store small bytes; ``new`` says the key does not exist yet
  (the remote-store adapters then use the default ``overwrite=False``, a create).
* ``read(key)`` -> bytes, ``exists(key)`` -> bool, ``info(key)`` -> size and mtime.
* ``count(prefix)``: a recursive listing with sizes (and times where the API gives them).
* ``stream_write(key, stream)`` and ``stream_read(key)``: large files in bounded memory.
"""

from __future__ import annotations

import os
from typing import Any, BinaryIO

CHUNK = 1024 * 1024


class Adapter:
    def write(self, key: str, data: bytes, new: bool) -> None:
        raise NotImplementedError

    def read(self, key: str) -> bytes:
        raise NotImplementedError

    def exists(self, key: str) -> bool:
        raise NotImplementedError

    def info(self, key: str) -> Any:
        raise NotImplementedError

    def count(self, prefix: str) -> int:
        raise NotImplementedError

    def stream_write(self, key: str, stream: BinaryIO) -> None:
        raise NotImplementedError

    def stream_read(self, key: str) -> int:
        raise NotImplementedError

    def close(self) -> None:
        pass


# -- raw baselines ------------------------------------------------------------------------


class RawMemory(Adapter):
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def write(self, key: str, data: bytes, new: bool) -> None:
        self.data[key] = data

    def read(self, key: str) -> bytes:
        return self.data[key]

    def exists(self, key: str) -> bool:
        return key in self.data

    def info(self, key: str) -> Any:
        return len(self.data[key])

    def count(self, prefix: str) -> int:
        return sum(1 for key in self.data if key.startswith(prefix))


class RawLocal(Adapter):
    def __init__(self, root: str) -> None:
        self.root = root
        os.makedirs(root, exist_ok=True)

    def _path(self, key: str) -> str:
        return os.path.join(self.root, key)

    def write(self, key: str, data: bytes, new: bool) -> None:
        path = self._path(key)
        try:
            with open(path, "wb") as handle:
                handle.write(data)
        except FileNotFoundError:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as handle:
                handle.write(data)

    def read(self, key: str) -> bytes:
        with open(self._path(key), "rb") as handle:
            return handle.read()

    def exists(self, key: str) -> bool:
        try:
            os.stat(self._path(key))
        except FileNotFoundError:
            return False
        return True

    def info(self, key: str) -> Any:
        return os.stat(self._path(key))

    def count(self, prefix: str) -> int:
        count = 0
        stack = [self._path(prefix) if prefix else self.root]
        while stack:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir():
                        stack.append(entry.path)
                    else:
                        entry.stat()
                        count += 1
        return count

    def stream_write(self, key: str, stream: BinaryIO) -> None:
        path = self._path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            while chunk := stream.read(CHUNK):
                handle.write(chunk)

    def stream_read(self, key: str) -> int:
        total = 0
        with open(self._path(key), "rb") as handle:
            while chunk := handle.read(CHUNK):
                total += len(chunk)
        return total


class RawS3(Adapter):
    """boto3: what a user of the AWS SDK writes."""

    def __init__(self, endpoint: str, bucket: str) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(s3={"addressing_style": "path"}, max_pool_connections=16),
        )

    def write(self, key: str, data: bytes, new: bool) -> None:
        self.client.put_object(Bucket=self.bucket, Key=key, Body=data)

    def read(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        return body

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def info(self, key: str) -> Any:
        return self.client.head_object(Bucket=self.bucket, Key=key)

    def count(self, prefix: str) -> int:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=prefix
        )
        return sum(len(page.get("Contents", ())) for page in pages)

    def stream_write(self, key: str, stream: BinaryIO) -> None:
        self.client.upload_fileobj(stream, self.bucket, key)

    def stream_read(self, key: str) -> int:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        return sum(len(chunk) for chunk in body.iter_chunks(CHUNK))

    def close(self) -> None:
        self.client.close()


# -- remote-store (this project and the public 0.27 release share the API) ---------------


class RemoteStore(Adapter):
    def __init__(
        self,
        backend: str,
        root: str | None,
        endpoint: str | None,
        bucket: str | None,
        s3_type: str = "s3",
    ):
        from remote_store import Store

        if backend == "memory":
            from remote_store.backends import MemoryBackend

            self.store = Store(MemoryBackend())
        elif backend == "local":
            from remote_store.backends import LocalBackend

            assert root is not None
            self.store = Store(LocalBackend(root=root))
        else:
            backend_class: Any
            if s3_type == "s3-obstore":  # the same options, only the type differs
                from remote_store_obstore import S3ObstoreBackend

                backend_class = S3ObstoreBackend
            else:
                from remote_store.backends import S3Backend

                backend_class = S3Backend

            assert bucket is not None
            self.store = Store(
                backend_class(
                    bucket=bucket,
                    endpoint_url=endpoint,
                    key="bench",
                    secret="bench",
                    region_name="us-east-1",
                )
            )

    def write(self, key: str, data: bytes, new: bool) -> None:
        self.store.write(key, data, overwrite=not new)

    def read(self, key: str) -> bytes:
        return self.store.read_bytes(key)

    def exists(self, key: str) -> bool:
        return self.store.exists(key)

    def info(self, key: str) -> Any:
        return self.store.get_file_info(key)

    def count(self, prefix: str) -> int:
        return sum(1 for _ in self.store.list_files(prefix, recursive=True))

    def stream_write(self, key: str, stream: BinaryIO) -> None:
        self.store.write(key, stream)

    def stream_read(self, key: str) -> int:
        total = 0
        with self.store.read(key) as handle:
            while chunk := handle.read(CHUNK):
                total += len(chunk)
        return total

    def close(self) -> None:
        self.store.close()


# -- fsspec (+ s3fs) ------------------------------------------------------------------------


class Fsspec(Adapter):
    def __init__(self, backend: str, root: str | None, endpoint: str | None, bucket: str | None):
        import fsspec

        if backend == "memory":
            self.fs = fsspec.filesystem("memory", skip_instance_cache=True)
            self.base = "/bench"
        elif backend == "local":
            self.fs = fsspec.filesystem("file", auto_mkdir=True, skip_instance_cache=True)
            assert root is not None
            os.makedirs(root, exist_ok=True)
            self.base = root
        else:
            import s3fs

            self.fs = s3fs.S3FileSystem(
                key="bench",
                secret="bench",
                endpoint_url=endpoint,
                client_kwargs={"region_name": "us-east-1"},
                use_listings_cache=False,
                skip_instance_cache=True,
            )
            self.base = str(bucket)

    def _path(self, key: str) -> str:
        return f"{self.base}/{key}" if key else self.base

    def write(self, key: str, data: bytes, new: bool) -> None:
        self.fs.pipe_file(self._path(key), data)

    def read(self, key: str) -> bytes:
        data: bytes = self.fs.cat_file(self._path(key))
        return data

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self._path(key)))

    def info(self, key: str) -> Any:
        return self.fs.info(self._path(key))

    def count(self, prefix: str) -> int:
        return len(self.fs.find(self._path(prefix), detail=True))

    def stream_write(self, key: str, stream: BinaryIO) -> None:
        path = self._path(key)
        self.fs.makedirs(self.fs._parent(path), exist_ok=True)
        with self.fs.open(path, "wb") as handle:
            while chunk := stream.read(CHUNK):
                handle.write(chunk)

    def stream_read(self, key: str) -> int:
        total = 0
        with self.fs.open(self._path(key), "rb") as handle:
            while chunk := handle.read(CHUNK):
                total += len(chunk)
        return total


# -- obstore ----------------------------------------------------------------------------------


class Obstore(Adapter):
    def __init__(self, backend: str, root: str | None, endpoint: str | None, bucket: str | None):
        import obstore
        from obstore.store import LocalStore, MemoryStore, S3Store

        self.ob = obstore
        if backend == "memory":
            self.store: Any = MemoryStore()
        elif backend == "local":
            assert root is not None
            os.makedirs(root, exist_ok=True)
            self.store = LocalStore(root)
        else:
            self.store = S3Store(
                bucket,
                endpoint=endpoint,
                access_key_id="bench",
                secret_access_key="bench",
                region="us-east-1",
                virtual_hosted_style_request=False,
                client_options={"allow_http": True},
            )

    def write(self, key: str, data: bytes, new: bool) -> None:
        self.ob.put(self.store, key, data, mode="create" if new else "overwrite")

    def read(self, key: str) -> bytes:
        return bytes(self.ob.get(self.store, key).bytes())

    def exists(self, key: str) -> bool:
        try:
            self.ob.head(self.store, key)
        except FileNotFoundError:
            return False
        return True

    def info(self, key: str) -> Any:
        return self.ob.head(self.store, key)

    def count(self, prefix: str) -> int:
        return sum(len(batch) for batch in self.ob.list(self.store, prefix or None))

    def stream_write(self, key: str, stream: BinaryIO) -> None:
        # a file-like must be seekable for obstore; an iterator of chunks streams
        self.ob.put(self.store, key, iter(lambda: stream.read(CHUNK), b""))

    def stream_read(self, key: str) -> int:
        return sum(len(chunk) for chunk in self.ob.get(self.store, key))


def make(
    lib: str, backend: str, *, root: str | None, endpoint: str | None, bucket: str | None
) -> Adapter:
    """The adapter of ``lib`` (raw, project, public, fsspec, obstore, rs-obstore) on ``backend``."""
    if lib == "raw":
        if backend == "memory":
            return RawMemory()
        if backend == "local":
            assert root is not None
            return RawLocal(root)
        assert endpoint is not None and bucket is not None
        return RawS3(endpoint, bucket)
    if lib in ("project", "public"):
        return RemoteStore(backend, root, endpoint, bucket)
    if lib == "rs-obstore":
        if backend != "s3":
            raise ValueError("the s3-obstore column measures S3 only")
        return RemoteStore(backend, root, endpoint, bucket, s3_type="s3-obstore")
    if lib == "fsspec":
        return Fsspec(backend, root, endpoint, bucket)
    if lib == "obstore":
        return Obstore(backend, root, endpoint, bucket)
    raise ValueError(lib)
