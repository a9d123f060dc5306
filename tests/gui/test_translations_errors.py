"""What goes wrong speaks Japanese under the Japanese translation (issue 15): an AWS error's
explanation and hint in the error box, a run's last words in the progress panel, and the
keyring warning in Preferences. Only names and the values the words carry (model ids,
regions, AWS's own message, commands) stay as they are; ``str()`` of the same errors stays
the English (``tests/providers/test_aws_errors_words.py``)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from keyring.backend import KeyringBackend
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from imgloop_desktop.accounts.sources import KeyringAccount
from imgloop_desktop.accounts.store import AccountInfo
from imgloop_desktop.core import events as ev
from imgloop_desktop.core import judge_image, loop
from imgloop_desktop.core.errors import PromptRefusedError, ServiceError, WordedError
from imgloop_desktop.core.i18n_marks import Phrase, in_turn
from imgloop_desktop.core.loop import ImageLoop, RunResult
from imgloop_desktop.core.params import RunParams
from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.gui.accounts_dialog import AccountsDialog
from imgloop_desktop.gui.error_box import describe
from imgloop_desktop.gui.gallery_model import GalleryModel, ItemKind
from imgloop_desktop.gui.i18n import shown
from imgloop_desktop.gui.progress_panel import ProgressPanel
from imgloop_desktop.gui.welcome import WelcomeDialog, gather_facts
from imgloop_desktop.providers import stability
from imgloop_desktop.providers.aws_errors import IMAGE_OPERATION, translate
from imgloop_desktop.providers.bedrock import ConverseChat
from imgloop_desktop.providers.session import DefaultChain
from imgloop_desktop.simulator.demo import DemoCredentials
from imgloop_desktop.storage.local import LocalImageStore
from tests.fakes import SPEC, FakeChat, FakeGenerator, png
from tests.gui.test_translations import english_in, japanese  # noqa: F401 (the fixture)
from tests.keyring_fixtures import MemoryKeyring, use_memory_keyring, use_no_keyring
from tests.storage.history.test_recorder_words import Answers, RefusedSettingChat

MODEL = "stability.sd3-5-large-v1:0"
REGION = "us-west-2"
ACCESS_DENIED = (
    "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: "
    "bedrock:InvokeModel on resource: arn:aws:bedrock:us-west-2::foundation-model/"
    "stability.sd3-5-large-v1:0"
)
NOT_SUBSCRIBED = (
    "Model access is denied due to IAM user or service role is not authorized to perform "
    "the required AWS Marketplace actions (aws-marketplace:ViewSubscriptions, "
    "aws-marketplace:Subscribe) to enable access to this model."
)
NAMES = [
    "bedrock:InvokeModel",
    "aws-marketplace:ViewSubscriptions",
    "aws-marketplace:Subscribe",
    "Marketplace",
    "IAM",
    "VPN",
    "GNOME Keyring",
    "KWallet",
    "Secret Service",
    "Linux",
    "IAM Identity Center",
    "aws configure sso",
    "aws configure",
    "aws sso login",
]
"""Names and commands that stay as they are in Japanese text, beside ``english_in``'s."""


def bare(text: str, *data: str) -> str:
    """``text`` without the values it carries and the names that stay English."""
    for item in sorted([*data, *NAMES], key=len, reverse=True):
        text = text.replace(item, "")
    return text


def client_error(code: str, message: str) -> ClientError:
    body = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {}}
    return ClientError(body, IMAGE_OPERATION)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("code", "message", "japanese_words"),
    [
        ("AccessDeniedException", ACCESS_DENIED, "アクセスが拒否されました"),
        ("AccessDeniedException", NOT_SUBSCRIBED, "サブスクライブ"),
    ],
    ids=["access-denied", "model-not-enabled"],
)
def test_an_aws_error_in_the_error_box_is_japanese_with_the_model_in_it(
    japanese: None,  # noqa: F811 (the imported fixture)
    code: str,
    message: str,
    japanese_words: str,
) -> None:
    error = translate(
        client_error(code, message), model_id=MODEL, region=REGION, operation=IMAGE_OPERATION
    )
    assert isinstance(error, ServiceError)
    text, details = describe(error)
    assert MODEL in text and japanese_words in text
    assert not english_in(bare(text, message, MODEL, REGION)), text
    assert text in details and f"モデル\uff1a{MODEL}" in details


@pytest.fixture
def memory_keyring() -> Iterator[MemoryKeyring]:
    yield from use_memory_keyring()


