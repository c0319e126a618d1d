"""Tests of the show operator (a package: a bare `operator` path would shadow the standard library's
module of that name in pytest's importlib mode)."""
