"""pytest fixtures that start the real infrastructure for integration tests."""
