"""Through a local Dask cluster, answer_partition gives exactly the rows `faqbot batch` writes."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PARTITION_LINES

from bot.cli import main
from bot.partition import answer_partition

db = pytest.importorskip("dask.bag")
distributed = pytest.importorskip("distributed")

LINES = PARTITION_LINES


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with distributed.LocalCluster(processes=False, n_workers=1, threads_per_worker=2,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as dask_client:
        yield dask_client


def batch_rows(src: Path, faq: Path, *args: str) -> list[dict[str, Any]]:
    dst = src.with_name("answers.jsonl")
    assert main(["batch", str(src), "-o", str(dst), "--faq", str(faq), *args]) == 0
    return [json.loads(line) for line in dst.read_text(encoding="utf-8").split("\n")[:-1]]


def test_a_bag_of_text_lines(client, tmp_path, tiny_faq_path):
    src = tmp_path / "q.txt"
    src.write_bytes(b"\n".join(LINES) + b"\n")
    # surrogateescape lets invalid UTF-8 reach the partition function, which reports it
    bag = db.read_text(str(src), errors="surrogateescape", blocksize=150_000)
    assert bag.npartitions > 1
    rows = bag.map_partitions(answer_partition, faq=str(tiny_faq_path)).compute()
    assert rows == batch_rows(src, tiny_faq_path)
    assert len(rows) == len(LINES)


def test_a_bag_of_json_lines(client, tmp_path, tiny_faq_path):
    src = tmp_path / "q.jsonl"
    lines = [json.dumps({"n": i, "q": line.decode("utf-8", "replace")}) for i, line in
             enumerate(LINES)] + ["{broken", '{"n": 99}']
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    bag = db.read_text(str(src), blocksize=100_000)
    rows = bag.map_partitions(answer_partition, faq=str(tiny_faq_path), format="jsonl",
                              field="q").compute()
    assert rows == batch_rows(src, tiny_faq_path, "--field", "q")


def test_a_dataframe_from_csv(client, tmp_path, tiny_faq_path):
    dd = pytest.importorskip("dask.dataframe")
    src = tmp_path / "q.csv"
    good = [line.decode() for line in LINES if len(line) < 100 and line.isascii()]
    src.write_text("n,question\n" + "".join(f"{i},{q}\n" for i, q in enumerate(good)),
                   encoding="utf-8")
    frame = dd.read_csv(str(src), dtype=str, keep_default_na=False, blocksize=200)
    assert frame.npartitions > 1
    out = frame.map_partitions(answer_partition, faq=str(tiny_faq_path)).compute()
    rows = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in r.items()}
            for r in out.to_dict("records")]
    for row in rows:  # a frame's reason is JSON text, as in a CSV file
        row["reason"] = json.loads(row["reason"]) if row["reason"] else None
    assert rows == batch_rows(src, tiny_faq_path)


def test_the_bag_script_in_the_docs_runs_as_written(tmp_path, tiny_faq_path):
    doc = (Path(__file__).resolve().parent.parent / "docs" / "batch.md").read_text(encoding="utf-8")
    script = doc.split("Dask, a bag of lines", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    assert 'if __name__ == "__main__":' in script
    (tmp_path / "answer_with_dask.py").write_text(script, encoding="utf-8")
    (tmp_path / "faq.yaml").write_text(tiny_faq_path.read_text(encoding="utf-8"), encoding="utf-8")
    for n, part in enumerate((LINES[:9], LINES[9:])):
        (tmp_path / f"questions-{n}.txt").write_bytes(b"\n".join(part) + b"\n")
    done = subprocess.run([sys.executable, "answer_with_dask.py"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    outputs = sorted(tmp_path.glob("answers-*.jsonl"))
    assert len(outputs) == 2
    rows = [json.loads(line) for out in outputs for line in out.read_text(encoding="utf-8").splitlines()]
    whole = tmp_path / "all.txt"
    whole.write_bytes(b"\n".join(LINES) + b"\n")
    assert rows == batch_rows(whole, tmp_path / "faq.yaml")
