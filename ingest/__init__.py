"""The ingestion job. Public entry: :class:`Ingestor` (also used by the app for uploads)."""
from .pipeline import Ingestor, iter_files

__all__ = ["Ingestor", "iter_files"]
