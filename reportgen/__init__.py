"""reportgen: the federation's half-yearly report generator."""

__version__ = "0.2.0"
