"""Parley: news articles in, tables of coded diplomatic interactions out."""

__version__ = "0.1.0"