@pytest.fixture
def no_keyring(memory_keyring: MemoryKeyring) -> Iterator[KeyringBackend]:
    yield from use_no_keyring()


def test_the_keyring_warning_in_preferences_is_japanese(
    japanese: None,  # noqa: F811 (the imported fixture)
    qtbot: QtBot,
    no_keyring: KeyringBackend,
) -> None:
    dialog = AccountsDialog()
    qtbot.addWidget(dialog)
    text = dialog.keyring_status.text()
    assert "キーリング" in text and "AWS プロファイル" in text
    assert not english_in(bare(text)), text


class _Refused(FakeGenerator):
    """Every image call is refused by IAM, as Bedrock says it."""

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        exc = client_error("AccessDeniedException", ACCESS_DENIED)
        raise translate(exc, model_id=MODEL, region=REGION, operation=IMAGE_OPERATION)


def run(store: LocalImageStore, generator: FakeGenerator) -> tuple[RunResult, list[ev.Event]]:
    """A real loop on the fakes, one prompt version of two attempts, its events kept to be
    shown on the GUI thread afterwards."""
    params = RunParams(prompt="a lighthouse", max_retry_attempts=2, max_prompt_revisions=0)
    seen: list[ev.Event] = []
    loop = ImageLoop(
        params,
        SPEC,
        generator=generator,
        chat=FakeChat(["NO", "NO"]),
        store=store,
        emit=seen.append,
        rng=random.Random(7),
    )
    return loop.run(), seen


@pytest.mark.parametrize("refused", [False, True], ids=["not-approved", "access-denied"])
def test_a_runs_outcome_in_the_progress_panel_is_japanese(
    japanese: None,  # noqa: F811 (the imported fixture)
    qtbot: QtBot,
    tmp_path: Path,
    refused: bool,
) -> None:
    result, events = run(LocalImageStore(tmp_path), _Refused() if refused else FakeGenerator())
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.begin()
    for event in events:
        panel.on_event(event)
    english_first = panel.outcome_label.text()
    panel.show_result(result)
    text = panel.outcome_label.text()
    assert text != english_first and result.message in english_first
    if refused:
        assert result.outcome is ev.Outcome.ERROR
        assert MODEL in text and "アクセスが拒否されました" in text
    else:
        assert result.outcome is ev.Outcome.NOT_APPROVED
        assert "画像 2 枚を保存しました" in text
    assert not english_in(bare(text, ACCESS_DENIED, MODEL, REGION)), text
    panel.show_details()
    box = panel.findChild(QMessageBox, "errorBox")
    assert box is not None
    head = box.detailedText().splitlines()[:2]  # "Run <id>: <outcome>", then the message
    assert head[1] == shown(result.words) and head[1] != result.message
    box.close()


def test_the_keyring_warning_in_the_welcome_is_japanese(
    japanese: None,  # noqa: F811 (the imported fixture)
    qtbot: QtBot,
    no_keyring: KeyringBackend,
) -> None:
    dialog = WelcomeDialog(gather_facts())
    qtbot.addWidget(dialog)
    text = dialog.keyring_label.text()
    assert "キーリング" in text and "AWS プロファイル" in text
    assert not english_in(bare(text)), text


def test_where_the_credentials_come_from_is_japanese(
    japanese: None,  # noqa: F811 (the imported fixture)
) -> None:
    """The status bar's "Running with {source}…", the queue's and Preferences' say where
    the credentials come from; every kind of source says it in Japanese."""
    sources = {
        "environment": DefaultChain().describe(),
        "profile": DefaultChain(profile="dev").describe(),
        "account": AccountInfo("work", "us-east-1", "WXYZ", temporary=False).describe(),
        "gone": KeyringAccount("nobody-stored-this").describe(),
        "demo": DemoCredentials("http://127.0.0.1:1").describe(),
    }
    for kind, words in sources.items():
        text = shown(words)
        assert text != str(words), kind
        assert not english_in(bare(text, "dev", "work", "AKIA…WXYZ", "nobody-stored-this")), text
    assert "dev" in shown(sources["profile"]) and "AKIA…WXYZ" in shown(sources["account"])


# -- A live run's attempt messages and the judge's notes (issue 15) ---------------------------

TAKEN = "the image says it is 0x0 pixels"
"""Why an image did not decode: the image check's own words, which stay English."""


def _said(template: str, **values: object) -> Phrase:
    return Phrase(loop.ATTEMPTS, template, values)


