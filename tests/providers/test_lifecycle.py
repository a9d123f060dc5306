"""Model lifecycles read from Bedrock's control plane (our simulator on loopback, reached by
a real boto3 ``bedrock`` client), kept with the day they were read, and the catalog when
Bedrock cannot be asked. Each test has its own data folder (tests/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from imgloop_desktop.core.models import Lifecycle
from imgloop_desktop.paths import data_dir
from imgloop_desktop.providers import lifecycle
from imgloop_desktop.providers.catalog import SONNET_46, current_replacement
from imgloop_desktop.providers.lifecycle import LifecycleCache, LifecycleInfo
from imgloop_desktop.simulator.server import BedrockSimulator
from tests.conftest import free_port

TODAY = lifecycle.today_utc()
LEGACY = "us.amazon.nova-premier-v1:0"  # Legacy in the simulator's table
ACTIVE = "us.anthropic.claude-sonnet-4-6"
STABILITY = "stability.sd3-5-large-v1:0"  # served in us-west-2 only
RETIRED = "anthropic.claude-3-5-sonnet-20240620-v1:0"  # end of life: not listed


@pytest.fixture
def client_for(sim: BedrockSimulator) -> Iterator[Callable[[str], Any]]:
    """Real boto3 control-plane clients aimed at the simulator, one per region, closed after."""
    made: list[Any] = []

    def make(region: str) -> Any:
        client = boto3.client("bedrock", endpoint_url=sim.url, region_name=region)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def test_the_cache_lives_in_the_data_folder() -> None:
    assert LifecycleCache().path == data_dir() / "model_lifecycle.json"


def test_read_from_bedrock_and_kept_with_todays_date(
    sim: BedrockSimulator, client_for: Callable[[str], Any]
) -> None:
    results = lifecycle.refresh(client_for, "us-east-1", [LEGACY, ACTIVE])

    assert results[LEGACY].status is Lifecycle.LEGACY
    assert results[LEGACY].source == "bedrock" and results[LEGACY].checked == TODAY.isoformat()
    assert results[ACTIVE] == LifecycleInfo(
        Lifecycle.ACTIVE, checked=TODAY.isoformat(), source="bedrock"
    )
    assert sim.count("get_foundation_model") == 2
    # Looked up by base id, in the region asked.
    assert [(c.model_id, c.region) for c in sim.calls] == [
        ("amazon.nova-premier-v1:0", "us-east-1"),
        ("anthropic.claude-sonnet-4-6", "us-east-1"),
    ]
    kept = json.loads(LifecycleCache().path.read_text(encoding="utf-8"))
    assert kept["regions"]["us-east-1"]["amazon.nova-premier-v1:0"] == {
        "status": "legacy",
        "end_of_life": "",
        "legacy_since": "",
        "checked": TODAY.isoformat(),
    }
    # No temp file left beside it.
    assert [p.name for p in LifecycleCache().path.parent.iterdir()] == ["model_lifecycle.json"]


def test_a_second_read_uses_the_cache_without_a_call(
    sim: BedrockSimulator, client_for: Callable[[str], Any]
) -> None:
    first = lifecycle.refresh(client_for, "us-east-1", [LEGACY])
    again = lifecycle.refresh(client_for, "us-east-1", [LEGACY])
    assert again == first
    assert lifecycle.known(LEGACY, region="us-east-1") == first[LEGACY]
    assert lifecycle.known(LEGACY) == first[LEGACY]  # any region's answer, no region given
    assert sim.count("get_foundation_model") == 1


def test_a_stale_entry_is_read_again(
    sim: BedrockSimulator, client_for: Callable[[str], Any]
) -> None:
    old = (TODAY - timedelta(days=8)).isoformat()
    LifecycleCache().put(
        "us-east-1", ACTIVE, LifecycleInfo(Lifecycle.LEGACY, checked=old, source="bedrock")
    )
    assert lifecycle.known(ACTIVE, region="us-east-1").checked == old

    results = lifecycle.refresh(client_for, "us-east-1", [ACTIVE])

    assert sim.count("get_foundation_model") == 1
    assert results[ACTIVE].status is Lifecycle.ACTIVE
    assert LifecycleCache().get("us-east-1", ACTIVE) == results[ACTIVE]
    # Six days old is still fresh.
    LifecycleCache().put(
        "us-east-1",
        LEGACY,
        LifecycleInfo(
            Lifecycle.LEGACY, checked=(TODAY - timedelta(days=6)).isoformat(), source="bedrock"
        ),
    )
    lifecycle.refresh(client_for, "us-east-1", [LEGACY])
    assert sim.count("get_foundation_model") == 1


def test_each_model_is_asked_where_runs_call_it(
    sim: BedrockSimulator, client_for: Callable[[str], Any]
) -> None:
    """Stability is served in us-west-2 only: asked there from a us-east-1 home, and found
    from us-east-1 afterwards."""
    results = lifecycle.refresh(client_for, "us-east-1", [STABILITY])
    assert results[STABILITY].source == "bedrock"
    assert sim.last("get_foundation_model").region == "us-west-2"
    assert lifecycle.known(STABILITY, region="us-east-1") == results[STABILITY]


def test_a_refused_control_plane_falls_back_to_the_catalog_and_stops_asking(
    sim: BedrockSimulator, client_for: Callable[[str], Any]
) -> None:
    sim.script.fail("get_foundation_model", "AccessDeniedException", times=5)

    results = lifecycle.refresh(client_for, "us-east-1", [ACTIVE, RETIRED])

    assert results[ACTIVE] == LifecycleInfo(Lifecycle.ACTIVE, source="catalog")
    assert results[ACTIVE].source_text == "from the app's catalog"
    assert results[RETIRED].status is Lifecycle.END_OF_LIFE
    assert results[RETIRED].source == "catalog"
    assert results[RETIRED].replacement == SONNET_46
    assert sim.arrivals("get_foundation_model") == 1  # the second would be refused too
    assert not LifecycleCache().path.exists()


def test_a_model_bedrock_does_not_list_answers_from_the_catalog(
    sim: BedrockSimulator, client_for: Callable[[str], Any]
) -> None:
    results = lifecycle.refresh(client_for, "us-east-1", [RETIRED, ACTIVE])
    assert results[RETIRED].source == "catalog"
    assert results[RETIRED].status is Lifecycle.END_OF_LIFE
    assert results[ACTIVE].source == "bedrock"  # one refusal of a model stops nothing
    assert sim.count("get_foundation_model") == 2


def test_unreachable_bedrock_answers_from_what_is_kept_else_the_catalog() -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    made: list[Any] = []

    def client_for(region: str) -> Any:
        client = boto3.client(
            "bedrock",
            endpoint_url=dead,
            region_name=region,
            config=Config(retries={"max_attempts": 1}, connect_timeout=2),
        )
        made.append(client)
        return client

    old = (TODAY - timedelta(days=30)).isoformat()
    kept = LifecycleInfo(Lifecycle.LEGACY, end_of_life="2099-01-01", checked=old, source="bedrock")
    LifecycleCache().put("us-east-1", LEGACY, kept)
    try:
        results = lifecycle.refresh(client_for, "us-east-1", [LEGACY, ACTIVE])
    finally:
        for client in made:
            client.close()
    # Stale, but Bedrock's word with its day.
    assert results[LEGACY] == replace(kept, replacement=current_replacement(LEGACY))
    assert results[LEGACY].source_text == f"from Bedrock, checked {old}"
    assert results[ACTIVE] == LifecycleInfo(Lifecycle.ACTIVE, source="catalog")


def test_dates_from_bedrocks_timestamps() -> None:
    """botocore hands timestamps over as aware datetimes (local time for epoch seconds)."""
    details = {
        "modelLifecycle": {
            "status": "LEGACY",
            "legacyTime": datetime(2026, 1, 15, tzinfo=UTC),
            "endOfLifeTime": datetime(2027, 1, 15, 1, 0, tzinfo=UTC).astimezone(),
        }
    }
    info = lifecycle.from_details(RETIRED, details, today=date(2026, 11, 30))
    assert info == LifecycleInfo(
        Lifecycle.LEGACY,
        end_of_life="2027-01-15",
        legacy_since="2026-01-15",
        checked="2026-11-30",
        source="bedrock",
        replacement=SONNET_46,
    )
    assert info.summary() == (
        "Legacy since 2026-01-15, end of life 2027-01-15; consider "
        f"{SONNET_46} (from Bedrock, checked 2026-11-30)"
    )


def test_a_kept_legacy_model_past_its_end_of_life_reads_as_end_of_life() -> None:
    LifecycleCache().put(
        "us-east-1",
        LEGACY,
        LifecycleInfo(
            Lifecycle.LEGACY, end_of_life="2027-01-15", checked="2026-11-30", source="bedrock"
        ),
    )
    assert lifecycle.known(LEGACY, today=date(2027, 1, 14)).status is Lifecycle.LEGACY
    assert lifecycle.known(LEGACY, today=date(2027, 1, 15)).status is Lifecycle.END_OF_LIFE


def test_a_damaged_cache_is_ignored_and_replaced(
    sim: BedrockSimulator, client_for: Callable[[str], Any]
) -> None:
    path = LifecycleCache().path
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert lifecycle.known(ACTIVE).source == "catalog"
    lifecycle.refresh(client_for, "us-east-1", [ACTIVE])
    assert lifecycle.known(ACTIVE).source == "bedrock"
    path.write_text(json.dumps({"version": 1, "regions": {"us-east-1": {"x": 3}}}), "utf-8")
    assert lifecycle.known(ACTIVE).source == "catalog"


def test_an_id_nobody_knows() -> None:
    info = lifecycle.known("acme.mystery-v1")
    assert (info.status, info.source) == (Lifecycle.ACTIVE, "none")
    assert info.source_text == "not known to the app's catalog"


def test_an_unwritable_cache_does_not_stop_recording(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("", encoding="utf-8")
    cache = LifecycleCache(blocked / "model_lifecycle.json")  # parent is a file
    details = {"modelLifecycle": {"status": "ACTIVE"}}
    info = lifecycle.record("us-east-1", ACTIVE, details, cache=cache)
    assert info.source == "bedrock" and cache.get("us-east-1", ACTIVE) is None
