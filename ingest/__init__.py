"""The ingestion job. Public entry: :class:`Ingestor` (also used by the app for uploads),
and :func:`accept_upload` which checks and stores an uploaded file before it is ingested."""
from .pipeline import Ingestor, iter_files
from .uploads import UploadRejected, accept_upload

__all__ = ["Ingestor", "UploadRejected", "accept_upload", "iter_files"]
