"""Writes the Parquet test files that Polars cannot write itself: the shapes
pandas, pyarrow and Oracle NUMBER exports produce. Each is the `accounts`
table of fixtures/base. Run with pyarrow and pandas installed:
    python3 make_parquet.py
The tests only read the committed .parquet files."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

EET, EEST = timezone(timedelta(hours=2)), timezone(timedelta(hours=3))
BASE = {
    "system": ["SKAIS", "SKAIS"],
    "account_id": ["jmets", "mkask"],
    "kind": ["personal", "personal"],
    "created_at": pa.array(
        [datetime(2020, 1, 2, 9, tzinfo=EET), datetime(2018, 3, 1, 9, tzinfo=EET)],
        pa.timestamp("us", tz="UTC"),
    ),
    "last_login_at": pa.array(
        [datetime(2026, 9, 29, 10, tzinfo=EEST), datetime(2026, 9, 28, 10, tzinfo=EEST)],
        pa.timestamp("us", tz="UTC"),
    ),
}
CODES = [Decimal(36805280109), Decimal(46805280103)]


def table(**extra):
    return pa.table({**BASE, **extra})


# person_id as decimal(11,0), as Oracle NUMBER(11) exports write it, plus an
# extra decimal column with a scale; stored as fixed-length bytes (pyarrow's
# default) and as INT64 (Spark's and parquet-mr's for small precisions).
decimal = table(
    person_id=pa.array(CODES, pa.decimal128(11, 0)),
    salary=pa.array([Decimal("1234.50"), None], pa.decimal128(10, 2)),
)
pq.write_table(decimal, "decimal_person_id.parquet")
pq.write_table(decimal, "decimal_person_id_int64.parquet", store_decimal_as_integer=True)

# A decimal with a scale is no code: person_id as decimal(13,2).
pq.write_table(
    table(person_id=pa.array([Decimal("36805280109.00"), None], pa.decimal128(13, 2))),
    "decimal_scaled_person_id.parquet",
)

# Extra columns of nested, duration, binary and struct types.
nested = table(
    person_id=["36805280109", "46805280103"],
    tags=pa.array([[1, 2], []], pa.list_(pa.int64())),
    idle=pa.array([timedelta(days=1), None], pa.duration("us")),
    blob=pa.array([b"\x00\x01", b""], pa.binary()),
    address=pa.array([{"city": "Tallinn"}, None], pa.struct([("city", pa.string())])),
)
pq.write_table(nested, "extra_nested_columns.parquet")

# As pandas writes it: `kind` and `system` as category (dictionary-encoded
# strings) and optional columns that are empty throughout (Arrow `null`).
df = pd.DataFrame(
    {
        "system": pd.Categorical(["SKAIS", "SKAIS"]),
        "account_id": ["jmets", "mkask"],
        "person_id": ["36805280109", "46805280103"],
        "kind": pd.Categorical(["personal", "personal"]),
        "created_at": pd.to_datetime(["2020-01-02T07:00:00Z", "2018-03-01T07:00:00Z"]),
        "closed_at": [None, None],
        "last_login_at": pd.to_datetime(["2026-09-29T07:00:00Z", "2026-09-28T07:00:00Z"]),
        "note": [None, None],
    }
)
df.to_parquet("pandas_category_and_null.parquet", index=False)
for name in ["decimal_person_id", "decimal_person_id_int64", "decimal_scaled_person_id",
             "extra_nested_columns",
             "pandas_category_and_null"]:
    print(name, pq.read_schema(name + ".parquet").types)
