"""JSON Schema normalisation, validation, the form field model, docstrings."""
