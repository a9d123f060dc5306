"""Property-based fuzzing of ``imgloop-cli run`` in-process (issue 17): every invalid event,
from a file or stdin, exits 2 with the seed's result JSON on stdout and makes no Bedrock call;
never a traceback, never an encoding error on output.

No Bedrock call is guaranteed twice over: the run step (``_execute``) is replaced by a
recorder that fails any invalid case reaching it, and the Bedrock endpoint points at a closed
loopback port, so even a call slipping past would fail instead of reaching AWS.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from imgloop_desktop.accounts.redaction import install_redaction
from imgloop_desktop.cli import main as cli_main
from imgloop_desktop.core.params import RunParams
from tests.conftest import free_port

VALID = {"prompt": "a lake at dawn", "max_retry_attempts": 2, "max_prompt_revisions": 1}
REACHED_RUN = 99

# One bad value per case, on top of a valid event, so each case is invalid by construction.
# Huge ints are built from exponents inside the strategies (hypothesis reprs its inputs).
_INT_FIELDS = [
    "max_retry_attempts",
    "max_prompt_revisions",
    "claude_validate_top_k",
    "claude_revise_top_k",
    "claude_validate_max_tokens",
    "claude_revise_max_tokens",
    "titan_img_width",
    "titan_img_height",
    "titan_img_number_of_images",
    "titan_img_seed",
    "candidates_in_flight",
    "judge_image_max_side",
]
_FLOAT_FIELDS = [
    "claude_validate_temperature",
    "claude_validate_top_p",
    "claude_revise_temperature",
    "claude_revise_top_p",
    "titan_img_cfg_scale",
]
_TEXT_FIELDS = [
    "prompt",
    "image_model_id",
    "judge_model_id",
    "output_s3_bucket_name",
    "output_s3_key_prefix",
    "output_dir",
    "aws_region",
]
_RAW_BOMBS = st.one_of(
    st.integers(41, 6000).map(lambda n: "9" * n),
    st.integers(309, 5000).map(lambda n: f"-1e{n}"),
    st.integers(17, 100_000).map(lambda n: "[" * n + "]" * n),
    st.sampled_from(["NaN", "Infinity", "-Infinity"]),
)
# Each whole-number field's allowed range for the default (Stable Diffusion 3.5 Large) model.
_INT_RANGES = {
    "titan_img_width": (320, 4096),
    "titan_img_height": (320, 4096),
    "max_retry_attempts": (1, 100),
    "max_prompt_revisions": (0, 20),
    "claude_validate_top_k": (0, 500),
    "claude_revise_top_k": (0, 500),
    "claude_validate_max_tokens": (1, 64_000),
    "claude_revise_max_tokens": (1, 64_000),
    "titan_img_number_of_images": (1, 5),
    "titan_img_seed": (0, 4_294_967_294),
    "candidates_in_flight": (1, 8),
    "judge_image_max_side": (0, 8000),
}
_BAD_TEXT = st.builds(
    lambda head, bad, tail: head + bad + tail,
    st.text(max_size=10),
    st.sampled_from(["\x00", "\ud800", "\udbff", "\udc00", "\udfff"]),
    st.text(max_size=10),
)


@st.composite
def invalid_event_text(draw: st.DrawFn) -> str:
    """A valid event with exactly one field made invalid, written as JSON text."""
    kind = draw(st.sampled_from(["bomb", "int", "float", "text", "type", "unknown", "region"]))
    pairs = [f"{json.dumps(k)}: {json.dumps(v)}" for k, v in VALID.items()]
    if kind == "bomb":
        field = draw(st.sampled_from(_INT_FIELDS + _FLOAT_FIELDS + _TEXT_FIELDS))
        pairs.append(f"{json.dumps(field)}: {draw(_RAW_BOMBS)}")
    elif kind == "int":
        field = draw(st.sampled_from(sorted(_INT_RANGES)))
        low, high = _INT_RANGES[field]
        limit = 10**40 - 1  # the most digits the reader takes
        number = draw(st.integers(-limit, low - 1) | st.integers(high + 1, limit))
        pairs.append(f"{json.dumps(field)}: {number}")
    elif kind == "float":
        # Not the CFG scale: the default model has none, so any finite value is unused.
        field = draw(st.sampled_from(_FLOAT_FIELDS[:-1]))
        real = draw(st.floats(min_value=10.001, max_value=1e300) | st.floats(max_value=-0.001))
        pairs.append(f"{json.dumps(field)}: {json.dumps(real)}")
    elif kind == "text":
        field = draw(st.sampled_from(_TEXT_FIELDS))
        pairs.append(f"{json.dumps(field)}: {json.dumps(draw(_BAD_TEXT))}")
    elif kind == "type":
        field = draw(st.sampled_from(_INT_FIELDS + _FLOAT_FIELDS + _TEXT_FIELDS))
        wrong: object = draw(
            st.lists(st.integers(), max_size=3) | st.dictionaries(st.text(), st.none())
        )
        pairs.append(f"{json.dumps(field)}: {json.dumps(wrong)}")
    elif kind == "unknown":
        name = draw(st.text(max_size=20).filter(lambda n: n not in RunParams.__dataclass_fields__))
        pairs.append(f"{json.dumps(name)}: {json.dumps(draw(st.text(max_size=20)))}")
    else:
        region = draw(st.text(max_size=20).filter(lambda r: r and not _looks_like_region(r)))
        pairs.append(f'"aws_region": {json.dumps(region)}')
    return "{" + ", ".join(pairs) + "}"


def _looks_like_region(text: str) -> bool:
    parts = text.split("-")
    return len(parts) >= 3 and parts[-1].isdigit()


class Cli:
    """``main()`` in-process with strict UTF-8 stdout/stderr, as a terminal or pipe has them."""

    def __init__(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.path = tmp_path / "event.json"
        self.reached: list[RunParams] = []
        self._monkeypatch = monkeypatch

        def record(params: RunParams, credentials: object, quiet: bool) -> int:
            self.reached.append(params)
            return REACHED_RUN

        monkeypatch.setattr(cli_main, "_execute", record)

    def run(self, event: str | bytes, *extra: str, stdin: bool = False) -> tuple[int, str, str]:
        data = event.encode("utf-8", "surrogatepass") if isinstance(event, str) else event
        out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
        if stdin:
            self._monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
            argv = ["run", "--event", "-", *extra]
        else:
            self.path.write_bytes(data)
            argv = ["run", "--event", str(self.path), *extra]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli_main.main(argv)
        return code, _text(out), _text(err)

    def assert_invalid(
        self, event: str | bytes, *extra: str, stdin: bool = False
    ) -> dict[str, Any]:
        before = len(self.reached)
        code, out, err = self.run(event, *extra, stdin=stdin)
        assert code == cli_main.EXIT_INVALID, (code, out, err)
        assert len(self.reached) == before, "an invalid event reached the run"
        response = strict_json(out)
        assert response["statusCode"] == 400
        body: dict[str, Any] = strict_json(response["body"])
        assert body["status"] == "FAIL" and body["problems"]
        assert all(p["field"] and p["allowed"] for p in body["problems"])
        assert "invalid input: " in err and "Traceback" not in err
        return body


def strict_json(text: str) -> Any:
    """``text`` read as standard JSON: Python's ``Infinity``/``NaN`` extensions refused, as
    any other program reading the result would refuse them."""

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in the result JSON")

    return json.loads(text, parse_constant=refuse)


def _text(stream: io.TextIOWrapper) -> str:
    stream.flush()
    buffer = stream.buffer
    assert isinstance(buffer, io.BytesIO)
    return buffer.getvalue().decode("utf-8")


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    # A closed loopback port: if anything did reach for Bedrock, it would fail, not call AWS.
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", f"http://127.0.0.1:{free_port()}")
    uninstall = install_redaction()  # main() installs it for good; undo it after the test
    try:
        yield Cli(tmp_path, monkeypatch)
    finally:
        uninstall()


def test_a_valid_event_reaches_the_run(cli: Cli) -> None:
    """The harness itself: a valid event is not refused, and reaches the (recorded) run."""
    code, _, _ = cli.run(json.dumps(VALID), "--no-s3")
    assert code == REACHED_RUN and len(cli.reached) == 1


# -- the regression corpus: every case issue 17 names ----------------------------------------

CORPUS: dict[str, str | bytes] = {
    "4301-digit integer": '{"prompt": "x", "titan_img_seed": ' + "9" * 4301 + "}",
    "1e400": '{"prompt": "x", "titan_img_cfg_scale": 1e400}',
    "-1e400": '{"prompt": "x", "titan_img_cfg_scale": -1e400}',
    "100000-deep nesting": '{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}",
    "lone surrogate in prompt": '{"prompt": "a lake \\ud800 at dawn"}',
    "max_retry_attempts 10^400": '{"prompt": "x", "max_retry_attempts": 1' + "0" * 400 + "}",
    "max_prompt_revisions 10^30": '{"prompt": "x", "max_prompt_revisions": 1' + "0" * 30 + "}",
    "max_tokens 2^63": '{"prompt": "x", "claude_validate_max_tokens": 9223372036854775808}',
    "top_k 10^400": '{"prompt": "x", "claude_revise_top_k": 1' + "0" * 400 + "}",
    "NUL in prompt": '{"prompt": "a lake \\u0000 at dawn"}',
    "bad region": '{"prompt": "x", "aws_region": "not a region!!"}',
    "NUL in output_dir": '{"prompt": "x", "output_dir": "/tmp/a\\u0000b"}',
    "not UTF-8": b'{"prompt": "\xff"}',
    "larger than an event": '{"prompt": "' + "x" * 1_100_000 + '"}',
}


@pytest.mark.parametrize("stdin", [False, True], ids=["file", "stdin"])
@pytest.mark.parametrize("name", list(CORPUS))
def test_issue17_corpus_exits_2_with_result_json(cli: Cli, name: str, stdin: bool) -> None:
    body = cli.assert_invalid(CORPUS[name], stdin=stdin)
    if name == "bad region":
        assert [p["field"] for p in body["problems"]] == ["aws_region"]


def test_issue17_a_nul_in_the_event_path_exits_2(cli: Cli, tmp_path: Path) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = cli_main.main(["run", "--event", str(tmp_path / "ev\x00ent.json")])
    assert code == cli_main.EXIT_INVALID
    assert strict_json(_text(out))["statusCode"] == 400
    assert cli.reached == []


@pytest.mark.parametrize(
    ("option", "value", "field"),
    [
        ("--region", "not a region!!", "aws_region"),
        ("--region", "us-east-1\n", "aws_region"),
        ("--output-dir", "/tmp/out\udcff", "output_dir"),  # a non-UTF-8 byte from argv
        ("--output-dir", "/tmp/out\nx", "output_dir"),
    ],
)
def test_issue17_bad_overrides_exit_2(cli: Cli, option: str, value: str, field: str) -> None:
    body = cli.assert_invalid(json.dumps(VALID), option, value)
    assert [p["field"] for p in body["problems"]] == [field]


# -- generated cases -------------------------------------------------------------------------

_FUZZ = settings(
    max_examples=250,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@_FUZZ
@given(invalid_event_text(), st.booleans())
@example('{"prompt": "x", "max_retry_attempts": 101}', False)
@example('{"prompt": "x", "claude_validate_top_k": 501}', True)
@example('{"prompt": "x", "claude_revise_max_tokens": 64001}', False)
def test_every_invalid_event_exits_2_without_a_call(cli: Cli, event: str, stdin: bool) -> None:
    cli.assert_invalid(event, "--no-s3", stdin=stdin)


@_FUZZ
@given(
    st.binary(max_size=300)
    | st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass"))
)
@example(b"")
@example(b"\xef\xbb\xbf{}")
@example(b"null")
@example(b'{"prompt": 1e999}')
def test_arbitrary_bytes_exit_2_without_a_call(cli: Cli, data: bytes) -> None:
    cli.assert_invalid(data, stdin=data[:1] == b"{")


@_FUZZ
@given(
    st.dictionaries(
        st.sampled_from(sorted(RunParams.__dataclass_fields__)),
        st.recursive(
            st.none()
            | st.booleans()
            | st.integers(min_value=-(10**40), max_value=10**40)
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.text(max_size=30),
            lambda inner: (
                st.lists(inner, max_size=3)
                | st.dictionaries(st.text(max_size=5), inner, max_size=3)
            ),
            max_leaves=6,
        ),
        max_size=6,
    )
)
@example({"prompt": "x", "titan_img_cfg_scale": math.pi})
def test_wild_known_fields_are_answered_and_only_valid_ones_run(
    cli: Cli, changes: dict[str, Any]
) -> None:
    """Any mix of known fields and wild values: exit 2 with a result JSON, or — only when
    the event is valid — the run; never anything else."""
    event = VALID | changes
    code, out, err = cli.run(json.dumps(event, ensure_ascii=False), "--no-s3")
    assert "Traceback" not in err
    if code == REACHED_RUN:
        return  # a valid event: the (recorded) run was reached, nothing was printed
    cli.reached.clear()
    assert code == cli_main.EXIT_INVALID, (code, out, err)
    assert strict_json(out)["statusCode"] == 400
