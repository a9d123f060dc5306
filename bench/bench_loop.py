"""Time to an approved image: the seed's strictly sequential loop against ours, in one run.

Run: ``.venv/bin/python bench/bench_loop.py [--scale 0.5]``. Everything talks HTTP on
loopback: Bedrock is our simulator with fixed per-call latencies (generate 1.0 s, judge
0.6 s, revise 0.8 s, times ``--scale``), S3 is moto's server behind a 0.2 s delay per put.
Each variant runs the same verdict script; the figures are ratios to the sequential loop
measured in the same process, so a noisy machine moves both sides alike.

The models are the app's defaults (Stable Diffusion 3.5 Large, served in us-west-2 only, and
the ``us.`` Claude Sonnet 4.6 profile). The person's region is us-east-1, so every variant
calls each model where the app would (``services.run.regions``): the image model in
us-west-2, the judge in us-east-1; the simulator checks each request's signed region.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from imgloop_desktop.core import events as ev
from imgloop_desktop.core.loop import ImageLoop, s3_key
from imgloop_desktop.core.params import RunParams, fit_to_model
from imgloop_desktop.core.parsing import parse_revision, parse_verdict
from imgloop_desktop.core.prompts import judge_prompt, revise_prompt
from imgloop_desktop.core.protocols import GenerationRequest
from imgloop_desktop.providers.bedrock import BedrockImageGenerator, ConverseChat
from imgloop_desktop.providers.catalog import image_spec
from imgloop_desktop.providers.session import Clients, DefaultChain, make_clients
from imgloop_desktop.services.run import execute, regions
from imgloop_desktop.simulator.server import BedrockSimulator
from imgloop_desktop.storage.local import LocalImageStore
from imgloop_desktop.storage.s3 import S3Uploader

LATENCY = {"generate": 1.0, "judge": 0.6, "revise": 0.8}
S3_PUT_SECONDS = 0.2
BUCKET = "imgloop-bench"
HOME_REGION = "us-east-1"  # the person's region; each model is called where it is served
IMAGE_SIDE = 1024  # SD3.5 Large's 1:1 size (it makes no 512x512)
TARGETS = {"k=1": 0.90, "k=1 + speculation": 0.65, "k=3": 0.45}


@dataclass(frozen=True)
class Script:
    name: str
    attempts: int
    revisions: int
    verdicts: tuple[str, ...]


SCRIPTS = (
    Script("one prompt: 5 rejections, then approval", 8, 1, ("NO",) * 5 + ("YES",)),
    Script("with a revision: 4 rejections, revise, 1 more, approval", 4, 1, ("NO",) * 5 + ("YES",)),
)


class DelayedS3:
    """moto answers in microseconds; a real put from a desktop takes a while."""

    def __init__(self, client: Any, delay: float) -> None:
        self.client = client
        self.delay = delay

    def put_object(self, **kwargs: Any) -> Any:
        time.sleep(self.delay)
        return self.client.put_object(**kwargs)


@dataclass
class Figures:
    seconds: float
    generations: int
    judgings: int
    revisions: int
    judge_tokens: int


def model_clients(
    params: RunParams, clients: Clients
) -> tuple[BedrockImageGenerator, ConverseChat]:
    """The generator and judge on the region's client each model is served in, as
    ``services.run`` picks them for a person in ``clients.region``."""
    spec = image_spec(params.image_model_id)
    image_region, judge_region = regions(params, clients.region)
    image_client, image_region = clients.runtime(image_region)
    judge_client, judge_region = clients.runtime(judge_region)
    return (
        BedrockImageGenerator(image_client, spec, region=image_region),
        ConverseChat(judge_client, params.judge_model_id, region=judge_region),
    )


def sequential(params: RunParams, clients: Clients, store: LocalImageStore, s3: DelayedS3) -> float:
    """The seed's order, one step after another: generate, keep, put to S3, judge, revise."""
    spec = image_spec(params.image_model_id)
    params, _notes = fit_to_model(params, spec)  # the size the loop asks for, too
    generator, chat = model_clients(params, clients)
    start = time.perf_counter()
    prompt = params.prompt
    for revision in range(params.max_prompt_revisions + 1):
        reasons: list[str] = []
        for attempt in range(params.max_retry_attempts):
            request = GenerationRequest(
                prompt,
                params.titan_img_width,
                params.titan_img_height,
                params.titan_img_cfg_scale,
                1,
                42 + attempt,
            )
            image = generator.generate(request)[0]
            name = f"{revision:03d}-{attempt:03d}-0.png"
            store.save("sequential", name, image.data)
            ref = ev.ImageRef(revision, attempt, 0)
            s3.put_object(Bucket=BUCKET, Key=s3_key("seq", "0", ref, 1), Body=image.data)
            reply = chat.ask(judge_prompt(params.prompt), params.validate_settings, image.data)
            result, reason = parse_verdict(reply.text)
            if result is ev.VerdictResult.YES:
                return time.perf_counter() - start
            reasons.append(reason)
        if revision < params.max_prompt_revisions:
            text = revise_prompt(original=params.prompt, latest=prompt, reasons=reasons, spec=spec)
            prompt = parse_revision(chat.ask(text, params.revise_settings).text)
    raise RuntimeError("the script never approved an image")


