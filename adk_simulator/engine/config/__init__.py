"""One config model and the files it is read from."""
