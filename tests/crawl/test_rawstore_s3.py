"""The raw store on S3-compatible object storage: a real moto S3 server on 127.0.0.1, reached
through fsspec/s3fs exactly as a MinIO or S3 endpoint would be ($XXGK_RAW_URL, $XXGK_S3_ENDPOINT_URL)."""
from __future__ import annotations

import json
import os

import pytest
from crawl_testkit import FAST

from pipelines import settings
from pipelines.crawl.rawstore import RawCorrupt, RawStore, sha256_hex

BUCKET = "xxgk-raw"
# a real report of the sample county (PDF), and the HTML one the end-to-end check extracts
REPORT = settings.SAMPLE_PORTAL_DIR / "zfxxgk/zfxxgknb/202102/P020210219034664567248.pdf"

pytestmark = pytest.mark.skipif(not REPORT.exists(), reason="data/sample_portal/ not generated")


@pytest.fixture(scope="module")
def s3_bucket(s3_server):
    """The session's S3 server, with this module's bucket."""
    s3_server.client.create_bucket(Bucket=BUCKET)
    return s3_server


@pytest.fixture
def s3_store(s3_bucket, data_dir, monkeypatch, request):
    """A RawStore on s3://xxgk-raw/<test name>/raw, configured only through the environment."""
    prefix = f"{request.node.name}/raw"
    for name, value in {"XXGK_RAW_URL": f"s3://{BUCKET}/{prefix}", **s3_bucket.env}.items():
        monkeypatch.setenv(name, value)
    return RawStore(), s3_bucket.client, prefix


