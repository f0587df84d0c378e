"""The one error every reader raises, so the extract dispatcher can turn it into `error: {kind, message}`.

`pdf_reader.ReadError` is this same class (an alias kept for old imports): PDF, HTML, DOCX and
legacy .doc readers all fail the same way, and `extract.extract_bytes` passes `kind` and
`message` through unchanged.
"""
from __future__ import annotations

# Kinds a program can branch on (extract-contract.md). Readers use only these.
CORRUPT_FILE = "corrupt_file"  # truncated/broken container, unparsable XML
NOT_A_REPORT = "not_a_report"  # a valid file of some other kind (e.g. a zip that is no Word document)
ENCRYPTED = "encrypted"  # password-protected PDF or Office file
UNSUPPORTED_FORMAT = "unsupported_format"  # e.g. an OLE file handed to the DOCX reader
NEEDS_CONVERTER = "needs_converter"  # legacy .doc and no LibreOffice (`soffice`) on PATH
TIMEOUT = "timeout"  # a converter or the extraction took too long
TOO_LARGE = "too_large"  # would need more memory than a report can plausibly need


class ReaderError(ValueError):
    """A file a reader cannot turn into a Document; `kind` is machine-readable, `message` for people."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
