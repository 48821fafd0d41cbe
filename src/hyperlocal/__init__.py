"""hyperlocal: an open-source platform for neighbourhood commerce."""

__version__ = "0.1.0"