def ours(params: RunParams, clients: Clients, store: LocalImageStore, s3: DelayedS3) -> float:
    """Our loop; the clock stops at the approving verdict, as a person would see it."""
    spec = image_spec(params.image_model_id)
    generator, chat = model_clients(params, clients)
    approved_at: list[float] = []
    start = time.perf_counter()

    def emit(event: ev.Event) -> None:
        if isinstance(event, ev.VerdictReceived) and event.verdict.approved and not approved_at:
            approved_at.append(time.perf_counter() - start)

    with S3Uploader(s3, BUCKET) as uploader:
        ImageLoop(
            params,
            spec,
            generator=generator,
            chat=chat,
            store=store,
            uploader=uploader,
            emit=emit,
        ).run()
    if not approved_at:
        raise RuntimeError("the script never approved an image")
    return approved_at[0]


def headless_service(params: RunParams, *_: object) -> float:
    """The whole app path without a window: services.run.execute (history, local store)."""
    approved_at: list[float] = []
    start = time.perf_counter()

    def emit(event: ev.Event) -> None:
        if isinstance(event, ev.VerdictReceived) and event.verdict.approved and not approved_at:
            approved_at.append(time.perf_counter() - start)

    with execute(params.with_changes(s3_enabled=False), credentials=DefaultChain(), emit=emit):
        pass  # leaving the block closes the clients execute made
    return approved_at[0]


