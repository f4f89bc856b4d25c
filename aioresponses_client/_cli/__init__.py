"""The ``aioresponses-client`` command line (private: the console script is the interface)."""

from ._main import main

__all__ = ["main"]
