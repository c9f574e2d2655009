"""reportgen: the federation's half-yearly report generator."""

__version__ = "0.1.0"
