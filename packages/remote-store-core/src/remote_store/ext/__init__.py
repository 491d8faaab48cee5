"""Extensions: composable layers over a Store. The base ones ship with the core; optional
ones (``arrow``, ``parquet``, ``otel``, ``yaml``, ``pydantic``, ``dagster``) come from
plugin distributions and are importable here once installed."""
