"""pandas, dask.dataframe, duckdb, polars and pyarrow through remote-store:// URLs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from remote_store_fsspec import StoreFileSystem

CONFIG = """
[backends.disk]
type = "local"
options = {{ root = "{root}" }}

[stores.lake]
backend = "disk"
root = "lake"
"""


@pytest.fixture
def config(tmp_path: Path) -> dict[str, str]:
    root = tmp_path / "disk"
    (root / "lake").mkdir(parents=True)
    path = tmp_path / "stores.toml"
    path.write_text(CONFIG.format(root=root))
    return {"config": str(path)}


def frame(rows: int = 50, offset: int = 0) -> pd.DataFrame:
    return pd.DataFrame(
        {"id": range(offset, offset + rows), "name": [f"n{i}" for i in range(rows)]}
    )


def test_pandas_csv_and_parquet(config: dict[str, str], tmp_path: Path) -> None:
    df = frame()
    df.to_csv("remote-store://lake/pd/data.csv", index=False, storage_options=config)
    back = pd.read_csv("remote-store://lake/pd/data.csv", storage_options=config)
    pd.testing.assert_frame_equal(back, df)
    df.to_parquet("remote-store://lake/pd/data.parquet", storage_options=config)
    back = pd.read_parquet("remote-store://lake/pd/data.parquet", storage_options=config)
    pd.testing.assert_frame_equal(back, df)
    # the files landed in the store's root folder on disk
    assert (tmp_path / "disk" / "lake" / "pd" / "data.parquet").is_file()


def test_dask_csv_and_parquet(config: dict[str, str]) -> None:
    import dask
    import dask.dataframe as dd

    for part in range(4):
        frame(10, part * 10).to_csv(
            f"remote-store://lake/dk/csv/part-{part}.csv", index=False, storage_options=config
        )
    with dask.config.set(scheduler="synchronous"):
        ddf = dd.read_csv("remote-store://lake/dk/csv/*.csv", storage_options=config)
        assert ddf.npartitions == 4
        assert int(ddf["id"].sum().compute()) == sum(range(40))
        ddf.to_parquet("remote-store://lake/dk/pq", storage_options=config, write_index=False)
        back = dd.read_parquet("remote-store://lake/dk/pq", storage_options=config).compute()
    assert sorted(back["id"]) == list(range(40))


def test_duckdb_through_the_registered_filesystem(config: dict[str, str]) -> None:
    import duckdb

    frame(30).to_parquet("remote-store://lake/duck/a.parquet", storage_options=config)
    frame(20, 30).to_csv("remote-store://lake/duck/b.csv", index=False, storage_options=config)
    con = duckdb.connect()
    con.register_filesystem(StoreFileSystem(profile="lake", config=config["config"]))
    total = con.execute("SELECT sum(id) FROM read_parquet('remote-store://lake/duck/a.parquet')")
    assert total.fetchone() == (sum(range(30)),)
    rows = con.execute("SELECT count(*) FROM read_csv('remote-store://lake/duck/*.csv')")
    assert rows.fetchone() == (20,)
    con.execute("COPY (SELECT 7 AS id) TO 'remote-store://lake/duck/out.parquet' (FORMAT parquet)")
    con.close()  # DuckDB calls back into Python: close it before the interpreter exits
    back = pd.read_parquet("remote-store://lake/duck/out.parquet", storage_options=config)
    assert back["id"].tolist() == [7]


def test_polars(config: dict[str, str]) -> None:
    import polars as pl

    fs = StoreFileSystem(profile="lake", config=config["config"])
    frame(25).to_parquet("remote-store://lake/pl/a.parquet", storage_options=config)
    with fs.open("pl/a.parquet", "rb") as f:
        df = pl.read_parquet(f)
    assert df["id"].sum() == sum(range(25))
    with fs.open("pl/b.csv", "wb") as f:
        df.write_csv(f)
    assert pl.read_csv(fs.cat("pl/b.csv"))["id"].to_list() == list(range(25))
    # polars' native readers know only their own URL schemes; its pyarrow path uses fsspec
    by_url = pl.read_parquet(
        "remote-store://lake/pl/a.parquet", storage_options=config, use_pyarrow=True
    )
    assert by_url.equals(df)


def test_pyarrow_dataset_through_fsspec(config: dict[str, str]) -> None:
    import pyarrow.dataset as ds

    for part in range(3):
        frame(5, part * 5).to_parquet(
            f"remote-store://lake/pa/p{part}.parquet", storage_options=config
        )
    fs = StoreFileSystem(profile="lake", config=config["config"])
    table = ds.dataset("pa", filesystem=fs, format="parquet").to_table()
    assert sorted(table.column("id").to_pylist()) == list(range(15))
