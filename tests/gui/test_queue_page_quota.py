"""Preferences → Queue's "Use my account's quota": read on a worker from Service Quotas (the
simulator, over HTTP), the fields filled but not saved; errors and the demo said plainly."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot

from imgloop_desktop.accounts.store import AccountStore
from imgloop_desktop.gui.accounts_dialog import AccountsDialog
from imgloop_desktop.gui.queue_page import QueuePage
from imgloop_desktop.services import queue_limits
from imgloop_desktop.services.credentials import DefaultChain
from imgloop_desktop.services.queue_limits import QueueLimits, QuotaTarget, load_limits
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.simulator.service_quotas import ON_DEMAND_RPM, QuotaRow
from tests.keyring_fixtures import MemoryKeyring, use_memory_keyring

CORE_ID = "stability.stable-image-core-v1:1"


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from use_memory_keyring()


def _page(qtbot: QtBot, target: QuotaTarget) -> QueuePage:
    page = QueuePage(quota_target=lambda: target)
    qtbot.addWidget(page)
    return page


def _read(qtbot: QtBot, page: QueuePage) -> None:
    page.quota_button.click()
    qtbot.waitUntil(lambda: page.quota_button.isEnabled(), timeout=20_000)
    assert page.wait_for_workers()


def test_the_button_fills_the_fields_from_a_worker_and_saves_nothing(
    qtbot: QtBot, bedrock_sim: BedrockSimulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    bedrock_sim.script.service_quotas.set_rows(
        QuotaRow(ON_DEMAND_RPM.format(model="Stable Image Core"), 20.0, applied=30.0)
    )
    threads: list[str] = []
    real = queue_limits.account_quota

    def spy(target: QuotaTarget) -> object:
        threads.append(threading.current_thread().name)
        return real(target)

    monkeypatch.setattr("imgloop_desktop.gui.queue_page.account_quota", spy)
    page = _page(qtbot, QuotaTarget(DefaultChain(), CORE_ID))
    page.spins["items_at_once"].setValue(5)
    page.quota_button.click()
    assert not page.quota_button.isEnabled()
    assert "Reading the quota" in page.status.text()
    qtbot.waitUntil(lambda: page.quota_button.isEnabled(), timeout=20_000)
    assert page.wait_for_workers()
    assert threads and threads[0] != threading.main_thread().name
    assert page.status.text().startswith(
        "Stable Image Core in us-west-2: 30 requests per minute (applied quota)."
    )
    assert page.limits() == QueueLimits(
        items_at_once=5, image_calls_at_once=3, image_calls_per_minute=30
    )
    assert page.save_button.isEnabled() and load_limits() == QueueLimits()


def test_a_default_quota_is_named_as_such(qtbot: QtBot, bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.service_quotas.set_rows(
        QuotaRow(ON_DEMAND_RPM.format(model="Stable Image Core"), 8.0)
    )
    page = _page(qtbot, QuotaTarget(DefaultChain(), CORE_ID))
    _read(qtbot, page)
    assert "8 requests per minute (AWS default quota" in page.status.text()
    assert page.limits().image_calls_at_once == 1


def test_a_refusal_is_shown_in_plain_words(qtbot: QtBot, bedrock_sim: BedrockSimulator) -> None:
    bedrock_sim.script.service_quotas.deny()
    page = _page(qtbot, QuotaTarget(DefaultChain(), CORE_ID))
    _read(qtbot, page)
    text = page.status.text()
    assert text.startswith("Could not read the quota:")
    assert "servicequotas:ListServiceQuotas" in text
    assert page.limits() == QueueLimits()


def test_the_demo_says_it_has_no_account(qtbot: QtBot, bedrock_sim: BedrockSimulator) -> None:
    page = _page(qtbot, QuotaTarget(None, CORE_ID))
    page.quota_button.click()
    assert "offline demo" in page.status.text()
    assert page.quota_button.isEnabled() and bedrock_sim.count() == 0
    assert page.limits() == QueueLimits()


def test_without_a_target_the_button_is_hidden(qtbot: QtBot) -> None:
    page = QueuePage()
    qtbot.addWidget(page)
    assert page.quota_button.isHidden()


def test_preferences_hand_the_page_the_runs_credentials_model_and_region(
    qtbot: QtBot,
) -> None:
    store = AccountStore()
    dialog = AccountsDialog(store, image_model_id=CORE_ID, region="us-west-2")
    qtbot.addWidget(dialog)
    target = dialog.quota_target()
    assert target.source is not None
    assert (target.image_model_id, target.region) == (CORE_ID, "us-west-2")
    store.set_active_demo()
    assert dialog.quota_target().source is None
    dialog.queue_page.quota_button.click()
    assert "offline demo" in dialog.queue_page.status.text()
