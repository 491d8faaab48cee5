from remote_store_broken import load


def test_load_parses_yaml() -> None:
    assert load("a: 1") == {"a": 1}
