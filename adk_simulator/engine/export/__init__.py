"""The golden trace builder and the eval set file."""
