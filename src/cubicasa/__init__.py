"""Python client for the CubiCasa Integrate API v3."""

from ._version import __version__

__all__ = ["__version__"]
