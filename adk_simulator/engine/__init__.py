"""The simulation engine: no Textual import anywhere below this package."""
