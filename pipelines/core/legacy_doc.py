"""Legacy binary Word `.doc` (OLE2 compound file, magic D0CF11E0) -> Document.

The OLE directory (read with olefile) tells what the file is:
- an `EncryptedPackage` stream is a password-protected DOCX/XLSX (kind `encrypted`);
- a `WordDocument` stream whose FIB has fEncrypted set is a password-protected .doc (`encrypted`);
- a `WordDocument` stream otherwise is a .doc: LibreOffice (`soffice`) converts it to DOCX
  in a private temporary profile (parallel runs do not share a user installation) under a
  time limit, and the DOCX reader reads the result. Without `soffice` the kind is
  `needs_converter`;
- any other OLE file (Excel, PowerPoint, MSI …) is `not_a_report`.
A worker killed mid-conversion cannot stop its soffice (a session of its own): `reap_orphans`
kills it and removes its folder once the owning worker is gone.
"""
from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import tempfile
from pathlib import Path

from .model import Document
from .reader_errors import CORRUPT_FILE, ENCRYPTED, NEEDS_CONVERTER, NOT_A_REPORT, TIMEOUT, ReaderError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONVERT_TIMEOUT_S = 60.0


def _open_ole(data: bytes):
    """The compound file, parsed by olefile; ReaderError(corrupt_file) when it is broken.

    olefile, not a hand-written directory walk: it follows the whole DIFAT (files past ~7 MB keep
    FAT sectors beyond the header's 109 entries, which the old walk took for a broken chain),
    the mini stream and the sibling tree, and it is maintained against hostile files."""
    import olefile

    if data[:8] != OLE_MAGIC or len(data) < 512:
        raise ReaderError(CORRUPT_FILE, "not an OLE2 compound file (bad header)")
    try:
        return olefile.OleFileIO(data)
    except Exception as exc:  # olefile raises OSError, struct.error, IndexError … on hostile bytes
        raise ReaderError(CORRUPT_FILE, f"the OLE2 compound file is damaged ({type(exc).__name__}: {exc}); "
                                        "truncated download?") from None


def ole_streams(data: bytes) -> dict[str, tuple[int, int]]:
    """{entry name: (start sector, size)} of an OLE2 compound file's directory; ReaderError if broken."""
    ole = _open_ole(data)
    try:
        return {e.name: (e.isectStart, e.size) for e in ole.direntries if e is not None}
    finally:
        ole.close()


def classify_ole(data: bytes) -> str:
    """'doc' or raise ReaderError(encrypted | not_a_report | corrupt_file)."""
    ole = _open_ole(data)
    try:
        streams = {e.name for e in ole.direntries if e is not None}
        if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
            raise ReaderError(ENCRYPTED, "password-protected Office document (OLE EncryptedPackage); ask the "
                                         "publisher for an unprotected copy or supply the password")
        if "WordDocument" not in streams:
            kinds = {"Workbook": "an Excel workbook", "Book": "an Excel workbook",
                     "PowerPoint Document": "a PowerPoint presentation"}
            what = next((v for k, v in kinds.items() if k in streams), "an OLE file that is no Word document")
            raise ReaderError(NOT_A_REPORT, f"{what}, not a report")
        try:
            fib = ole.openstream("WordDocument").read(12)
        except Exception as exc:
            raise ReaderError(CORRUPT_FILE, f"the WordDocument stream cannot be read ({exc})") from None
    finally:
        ole.close()
    if len(fib) >= 12 and fib[:2] == b"\xec\xa5":
        flags = struct.unpack_from("<H", fib, 0x0A)[0]
        if flags & 0x0100:  # FIB fEncrypted
            raise ReaderError(ENCRYPTED, "password-protected Word .doc; ask the publisher for an "
                                         "unprotected copy or supply the password")
    return "doc"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_doc_to_docx(data: bytes, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """The DOCX LibreOffice makes of a .doc; ReaderError(needs_converter | timeout | corrupt_file)."""
    exe = soffice_path()
    if exe is None:
        raise ReaderError(NEEDS_CONVERTER, "legacy Word .doc needs LibreOffice to convert it: install it "
                                           "(apt-get install libreoffice-writer-nogui) so `soffice` is on "
                                           "PATH, or supply a DOCX/PDF copy")
    # The folder names its owner, so a later run can kill and clean what a killed worker left
    # (soffice runs in a session of its own and outlives a SIGKILL of the worker's group).
    with tempfile.TemporaryDirectory(prefix=f"{_TMP_PREFIX}{os.getpid()}-") as tmp:
        src = Path(tmp) / "report.doc"
        src.write_bytes(data)
        outdir = Path(tmp) / "out"
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--nologo", "--convert-to", "docx", "--outdir", str(outdir), str(src)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, env={**os.environ, "HOME": tmp})
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice is a wrapper: kill soffice.bin too
            proc.communicate()
            raise ReaderError(TIMEOUT, f"LibreOffice took longer than {timeout_s:.0f} s to convert the "
                                       ".doc; convert it by hand") from None
        result = outdir / "report.docx"
        if not result.is_file():
            raise ReaderError(CORRUPT_FILE, "LibreOffice could not convert the .doc (exit code "
                                            f"{proc.returncode}: {err.decode(errors='replace')[-200:].strip()})")
        return result.read_bytes()


_TMP_PREFIX = "xxgk-doc-"


def reap_orphans(tmp_root: str | None = None) -> list[str]:
    """Kill LibreOffice processes and remove temp folders whose owning worker is gone.

    A worker killed on timeout, or a run killed with SIGKILL, cannot clean up after itself:
    its soffice keeps running (its own session) and its profile folder stays in /tmp.
    Returns one line per folder cleaned."""
    import re

    root = Path(tmp_root or tempfile.gettempdir())
    actions = []
    for folder in root.glob(f"{_TMP_PREFIX}*-*"):
        m = re.match(rf"{_TMP_PREFIX}(\d+)-", folder.name)
        if not m or not folder.is_dir() or _pid_alive(int(m.group(1))):
            continue
        killed = _kill_processes_using(str(folder))
        shutil.rmtree(folder, ignore_errors=True)
        actions.append(f"removed {folder}" + (f" and killed {killed} LibreOffice process(es)" if killed else "")
                       + " left by a killed extraction worker")
    return actions


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is gone for our purpose
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _kill_processes_using(folder: str) -> int:
    """SIGKILL every process whose command line names `folder` (soffice, oosplash, soffice.bin)."""
    killed = 0
    needle = folder.encode()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
    return killed


def read_doc(data: bytes, timeout_s: float = CONVERT_TIMEOUT_S) -> Document:
    classify_ole(data)
    from .docx_reader import read_docx

    doc = read_docx(convert_doc_to_docx(data, timeout_s))
    doc.format = "doc"
    return doc