def _object(client, key: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_put_and_get_through_the_s3_api(s3_store, data_dir):
    store, client, prefix = s3_store
    data = REPORT.read_bytes()
    blob = store.put(data)
    assert store.remote and blob.sha256 == sha256_hex(data) and not blob.existed
    # same registry name as the local store; the bytes are in the bucket, not on the local disk
    assert blob.rel_path == f"raw/{blob.sha256[:2]}/{blob.sha256}" and blob.path is None
    assert blob.url == f"s3://{BUCKET}/{prefix}/{blob.sha256[:2]}/{blob.sha256}"
    assert _object(client, f"{prefix}/{blob.sha256[:2]}/{blob.sha256}") == data
    assert not (data_dir / "raw" / blob.sha256[:2]).exists()
    assert store.has(blob.sha256) and store.get(blob.sha256) == data
    assert not store.has(sha256_hex(b"absent")) and store.get(sha256_hex(b"absent")) is None
    assert store.put(data).existed  # content-addressed: the second put finds it whole
    with pytest.raises(ValueError):
        store.key_for("../../etc/passwd")


def test_a_blob_altered_behind_the_stores_back_is_caught_and_repaired(s3_store):
    store, client, prefix = s3_store
    data = REPORT.read_bytes()
    sha = store.put(data).sha256
    key = f"{prefix}/{sha[:2]}/{sha}"
    damaged = data[:1000] + bytes([data[1000] ^ 0x01]) + data[1001:]
    client.put_object(Bucket=BUCKET, Key=key, Body=damaged)  # one flipped bit, not through the store
    assert store.has(sha) and store.get(sha) is None and not store.verify(sha)
    with pytest.raises(RawCorrupt):
        with store.local_copy(sha):
            pass
    again = store.put(data)  # the crawl re-downloads good bytes: they replace the damaged object
    assert not again.existed and _object(client, key) == data and store.verify(sha)


def test_local_copy_is_a_verified_file_inside_the_data_folder(s3_store, data_dir):
    store, _, _ = s3_store
    data = REPORT.read_bytes()
    sha = store.put(data).sha256
    with store.local_copy(sha) as path:
        assert path.is_file() and path.name == sha and path.parent.name == sha[:2]
        assert data_dir.resolve() in path.resolve().parents
        assert sha256_hex(path.read_bytes()) == sha
    assert not path.exists() and not path.parent.exists()  # the temporary copy is gone
    with pytest.raises(FileNotFoundError):
        with store.local_copy(sha256_hex(b"absent")):
            pass


def test_crawl_to_s3_then_extract_from_it(s3_store, data_dir):
    """A tiny site of two real sample-county reports on 127.0.0.1 crawled into the bucket, then both
    extracted from there by the pipeline's extraction step: one matches its truth file cell for
    cell, the other, altered in the bucket after the crawl, is refused as raw_corrupt."""
    from crawl_testkit import Route, html, serve_routes

    from pipelines.crawl.discover import crawl_source
    from pipelines.crawl.fetch import Fetcher
    from pipelines.crawl.profile import profile_from_dict
    from pipelines.stages.extract_stage import extract_documents, load_result

    store, client, prefix = s3_store
    truth = {t: json.loads((settings.SAMPLE_TRUTH_DIR / f"{t}.truth.json").read_text(encoding="utf-8"))
             for t in ("baisha-2019", "hekou-2022")}
    page = {t: (settings.SAMPLE_PORTAL_DIR / v["detail_url"].lstrip("/")).read_bytes() for t, v in truth.items()}
    routes = {"/robots.txt": Route(b"User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"}),
              "/col/index.html": Route(html("政府信息公开年报", "".join(
                  f'<li><a href="{t}.html" title="{v["title"]}">{v["title"]}</a></li>' for t, v in truth.items())))}
    routes.update({f"/col/{t}.html": Route(page[t], headers={"Content-Type": "text/html; charset=utf-8"})
                   for t in truth})
    with serve_routes(routes) as (base, _):
        profile = profile_from_dict({
            "id": "s3", "name": "test", "county": "澄岚县", "start_urls": ["{base_url}/col/index.html"],
            "listing": {"column_path_pattern": "/col/"}, "years": [2019, 2022],
            "orgs": [{"org_id": v["org_id"], "name": v["organisation"].removeprefix("澄岚县"), "type": "township"}
                     for v in truth.values()],
        }, base_url=base, http_overrides=FAST)
        with Fetcher.from_profile(profile, store=store) as fetcher:
            docs = {d.org_id: d for d in crawl_source(profile, fetcher).documents}
    good, bad = docs["baisha"], docs["hekou"]
    assert (good.sha256, bad.sha256) == (truth["baisha-2019"]["sha256"], truth["hekou-2022"]["sha256"])
    assert good.error_kind is None and bad.error_kind is None
    for d in (good, bad):  # in the bucket, not on the local disk
        assert _object(client, f"{prefix}/{d.sha256[:2]}/{d.sha256}") == page[f"{d.org_id}-{d.year}"]
    assert not [p for p in (data_dir / "raw").rglob("*") if p.is_file() and len(p.name) == 64]

    bad_key = f"{prefix}/{bad.sha256[:2]}/{bad.sha256}"
    client.put_object(Bucket=BUCKET, Key=bad_key, Body=page["hekou-2022"].replace(b"</html>", b"</html> "))
    # the registry's paths, as the ingest assets pass them (data folder / raw_path)
    summary = extract_documents([(d.sha256, data_dir / d.raw_path) for d in (good, bad)], workers=1)
    assert (summary.extracted, summary.failed, summary.failed_by_kind) == (2, 1, {"raw_corrupt": 1})
    result = load_result(good.sha256)
    assert result["status"] == "ok" and result["sha256"] == good.sha256
    assert result["cells"] == truth["baisha-2019"]["cells"]
    assert not os.listdir(data_dir / "tmp")  # the downloaded copies were removed


def test_the_review_app_reads_a_document_from_the_object_store(s3_store, data_dir):
    """`xxgk review` shows a stored PDF's pages from wherever the raw store lives: with the blobs in
    the bucket, the page view gets a verified local copy for the request, removed afterwards; a
    blob altered behind the store's back is not shown."""
    import duckdb

    from pipelines.review import queue

    store, client, prefix = s3_store
    sha = store.put(REPORT.read_bytes()).sha256
    columns = [c.strip() for c in queue.DOC_COLUMNS.split(",")]
    settings.warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(settings.warehouse_path()))
    con.execute("create schema core")
    con.execute(f"create table core.documents ({', '.join(f'{c} varchar' for c in columns)})")
    con.execute("insert into core.documents (document_id, raw_path, format) values (?, ?, 'pdf')",
                [sha, store.rel_path(sha)])
    con.close()
    assert not (data_dir / "raw" / sha[:2]).exists()  # nothing on the local disk
    with queue.raw_file(sha) as path:
        assert path is not None and sha256_hex(path.read_bytes()) == sha
        assert data_dir.resolve() in path.resolve().parents
    assert not path.exists()
    client.put_object(Bucket=BUCKET, Key=f"{prefix}/{sha[:2]}/{sha}", Body=b"%PDF-1.4 not what was stored")
    with queue.raw_file(sha) as path:
        assert path is None
    with queue.raw_file("0" * 64) as path:  # no such document
        assert path is None