ATTEMPT_WORDS = {
    "no-image": _said(loop.NO_IMAGE, model=MODEL),
    "extra": _said(loop.EXTRA_IMAGES, model=MODEL, count=5, asked=2, extra=3),
    "not-usable": _said(loop.NOT_USABLE, number=2, reason=TAKEN, name="r1_a2_i2.bad"),
    "deadline": _said(loop.ABANDONED, why=_said(loop.NO_ANSWER, model=MODEL, seconds=f"{300.0:g}")),
    "cancelled": _said(loop.ABANDONED, why=_said(loop.CANCELLED_IN_FLIGHT)),
    "late": _said(
        loop.ARRIVED_LATE,
        label=Phrase(loop.OUTCOME, loop.IMAGE_LABEL, {"version": 1, "attempt": 2, "image": 1}),
    ),
}


@pytest.mark.parametrize("words", ATTEMPT_WORDS.values(), ids=ATTEMPT_WORDS.keys())
def test_an_attempts_message_is_japanese_with_its_values(
    japanese: None,  # noqa: F811 (the imported fixture)
    words: Phrase,
) -> None:
    text = shown(words)
    assert text != str(words)
    values = [str(v) for v in words.values.values() if not isinstance(v, Phrase)]
    assert all(value in text for value in values), text
    assert not english_in(bare(text, MODEL, TAKEN, "r1_a2_i2.bad")), text


def test_notes_said_in_turn_are_joined_as_japanese_joins_them(
    japanese: None,  # noqa: F811 (the imported fixture)
) -> None:
    first, then = ATTEMPT_WORDS["extra"], ATTEMPT_WORDS["not-usable"]
    joined = in_turn(first, "", then)
    assert str(joined) == f"{first} {then}"  # the English, as " ".join gave it
    assert shown(joined) == shown(first) + shown(then)
    assert in_turn() == "" and in_turn(first) is first


def test_a_service_error_on_an_attempt_is_japanese_and_its_english_unchanged(
    japanese: None,  # noqa: F811 (the imported fixture)
    tmp_path: Path,
) -> None:
    _, events = run(LocalImageStore(tmp_path), _Refused())
    failed = next(e for e in events if isinstance(e, ev.AttemptFailed))
    error = translate(
        client_error("AccessDeniedException", ACCESS_DENIED),
        model_id=MODEL,
        region=REGION,
        operation=IMAGE_OPERATION,
    )
    assert str(failed.message) == str(error)
    text = shown(failed.message)
    assert MODEL in text and "アクセスが拒否されました" in text
    assert not english_in(bare(text, ACCESS_DENIED, MODEL, REGION)), text


def _judge_copy_words() -> dict[str, Phrase | str]:
    over_side = Phrase(
        judge_image.JUDGE_COPY, judge_image.OVER_SIDE, {"width": 9000, "height": 600, "limit": 8000}
    )
    over_bytes = Phrase(
        judge_image.JUDGE_COPY,
        judge_image.OVER_BYTES,
        {"width": 8000, "height": 533, "size": "11.95 MB"},
    )
    both = Phrase(
        judge_image.JUDGE_COPY, judge_image.AND_THEN, {"first": over_side, "then": over_bytes}
    )
    recompressed = Phrase(judge_image.JUDGE_COPY, judge_image.RECOMPRESSED, {"size": "5.61 MB"})

    def sent(changes: Phrase) -> Phrase:
        values = {"width": 4211, "height": 281, "changes": changes}
        return Phrase(judge_image.JUDGE_COPY, judge_image.SENT_COPY, values)

    return {
        "over-a-side": judge_image.judge_copy(png(9000, 100), 0).note,
        "both": sent(both),
        "recompressed": sent(recompressed),
    }


@pytest.mark.parametrize("kind", ["over-a-side", "both", "recompressed"])
def test_the_judges_image_note_is_japanese_with_its_sizes(
    japanese: None,  # noqa: F811 (the imported fixture)
    kind: str,
) -> None:
    note = _judge_copy_words()[kind]
    assert isinstance(note, Phrase)
    text = shown(note)
    assert text != str(note) and "Bedrock Converse" in text
    sizes = re.findall(r"\d+x\d+|\d+\.\d+ MB", str(note))
    assert sizes and all(size in text for size in sizes), text
    assert not english_in(bare(text, "Converse")), text