def through_gui(params: RunParams, *_: object) -> float:
    """The same path through the window's RunController: worker thread, queued signals,
    a Qt event loop on this thread."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEventLoop
    from PySide6.QtWidgets import QApplication

    from imgloop_desktop.gui.run_controller import RunController

    app = QApplication.instance() or QApplication(["bench"])
    controller = RunController()
    approved_at: list[float] = []
    loop = QEventLoop()
    start = time.perf_counter()

    def on_event(event: object) -> None:
        if isinstance(event, ev.VerdictReceived) and event.verdict.approved and not approved_at:
            approved_at.append(time.perf_counter() - start)

    controller.event.connect(on_event)
    controller.finished.connect(loop.quit)

    def on_failed(message: str, _details: object) -> None:
        print(message)
        loop.quit()

    controller.failed.connect(on_failed)
    controller.start(params.with_changes(s3_enabled=False), DefaultChain())
    loop.exec()
    controller.wait()
    controller.deleteLater()
    app.processEvents()
    return approved_at[0]


def measure(
    sim: BedrockSimulator,
    script: Script,
    run: Callable[[RunParams, Clients, LocalImageStore, DelayedS3], float],
    params: RunParams,
    clients: Clients,
    store: LocalImageStore,
    s3: DelayedS3,
) -> Figures:
    sim.script.verdicts.clear()
    sim.script.queue_verdicts(*script.verdicts)
    sim.clear_calls()
    seconds = run(params, clients, store, s3)  # returns once every call it made is answered
    judges = [c for c in sim.calls if c.op == "judge"]
    return Figures(
        seconds=seconds,
        generations=sim.arrivals("generate"),
        judgings=len(judges),
        revisions=sim.count("revise"),
        judge_tokens=sum(c.input_tokens or 0 for c in judges),
    )


def start_moto() -> tuple[subprocess.Popen[bytes], str]:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    moto = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(moto), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/moto-api/", timeout=1):
                return proc, url
        except OSError:
            if time.monotonic() > deadline:
                proc.kill()
                raise
            threading.Event().wait(0.05)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.5, help="multiply every latency")
    args = parser.parse_args()

    moto, moto_url = start_moto()
    tmp = tempfile.TemporaryDirectory(prefix="imgloop-bench-")
    os.environ.update(
        IMGLOOP_DATA_DIR=tmp.name,
        AWS_ACCESS_KEY_ID="AKIDBENCH00000000000",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_DEFAULT_REGION=HOME_REGION,
        AWS_ENDPOINT_URL_S3=moto_url,
        AWS_CONFIG_FILE=str(Path(tmp.name) / "none"),
        AWS_SHARED_CREDENTIALS_FILE=str(Path(tmp.name) / "none"),
    )
    sim = BedrockSimulator()
    sim.start()
    os.environ.update(sim.env())
    for op, seconds in LATENCY.items():
        sim.script.set_latency(op, seconds * args.scale)
    clients = make_clients(DefaultChain(), HOME_REGION)
    clients.s3.create_bucket(Bucket=BUCKET)
    s3 = DelayedS3(clients.s3, S3_PUT_SECONDS * args.scale)
    store = LocalImageStore(Path(tmp.name) / "images")
    print(
        f"latencies x{args.scale:g}: generate {LATENCY['generate'] * args.scale:.2f}s, "
        f"judge {LATENCY['judge'] * args.scale:.2f}s, "
        f"revise {LATENCY['revise'] * args.scale:.2f}s, "
        f"S3 put {S3_PUT_SECONDS * args.scale:.2f}s; images {IMAGE_SIDE}x{IMAGE_SIDE}"
    )
    try:
        for script in SCRIPTS:
            base = RunParams(
                prompt="a red fox sitting in deep snow at dusk",
                max_retry_attempts=script.attempts,
                max_prompt_revisions=script.revisions,
                titan_img_width=IMAGE_SIDE,
                titan_img_height=IMAGE_SIDE,
                output_s3_bucket_name=BUCKET,
                s3_enabled=True,
                output_s3_key_prefix="bench",
            )
            variants: list[tuple[str, Callable[..., float], RunParams]] = [
                ("sequential (seed order)", sequential, base),
                ("k=1", ours, base),
                ("k=1 + speculation", ours, base.with_changes(speculative_next=True)),
                ("k=3", ours, base.with_changes(candidates_in_flight=3)),
                ("k=1, judge sees 256 px", ours, base.with_changes(judge_image_max_side=256)),
            ]
            limits = f"attempts {script.attempts}, revisions {script.revisions}"
            print(f"\nscript: {script.name} ({limits})")
            print(
                f"{'variant':26} {'to approval':>11} {'ratio':>6} {'target':>7} "
                f"{'gens':>5} {'judges':>6} {'revises':>7} {'judge tokens':>12}"
            )
            reference = 0.0
            for name, run, params in variants:
                f = measure(sim, script, run, params, clients, store, s3)
                reference = reference or f.seconds
                target = TARGETS.get(name)
                print(
                    f"{name:26} {f.seconds:10.2f}s {f.seconds / reference:6.2f} "
                    f"{f'<={target:.2f}' if target else '':>7} {f.generations:5d} {f.judgings:6d} "
                    f"{f.revisions:7d} {f.judge_tokens:12d}"
                )
            headless = measure(sim, script, headless_service, base, clients, store, s3)
            gui = measure(sim, script, through_gui, base, clients, store, s3)
            print(
                f"GUI run controller vs headless service (k=1, S3 off): "
                f"{gui.seconds:.2f}s / {headless.seconds:.2f}s = "
                f"{gui.seconds / headless.seconds:.3f} (target <= 1.05)"
            )
    finally:
        for client in clients.all():
            client.close()
        sim.stop()
        moto.terminate()
        moto.wait(timeout=10)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
