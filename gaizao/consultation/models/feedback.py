"""consultation: feedback models."""

__all__: list[str] = []