@pytest.mark.parametrize("names", [["top_p"], ["temperature", "top_p"]], ids=["one", "two"])
def test_a_refused_sampling_setting_is_japanese_with_awss_words_kept(
    japanese: None,  # noqa: F811 (the imported fixture)
    names: list[str],
) -> None:
    said = "temperature and top_p cannot both be specified"
    exc = client_error("ValidationException", said)
    note = ConverseChat(object(), MODEL, region=REGION)._dropped_note(names, exc)
    text = shown(note)
    assert text != str(note) and said in text and MODEL in text and REGION in text
    assert all(f"`{name}`" in text for name in names), text
    assert not english_in(bare(text, said, MODEL, REGION, *names)), text


def test_a_runs_attempt_messages_and_notes_are_japanese_in_the_window(
    japanese: None,  # noqa: F811 (the imported fixture)
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    """The progress panel's notes and details and the gallery's failed tile: the window's
    language, the values kept."""
    params = RunParams(prompt="a lighthouse", max_retry_attempts=2, max_prompt_revisions=1)
    events: list[ev.Event] = []
    ImageLoop(
        params,
        SPEC,
        generator=Answers(),
        chat=RefusedSettingChat(verdicts=["NO", "NO", "NO"]),
        store=LocalImageStore(tmp_path),
        emit=events.append,
        rng=random.Random(7),
    ).run()
    failed = next(e for e in events if isinstance(e, ev.AttemptFailed))
    noted = next(e for e in events if isinstance(e, ev.AttemptNote))
    verdict = next(e.verdict for e in events if isinstance(e, ev.VerdictReceived))
    assert isinstance(verdict.judge_image_note, Phrase) and isinstance(verdict.notes, Phrase)
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.begin()
    gallery = GalleryModel()
    for event in events:
        panel.on_event(event)
        gallery.apply_event(event)
    judge_note = shown(verdict.notes)
    assert any(judge_note in note for note in panel.run_notes), panel.run_notes
    assert all(
        not english_in(bare(n, "test.judge", "us-east-1", "top_p is not supported", "top_p"))
        for n in panel.run_notes
    ), panel.run_notes
    panel.show_details()
    box = panel.findChild(QMessageBox, "errorBox")
    assert box is not None
    details = box.detailedText()
    box.close()
    for words in (failed.message, noted.message):
        assert shown(words) in details and str(words) not in details
    tiles = [gallery.item(row) for row in range(gallery.rowCount())]
    failed_tile = next(t for t in tiles if t.kind is ItemKind.FAILED)
    assert failed_tile.attempt_error == shown(failed.message)


REFUSALS = [
    (
        "ValidationException",
        "This request has been blocked by our content filters.",
        f"{MODEL} refused the request: This request has been blocked by our content filters.",
    ),
    (
        "ValidationException",
        "Invalid prompt: too long",
        f"{MODEL} rejected the request: Invalid prompt: too long",
    ),
    (
        "ModelTimeoutException",
        "Model has timed out in processing the request.",
        f"{MODEL} in {REGION} timed out making the image (ModelTimeoutException): "
        "Model has timed out in processing the request.",
    ),
]


@pytest.mark.parametrize(("code", "message", "english"), REFUSALS)
def test_a_refused_or_timed_out_image_call_is_japanese_and_its_english_unchanged(
    japanese: None,  # noqa: F811 (the imported fixture)
    code: str,
    message: str,
    english: str,
) -> None:
    """The failed attempt's message a person meets most: the content filter. The window
    says it in Japanese with AWS's own words kept; the history and logs keep the English."""
    error = translate(
        client_error(code, message), model_id=MODEL, region=REGION, operation=IMAGE_OPERATION
    )
    assert isinstance(error, WordedError) and not isinstance(error, ServiceError)
    assert str(error) == english
    text = shown(error.explanation)
    assert message in text and MODEL in text
    assert not english_in(bare(text, message, MODEL, REGION, code)), text


@pytest.mark.parametrize(
    "payload",
    [
        {"finish_reasons": ["Filter reason: prompt"], "images": []},
        {"images": []},
    ],
)
def test_an_image_models_own_refusal_is_japanese(
    japanese: None,  # noqa: F811 (the imported fixture)
    payload: dict[str, object],
) -> None:
    with pytest.raises(PromptRefusedError) as refused:
        stability.parse_response(stability.SD35_LARGE, payload)
    text = shown(refused.value.explanation)
    name = stability.SD35_LARGE.name
    assert name in text and str(refused.value).startswith(name)
    assert not english_in(bare(text, name, "Filter reason: prompt")), text
