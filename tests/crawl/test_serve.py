"""serve_directory: the folder and nothing else, no listings."""
import os

import requests

from pipelines.crawl.serve import serve_directory


def test_serves_files_only_inside(tmp_path):
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    (site / "index.html").write_text("<html>home</html>", encoding="utf-8")
    (site / "sub" / "a.txt").write_text("a", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    os.symlink(tmp_path / "secret.txt", site / "leak.txt")
    with serve_directory(site) as base:
        assert base.startswith("http://127.0.0.1:")
        assert requests.get(base + "/index.html", timeout=5).text == "<html>home</html>"
        assert requests.get(base + "/sub/a.txt", timeout=5).text == "a"
        assert requests.get(base + "/sub/", timeout=5).status_code == 404  # no listing
        assert requests.get(base + "/leak.txt", timeout=5).status_code == 404  # symlink out
        r = requests.get(base + "/../secret.txt", timeout=5)
        assert r.status_code == 404 and "secret" not in r.text
