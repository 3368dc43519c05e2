"""The ``circdebt`` command line."""

from circdebt.cli.app import app, main

__all__ = ["app", "main"]
