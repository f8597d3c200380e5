"""Models of the doors for other systems, one module each by subject."""
