"""consultation: votes models."""

__all__: list[str] = []
