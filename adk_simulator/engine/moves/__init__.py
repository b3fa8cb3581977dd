"""The person's moves, and the one loop that plays them."""
