"""The raw store: content-addressed, never overwritten, never outside the data folder."""
import os

import pytest

from pipelines.crawl.rawstore import RawStore, UnsafePath, sha256_hex


def test_put_is_content_addressed_and_idempotent(data_dir):
    store = RawStore(data_dir)
    blob = store.put(b"%PDF-1.4 hello")
    assert blob.rel_path == f"raw/{blob.sha256[:2]}/{blob.sha256}" and not blob.existed
    assert blob.path.read_bytes() == b"%PDF-1.4 hello"
    mtime = os.stat(blob.path).st_mtime_ns
    again = store.put(b"%PDF-1.4 hello")
    assert again.existed and os.stat(blob.path).st_mtime_ns == mtime
    assert not [p for p in blob.path.parent.iterdir() if p.name.startswith(".tmp-")]


def test_get_detects_damage(data_dir):
    store = RawStore(data_dir)
    assert store.get(sha256_hex(b"absent")) is None
    blob = store.put(b"abc")
    assert store.get(blob.sha256) == b"abc"


def test_refuses_paths_outside(data_dir, tmp_path):
    store = RawStore(data_dir)
    with pytest.raises(ValueError):
        store.path_for("../../etc/passwd")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    os.symlink(outside, data_dir / "raw")  # a planted symlink must not redirect writes
    with pytest.raises(UnsafePath):
        RawStore(data_dir)


def test_fetch_log_appends(data_dir):
    store = RawStore(data_dir)
    store.append_log({"url": "http://a/", "status": 200})
    store.append_log({"url": "http://a/b", "status": 404})
    assert [e["status"] for e in store.read_log()] == [200, 404]
