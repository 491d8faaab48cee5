"""The pytest plugin entry point (options and certificate come with the kit)."""
