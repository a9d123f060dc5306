"""The offline demo: the real loop against our simulator, for people without AWS access.

Everything but Bedrock is real (disk, history, the loop); the images are synthetic and
say so. The demo's credentials are placeholders that only the simulator accepts.

The simulator's defaults mirror a current account, so the demo runs the app's current
defaults as a real account would: the image model (``stability.sd3-5-large-v1:0``) answers
in us-west-2 only, where the app calls it whatever the person's region; the judge and
reviser (``us.anthropic.claude-sonnet-4-6``) answer from the person's region, us-east-1
here, which the ``us.`` profile takes (so does us-west-2).

``demo_script`` is the seed's verdict run (rejected twice, approved after a revision);
``demo_checklist_script`` is the same story told item by item for the checklist (issue 12),
about the demo's own prompt; ``any_prompt_script`` tells it about a person's own prompt
(their phrases are the checklist, the reviser restates their prompt), and ``demo_story``
picks between the two from what the run asks. A run told its own story is rejected until
its prompt is revised, however many attempts per prompt it has (the form's default is
five), and approved after.

**Every run sees the whole story** (issue 15). The story is a script of queued answers, and
a queue is used up by the first run that reads it; so ``DemoBackend()`` tells each run its
own copy (``PerRunScript``). How the simulator knows which run a request belongs to: each
``DemoCredentials.session()`` signs with a fresh access key id, and SigV4 puts that id in
every request. ``services.run.execute`` (the window's runs, the CLI) makes one session per
run, so a key is a run, with no hook a front end must remember to call and nothing
guessed from prompts: a prompt recurs across runs and inside one (every attempt before a
revision), and the first call of a run varies (a cached checklist means no checklist
call). Independent callers, such as the form's "write checklist" while a run goes, get
their own sessions and so their own stories instead of stealing the run's answers. The
window's queue runs several items on one session (``services.batch_engine`` shares one
client set); there a story that has approved starts over at the key's next generate or
checklist call, so items run one after another each see the story too (items running at
the same time share it).

A ``DemoBackend`` given a ``script`` answers that script exactly as ``BedrockSimulator``
does, shared by all runs: tests that queue their own answers keep their meaning.

Images differ between runs because the app draws a fresh seed for every attempt when the
Seed field is 0 (the default; ``core.loop``), and the simulator's pictures derive from
(prompt, seed, index); a seed given in the run's parameters reproduces them, as Bedrock
does.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.simulator.checklist_answers import CheckAnswer
from imgloop_desktop.simulator.converse_checks import converse_content
from imgloop_desktop.simulator.script import (
    Answer,
    ChecklistQueued,
    CheckQueued,
    CompareQueued,
    Fault,
    SimScript,
)
from imgloop_desktop.simulator.server import BedrockSimulator, _Reply

if TYPE_CHECKING:
    import boto3

DEMO = QT_TRANSLATE_NOOP("Credentials", "Offline demo (simulated Bedrock)")

# Demo key ids: this prefix and a five-digit session number (20 characters, as AWS's are).
DEMO_KEY_PREFIX = "AKIDOFFLINEDEMO"
_session_numbers = itertools.count(1)
_session_numbers_lock = threading.Lock()


def next_demo_key_id() -> str:
    """A key id no earlier session of this process used (until 99,999 sessions wrap)."""
    with _session_numbers_lock:
        number = next(_session_numbers)
    return f"{DEMO_KEY_PREFIX}{number % 100_000:05d}"


@dataclass(frozen=True)
class DemoCredentials:
    """A CredentialsSource that reaches only the local simulator."""

    bedrock_endpoint_url: str
    # The person's region: the judge's ``us.`` profile is called from it; the Stability image
    # models are called in us-west-2 by the app whatever this is.
    region: str = "us-east-1"

    def session(self) -> boto3.Session:
        """A session with its own key id: a run makes one session, so the simulator tells
        runs apart by the key each request is signed with (see the module's notes).

        boto3 is imported here, on the run's thread, as ``providers.session`` does: a
        first launch picks the demo while the window opens, and boto3 is a third of that."""
        import boto3

        return boto3.Session(
            aws_access_key_id=next_demo_key_id(),
            aws_secret_access_key="offline-demo-placeholder",
            region_name=self.region,
        )

    def describe(self) -> Phrase:
        return Phrase("Credentials", DEMO)  # providers.session's CREDENTIALS context


def demo_script() -> SimScript:
    """Two rejections, then approval after one revision: the whole loop in a few seconds.

    Told per run (``PerRunScript``), a run is rejected until its prompt is revised and
    approved after, whatever its attempts per prompt: with the window's five, five
    rejections, a revision, an approval."""
    script = SimScript(default_verdict="YES")
    script.queue_verdicts("NO", "NO", "YES")
    script.set_latency("generate", 1.0)
    script.set_latency("judge", 0.6)
    script.set_latency("revise", 0.8)
    return script


# The checklist demo's request: the CLI demo's example event (cli.main.EXAMPLE_EVENT).
DEMO_CHECKLIST_PROMPT = "A serene landscape with mountains and a lake at dawn, mist over the water"
# What the demo's judge writes for it: plain objects as the checklist template asks for.
# c3 is the colour item the demo fails twice; c4 depends on the lake being there.
DEMO_CHECKLIST: tuple[dict[str, object], ...] = (
    {"id": "c1", "text": "mountains", "must": True, "kind": "subject", "depends_on": []},
    {"id": "c2", "text": "a lake", "must": True, "kind": "subject", "depends_on": []},
    {
        "id": "c3",
        "text": "the sky shows the pink and orange colours of dawn",
        "must": True,
        "kind": "attribute",
        "depends_on": [],
    },
    {
        "id": "c4",
        "text": "mist over the water",
        "must": True,
        "kind": "attribute",
        "depends_on": ["c2"],
    },
    {"id": "c5", "text": "a serene mood", "must": False, "kind": "style", "depends_on": []},
)
DEMO_FAILED_ITEM = "c3"
DEMO_EVIDENCE = (
    "The sky is a flat midday blue; there is no pink or orange of dawn.",
    "The sky is pale grey-blue above the peaks; still no dawn colours.",
)
DEMO_REVISION = (
    "A serene mountain landscape at dawn: the sky glowing pink and orange above the peaks, "
    "a calm lake below with mist drifting over the water, soft early light"
)


def demo_checklist_script() -> SimScript:
    """The checklist run (issue 12), for ``judge_mode: "checklist"``: the judge writes
    ``DEMO_CHECKLIST`` (five items, four musts); the first image fails the colour item c3
    ("the sky shows the pink and orange colours of dawn") with evidence, the second fails it
    again, the reviser rewrites the prompt to fix it (``DEMO_REVISION``), and the next image
    passes every item, so it is approved. Same timing as ``demo_script``.

    Calls, in order: checklist; generate, check (c3 no); generate, check (c3 no); revise;
    generate, check (all yes). A verdict-mode run against this script behaves as
    ``demo_script`` (NO, NO, YES), with the same revision. Comparisons answer "tie".
    Use it as ``DemoBackend(demo_checklist_script())``.
    """
    script = _checklist_story()
    script.queue_checklists(list(DEMO_CHECKLIST))
    script.queue_checks(*({DEMO_FAILED_ITEM: ("no", evidence)} for evidence in DEMO_EVIDENCE))
    script.queue_revisions(DEMO_REVISION)
    return script


def _checklist_story() -> SimScript:
    """``demo_script`` with the checklist calls answered "yes" by default, in its timing."""
    script = demo_script()
    script.default_check = "yes"
    script.set_latency("checklist", 0.8)
    script.set_latency("check", 0.6)
    script.set_latency("compare", 0.6)
    return script


def any_prompt_script() -> SimScript:
    """The checklist demo's story told about any prompt: the checklist is the person's own
    phrases (the simulator writes one item per phrase), the first item fails ("Not as
    requested: ...") until the prompt is revised, and the reviser restates the prompt. A
    verdict-mode run behaves as ``demo_script``."""
    script = _checklist_story()
    script.queue_checks({"c1": "no"})
    return script


def demo_story() -> SimScript:
    """The story of the run whose Converse call is being answered: the checklist demo's own
    (``demo_checklist_script``) for its prompt, else ``any_prompt_script``, so a person's
    own prompt is not judged against the demo's mountains and lake."""
    if DEMO_CHECKLIST_PROMPT in _REQUEST.get():
        return demo_checklist_script()
    return any_prompt_script()


# The run a request belongs to, while the simulator answers it: the key id it was signed
# with ("" for an unsigned request). Set by ``DemoSimulator`` on the request's own thread.
_RUN_KEY: ContextVar[str] = ContextVar("imgloop_demo_run_key", default="")
# The text of the Converse call being answered (its prompt is the person's, in the words
# of the request's template), for ``demo_story``. Set by ``DemoSimulator``.
_REQUEST: ContextVar[str] = ContextVar("imgloop_demo_request", default="")
_CREDENTIAL_RE = re.compile(r"Credential=([^/,\s]+)/")
# Calls that can open a run: a story that has approved starts over at the next of these.
_OPENING_OPS = frozenset({"generate", "checklist"})


@dataclass
class _Run:
    story: SimScript | None = None
    """Made when the run first reads an answer (``PerRunScript._told``)."""
    approved: bool = False
    revised: bool = False
    failure: CheckQueued | None = None
    """The story's last item failure, said again until the run's prompt is revised."""


class PerRunScript(SimScript):
    """The demo's script: one copy of the story per run, shared settings for all.

    The answers a run reads (verdicts, revisions, checklists, item checks, comparisons)
    come from that run's copy of ``story()``; everything else the simulator asks for
    (latencies, faults, rate limits, retired models, sampling rules) is this object's,
    taken from one ``story()`` at the start and changeable as on any ``SimScript``. The
    answer queues of this object itself are not read: script a story through ``story``.
    """

    # Runs remembered at once; an older one evicted comes back as a new story, which only
    # a run idle through this many others would notice.
    MAX_RUNS = 64

    def __init__(self, story: Callable[[], SimScript]) -> None:
        super().__init__()
        self._story = story
        self._runs: OrderedDict[str, _Run] = OrderedDict()
        self.stories_started = 0
        self._adopt(story())

    def _adopt(self, template: SimScript) -> None:
        with self._lock:
            self.default_verdict = template.default_verdict
            self.default_check = template.default_check
            self.default_comparison = template.default_comparison
            self.latencies = dict(template.latencies)
            self.latency_scale = template.latency_scale
            self.faults = {op: deque(queue) for op, queue in template.faults.items()}
            self.end_of_life = set(template.end_of_life)
            self.eol_error_code = template.eol_error_code
            self.sampling_rules = dict(template.sampling_rules)
            self.serve_retired = template.serve_retired
            self.legacy_in_use = set(template.legacy_in_use)
            self.rate_limits = dict(template.rate_limits)

    def _new_run(self, key: str) -> _Run:
        run = self._runs[key] = _Run()
        self._runs.move_to_end(key)
        self.stories_started += 1
        while len(self._runs) > self.MAX_RUNS:
            self._runs.popitem(last=False)
        return run

    def _told(self) -> tuple[_Run, SimScript]:
        """The calling request's run and its story (the lock is held). The story is made
        when the run first reads an answer, a Converse call (``demo_story`` reads that
        request), not when the run is first seen: a generate call may open it."""
        run = self._run()
        if run.story is None:
            run.story = self._story()
        return run, run.story

    def _run(self) -> _Run:
        """The calling request's run (the lock is held)."""
        key = _RUN_KEY.get()
        run = self._runs.get(key)
        if run is None:
            return self._new_run(key)
        self._runs.move_to_end(key)
        return run

    def reset(self) -> None:
        """As ``SimScript.reset``, and every run starts its story again."""
        with self._lock:
            super().reset()
            self._runs.clear()

    def take_fault(self, op: str) -> Fault | None:
        # Asked once for every call before it is answered: where a run can begin, a story
        # that has already approved (a finished run on a shared session) starts over.
        if op in _OPENING_OPS:
            with self._lock:
                key = _RUN_KEY.get()
                run = self._runs.get(key)
                if run is not None and run.approved:
                    self._new_run(key)
        return super().take_fault(op)

    def take_verdict(self) -> Answer:
        with self._lock:
            run, story = self._told()
            if run.revised:
                answer = story.default_verdict
            else:
                answer = story.take_verdict()
                if _says_yes(answer):  # more attempts per prompt than the story's rejections
                    answer = "NO"
            if _says_yes(answer):
                run.approved = True
            return answer

    def take_revision(self) -> Answer | None:
        with self._lock:
            run, story = self._told()
            run.revised = True
            return story.take_revision()

    def take_checklist(self) -> ChecklistQueued | None:
        with self._lock:
            return self._told()[1].take_checklist()

    def take_check(self) -> CheckQueued:
        with self._lock:
            run, story = self._told()
            if not run.revised and story.checks:
                run.failure = story.take_check()
                return run.failure
            if not run.revised and run.failure is not None:
                return run.failure  # more attempts per prompt than the story's failures
            # Revised: every item answers the default, and a "yes" approves.
            if story.check_default() == "yes":
                run.approved = True
            return CheckAnswer(default=story.check_default())

    def check_default(self) -> str:
        with self._lock:
            return self._told()[1].check_default()

    def take_comparison(self) -> CompareQueued:
        with self._lock:
            return self._told()[1].take_comparison()


def _says_yes(answer: Answer) -> bool:
    return isinstance(answer, str) and answer.strip().upper() == "YES"


class DemoSimulator(BedrockSimulator):
    """The simulator, telling ``PerRunScript`` which run each request belongs to, and
    ``demo_story`` what a Converse call asks."""

    def _converse(self, op: str, body: dict[str, Any]) -> _Reply:
        texts, _images = converse_content(body)
        token = _REQUEST.set("\n".join(texts))
        try:
            return super()._converse(op, body)
        finally:
            _REQUEST.reset(token)

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        match = _CREDENTIAL_RE.search(handler.headers.get("Authorization", ""))
        token = _RUN_KEY.set(match[1] if match else "")
        try:
            super()._handle(cast(Any, handler))
        finally:
            _RUN_KEY.reset(token)


class DemoBackend:
    """Starts the simulator for as long as the demo is used.

    Without ``script``, every run is told its own copy of ``story`` (by default the
    checklist demo, about the demo's prompt or the person's: ``demo_story``); with one,
    the simulator answers that script as written, shared by every run, as tests that
    queue their own answers expect.
    """

    def __init__(
        self,
        script: SimScript | None = None,
        *,
        story: Callable[[], SimScript] = demo_story,
    ) -> None:
        self.simulator: BedrockSimulator = (
            BedrockSimulator(script) if script is not None else DemoSimulator(PerRunScript(story))
        )

    def start(self) -> DemoCredentials:
        return DemoCredentials(self.simulator.start())

    def stop(self) -> None:
        self.simulator.stop()

    def __enter__(self) -> DemoCredentials:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
