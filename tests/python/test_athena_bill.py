"""scripts/athena_bill.py without a Trino: the extrapolation to the guide's scenario, Athena's billing rule,
and the reading of Trino's REST query info, each against figures worked out by hand below.

The end-to-end run (a Trino build, the questions, an hourly run) is not repeated here: on 2 cores it takes
longer than the Trino equivalence test (tests/python/test_trino.py), which already builds the project on
Trino; `python scripts/athena_bill.py` is that run (docs/athena_cost.md)."""
from __future__ import annotations

import pytest
from athena_bill import Measured, Scenario, billable, billed_bytes, data_size, dollars, extrapolate, summarise

# A history of 4,000 raw events for 1,000 email sends (4 events an email), 200 events in the added hour.
MEASURED = Measured(
    raw_events=4000, email_sends=1000, history_hours=24, hour_events=200,
    question_bytes={"q1": (100, 1_000_000), "q2": (1000, 333_333)},
    # the hourly run's billable queries: (bytes from the raw tables, bytes from the warehouse)
    run_queries=[(1200, 0), (0, 5000)],
)


def test_athena_bills_whole_megabytes_and_at_least_ten() -> None:
    assert billed_bytes(0) == 10_000_000
    assert billed_bytes(9_999_999) == 10_000_000
    assert billed_bytes(10_000_001) == 11_000_000
    assert billed_bytes(2.5e9) == 2_500_000_000
    assert dollars(10**12) == pytest.approx(5.0)
    assert dollars(2 * 10**11) == pytest.approx(1.0)


def test_extrapolation_matches_a_hand_computation() -> None:
    bill = extrapolate(MEASURED, Scenario(emails_per_day=1_000_000, queries_per_day=5, days=30, runs_per_day=24))
    # 4 events an email: 4,000,000 events a day, 120,000,000 in the month; measured 4,000.
    assert bill["events_per_email"] == pytest.approx(4.0)
    assert bill["scenario_events_per_day"] == pytest.approx(4_000_000)
    assert bill["history_factor"] == pytest.approx(30_000)
    # 4,000,000 / 24 = 166,666.67 events an hour against 200 measured.
    assert bill["hour_factor"] == pytest.approx(833.3333, rel=1e-6)

    q1, q2 = bill["questions"]["q1"], bill["questions"]["q2"]
    assert q1["marts_billed_bytes"] == 10_000_000          # 100 B x 30,000 = 3 MB: the 10 MB minimum
    assert q1["original_billed_bytes"] == 30_000_000_000   # 1 MB x 30,000 = 30 GB
    assert q2["marts_billed_bytes"] == 30_000_000          # 1 kB x 30,000 = 30 MB
    assert q2["original_billed_bytes"] == 10_000_000_000   # 333,333 x 30,000 = 9,999.99 MB, rounded up

    month = bill["month"]
    # 150 asks (5 a day, 30 days) of the average question: marts (10 + 30) / 2 = 20 MB, original 20 GB.
    assert month["marts_questions_bytes"] == pytest.approx(3e9)
    assert month["marts_questions_dollars"] == pytest.approx(0.015)
    assert month["original_questions_dollars"] == pytest.approx(15.0)
    assert month["original_total_dollars"] == pytest.approx(15.0)

    # Hourly run, low: everything x 833.33: 1 MB and 4.17 MB, both billed 10 MB: 20 MB a run, 720 runs.
    low, high = bill["hourly_run"]["low"], bill["hourly_run"]["high"]
    assert low["billed_bytes"] == 20_000_000
    assert low["month_dollars"] == pytest.approx(720 * 20e6 / 1e12 * 5)          # $0.072
    # high: everything x 30,000: 1,200 B -> 36 MB, 5,000 B -> 150 MB: 186 MB a run, x 720 = 133.92 GB.
    assert high["billed_bytes"] == 186_000_000
    assert high["month_dollars"] == pytest.approx(0.6696)
    assert month["warehouse_total_dollars_low"] == pytest.approx(0.087)
    assert month["warehouse_total_dollars_high"] == pytest.approx(0.6846)
    assert bill["hourly_run"]["billable_queries"] == 2


def test_rest_data_sizes_are_binary_units() -> None:
    assert data_size("969812B") == 969_812
    assert data_size("0B") == 0
    assert data_size("1.50kB") == 1536
    assert data_size("2MB") == 2 * 1024 * 1024
    with pytest.raises(ValueError):
        data_size("12 parsecs")


def test_a_query_s_bytes_go_to_the_catalog_each_stage_scans() -> None:
    def stage(number: int, read: str, tables: list[str], children: list[dict[str, object]]) -> dict[str, object]:
        return {"stageId": f"q.{number}", "stageStats": {"physicalInputDataSize": read},
                "tables": {str(i): {"tableName": name} for i, name in enumerate(tables)}, "subStages": children}

    info = {"queryId": "q", "state": "FINISHED", "queryType": "MERGE", "query": "merge into t ...",
            "queryStats": {"physicalInputDataSize": "1520B"},
            "outputStage": stage(0, "0B", [], [
                stage(1, "1000B", ["hive.raw.all_events"], []),
                stage(2, "500B", ["iceberg.wh.int_events"], [
                    stage(3, "20B", ["hive.raw.all_events", "iceberg.wh.int_events"], []),
                    stage(4, "0B", ["iceberg.wh.fct_email_messages"], []),
                ]),
            ])}
    summary = summarise(info)
    assert summary["physical_input_bytes"] == 1520
    assert summary["bytes_by_catalog"] == {"hive": 1000, "iceberg": 500, "mixed": 20}
    # Trino dropped the stages of an old query: the bytes are kept, unattributed.
    pruned = {**info, "outputStage": None}
    assert summarise(pruned)["bytes_by_catalog"] == {"unattributed": 1520}


def test_ddl_failed_queries_and_catalog_look_ups_are_not_billed() -> None:
    def q(kind: str, read: float, state: str = "FINISHED") -> dict[str, object]:
        return {"type": kind, "physical_input_bytes": read, "state": state}

    assert not billable(q("DATA_DEFINITION", 0))        # create / drop / alter: free on Athena
    assert not billable(q("SELECT", 0))                 # an information_schema look-up of dbt-trino's
    assert not billable(q("MERGE", 5000, "FAILED"))     # failed queries are free
    assert billable(q("SELECT", 1))
    assert billable(q("INSERT", 0))                     # a write of nothing still costs the minimum
    assert billable(q("MERGE", 5000))
