"""`xxgk serve-sample` serves the sample portal on loopback until it is stopped."""
from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import requests


def test_xxgk_serve_sample_serves_the_listing():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    xxgk = Path(sys.executable).with_name("xxgk")
    proc = subprocess.Popen([str(xxgk), "serve-sample", "--port", str(port)], stdout=subprocess.PIPE, text=True)
    try:
        first = proc.stdout.readline()
        assert f"http://127.0.0.1:{port}" in first
        page = requests.get(f"http://127.0.0.1:{port}/zfxxgk/zfxxgknb/index.html", timeout=5)
        assert page.status_code == 200
        assert "政府信息公开工作年度报告" in page.content.decode("utf-8", "replace")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    assert proc.returncode == 0
