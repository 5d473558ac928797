"""Corridor: a platform to run fair temporary labour migration programmes end to end."""

__version__ = "0.1.0"
