"""The package version: the one place it is written (read by hatchling at build time)."""

__version__ = "0.1.0"
