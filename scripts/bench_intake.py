"""Intake throughput and time per upload (docs/benchmarks.md): N members each upload one real submission
file (about 14 KB, 250 rows) at once to the real service (uvicorn, SQLite) over loopback HTTP, after one
warm-up upload per member (so scrypt's key check, remembered for five minutes, is not what is measured,
and the measured uploads are second versions). Prints uploads per second and the median and 95th
percentile time per upload. Bounded: N uploads, one round, then the service is stopped.

    .venv/bin/python scripts/bench_intake.py [N]     (default 200)
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.conftest import copy_project  # noqa: E402
from tests.intake_support import CALENDAR, Service, issue, send  # noqa: E402


def main(n: int) -> None:
    from reportgen.inputs.sample_data import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp) / "project", data=False)
        generate(root / "data", members=n + 10)
        with (root / "config.yaml").open("a", encoding="utf-8") as fh:
            fh.write(CALENDAR.format(max_file=4 << 20, max_request=8 << 20))
        source = sorted((root / "data" / "submissions").glob("20*Q*"))[-1]
        files = {p.stem: p.read_bytes().replace(f",{source.name},".encode(), b",2025Q3,")
                 for p in sorted(source.glob("*.csv"))[:n]}
        with ThreadPoolExecutor(4) as pool:
            keys = dict(zip(files, pool.map(lambda org: issue(root, "member", org), files)))
        service = Service(root).start()
        try:
            with ThreadPoolExecutor(16) as pool:  # warm-up: first versions
                list(pool.map(lambda org: send(service, keys[org], "2025Q3", [(f"{org}.csv", files[org])]), files))
            barrier = threading.Barrier(len(files))

            def one(org):
                barrier.wait()
                started = time.perf_counter()
                status, receipt, _ = send(service, keys[org], "2025Q3", [(f"{org}.csv", files[org] + b"\n")])
                assert status == 201, receipt
                return time.perf_counter() - started

            began = time.perf_counter()
            with ThreadPoolExecutor(len(files)) as pool:
                times = sorted(pool.map(one, files))
            wall = time.perf_counter() - began
        finally:
            service.stop()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    print(f"{len(times)} concurrent uploads in {wall:.2f} s: {len(times) / wall:.1f} uploads/s; "
          f"per upload median {statistics.median(times):.2f} s, p95 {p95:.2f} s, max {times[-1]:.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
