"""Pickle audit: a sql-blob store travels without its database password."""

from __future__ import annotations

import pickle

import pytest
import sqlalchemy as sa
from remote_store import Store, resolve_env
from remote_store.errors import NotPicklable, SecretNotPicklable
from remote_store_conformance.pickling import PAYLOAD, audit_pickle, spawned_round_trip
from remote_store_conformance.servers import server_missing
from remote_store_sql import SQLBlobBackend

from .conftest import PG_URL, table_name

PASSWORD = "sql-audit-password-0001"  # the local server trusts loopback: any password works


def with_password(url: str) -> str:
    parsed = sa.engine.make_url(url)
    return parsed.set(password=PASSWORD).render_as_string(hide_password=False)


def test_url_from_env_pickles_without_password_and_works_when_spawned(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RS_AUDIT_PG", with_password(PG_URL))
    table = table_name()
    try:
        backend = SQLBlobBackend(**resolve_env({"url": "${RS_AUDIT_PG}"}), table_name=table)
    except Exception as exc:
        server_missing(f"PostgreSQL is not reachable: {type(exc).__name__}")
    store = Store(backend)
    try:
        store.write("probe/seed.txt", b"seed")  # the engine's pool holds a connection now
        data = audit_pickle(store, secrets=[PASSWORD])
        content, listed = spawned_round_trip(data, "probe/copy.bin")
        assert content == PAYLOAD and listed == ["probe/copy.bin", "probe/seed.txt"]
        assert not store.exists("probe/copy.bin")
    finally:
        with backend._engine.begin() as conn:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        store.close()


def test_inline_url_with_password_refuses(tmp_path: object) -> None:
    store = Store(SQLBlobBackend(f"sqlite:///{tmp_path}/a.db"))
    pickle.loads(pickle.dumps(store)).close()  # no credentials: it travels as given
    url = "postgresql+psycopg://u:inline-pw@127.0.0.1:1/x"
    backend = SQLBlobBackend.__new__(SQLBlobBackend, url)  # recorded, never connected
    with pytest.raises(SecretNotPicklable) as info:
        pickle.dumps(backend)
    assert info.value.option == "SQLBlobBackend.url"
    store.close()


def test_engine_refuses_with_a_typed_error(tmp_path: object) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/b.db")
    store = Store(SQLBlobBackend(engine=engine))
    with pytest.raises(NotPicklable, match=r"SQLBlobBackend\.engine"):
        pickle.dumps(store)
    store.close()
    engine.dispose()
