"""Through a local Spark session, the recipes of docs/batch.md give exactly the rows
`faqbot batch` writes, as tests/test_dask.py checks for Dask.

Needs pyspark and a Java runtime; skips without either (`.ci/run` installs both). Run only
these with `pytest -m spark`, or leave them out with `-m "not spark"`.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import PARTITION_LINES

from bot.cli import main
from bot.partition import answer_partition

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
    # pyspark's own notice about pandas 3, raised in its code: not about faqbot
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]
pyspark_sql = pytest.importorskip("pyspark.sql")
pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

LINES = PARTITION_LINES


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    os.environ["PYSPARK_PYTHON"] = sys.executable  # the workers run this environment, with faqbot
    session = (pyspark_sql.SparkSession.builder.master("local[2]").appName("faqbot-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
               .config("spark.sql.files.maxPartitionBytes", "200")  # several partitions of a small file
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.host", "127.0.0.1")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def batch_rows(src: Path, faq: Path, *args: str) -> list[dict[str, Any]]:
    dst = src.with_name("answers.jsonl")
    assert main(["batch", str(src), "-o", str(dst), "--faq", str(faq), *args]) == 0
    return [json.loads(line) for line in dst.read_text(encoding="utf-8").split("\n")[:-1]]


def test_map_partitions_over_text_lines(spark: Any, tmp_path: Path, tiny_faq_path: Path) -> None:
    src = tmp_path / "q.txt"
    # Spark decodes text files itself, invalid UTF-8 as U+FFFD: such a line is asked there
    src.write_bytes(b"\n".join(line for line in LINES if b"\xff" not in line) + b"\n")
    lines = spark.sparkContext.textFile(str(src), minPartitions=3)
    assert lines.getNumPartitions() > 1
    faq = str(tiny_faq_path)
    rows = lines.mapPartitions(lambda part: answer_partition(part, faq=faq)).collect()
    assert rows == batch_rows(src, tiny_faq_path)
    assert len(rows) == len(LINES) - 3


def test_map_in_pandas_over_a_csv_dataframe(spark: Any, tmp_path: Path, tiny_faq_path: Path) -> None:
    src = tmp_path / "q.csv"
    good = [line.decode() for line in LINES if len(line) < 100 and line.isascii()]
    src.write_text("n,question\n" + "".join(f"{i},{q}\n" for i, q in enumerate(good)), encoding="utf-8")
    faq = str(tiny_faq_path)
    # as docs/batch.md writes it: every column as text, an empty cell an empty string
    questions = spark.read.csv(str(src), header=True).na.fill("")
    assert questions.rdd.getNumPartitions() > 1
    schema = ("n string, question string, kind string, id string, confidence double, "
              "answer string, lang string, reason string, error string")
    answers = questions.mapInPandas(lambda frames: (answer_partition(f, faq=faq) for f in frames), schema)
    rows = [{k: None if isinstance(v, float) and math.isnan(v) else v for k, v in row.asDict().items()}
            for row in answers.collect()]
    for row in rows:  # a frame's reason is JSON text, as in a CSV file
        row["reason"] = json.loads(row["reason"]) if row["reason"] else None
    assert rows == batch_rows(src, tiny_faq_path)
