"""A plugin module that needs PyYAML but does not declare it."""

import yaml  # undeclared on purpose


def load(text: str) -> object:
    """Parse YAML text."""
    return yaml.safe_load(text)
