"""Where AWS credentials come from, and the clients built from them.

Credentials are pluggable (``CredentialsSource``) so the desktop app can add, say, keys kept
in the OS keyring later without the loop or the providers changing. ``DefaultChain`` is the
standard boto3 chain: named profiles (including IAM Identity Center/SSO), environment
variables, the shared files, container and instance roles.

Clients are created once per run and shared by all threads: boto3 clients are thread-safe,
boto3 Sessions are not, so no session is handed to another thread.

boto3 and the heavy parts of botocore (config, loaders, the session) are imported where a
session or client is first made, not when this module is: the window imports this module
for its types and constants, and importing boto3 cost a third of its start (issue 15).
``botocore.exceptions`` is light (standard library only) and stays at the top.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from botocore.exceptions import (
    BotoCoreError,
    ConnectionClosedError,
    NoCredentialsError,
    ReadTimeoutError,
)

from imgloop_desktop import __version__
from imgloop_desktop.core.i18n_marks import QT_TRANSLATE_NOOP, Phrase
from imgloop_desktop.providers import aws_errors, catalog

if TYPE_CHECKING:
    import boto3
    import botocore.loaders
    from botocore.config import Config
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_s3 import S3Client

log = logging.getLogger(__name__)

# Bedrock's first region, where most models and the seed's defaults are offered: someone
# with no region configured anywhere gets a working default rather than NoRegionError.
FALLBACK_REGION = "us-east-1"
DEFAULT_MAX_ATTEMPTS = 6
CONNECT_TIMEOUT_SECONDS = 10
# The client-wide read timeout is only a ceiling: ``install_call_policy`` gives each call
# its own (catalog.IMAGE_READ_TIMEOUT_SECONDS per image family, CHAT_READ_TIMEOUT_SECONDS
# for Converse), never above this. A botocore too old for per-request timeouts uses this.
READ_TIMEOUT_SECONDS = max(catalog.IMAGE_READ_TIMEOUT_SECONDS.values())
# After a read timeout a Converse call is sent again at most this many times; an
# InvokeModel call never is (see install_call_policy).
CHAT_TIMEOUT_RESENDS = 1
_SERVICE_EVENT = "bedrock-runtime"


# botocore parses each service's JSON model with one json.loads per file, which holds the
# GIL for 30-50 ms on S3's, and a new Session parses them again: every run would stall the
# window's thread. Every session made here shares this loader, whose cache keeps them parsed.
# Made on first use (it needs botocore's loaders), under a lock: sessions are built on
# several worker threads, and two loaders would each parse the models again.
_shared_loader: botocore.loaders.Loader | None = None
_loader_lock = threading.Lock()


def _loader() -> botocore.loaders.Loader:
    global _shared_loader
    with _loader_lock:
        if _shared_loader is None:
            import boto3
            import botocore.loaders

            loader = botocore.loaders.create_loader()
            loader.search_paths.append(str(Path(boto3.__file__).parent / "data"))
            _shared_loader = loader
        return _shared_loader


def _share_models(session: boto3.Session) -> None:
    # boto3 offers no public way to hand an existing Session a loader.
    session._session.register_component("data_loader", _loader())


def warm_up(region: str = FALLBACK_REGION) -> None:
    """Parse the Bedrock Runtime and S3 models ahead of the first run (no network call:
    the clients get placeholder keys and are closed unused). Importing boto3 happens here
    too, on the caller's worker thread, rather than while the window starts."""
    import boto3

    session = boto3.Session(
        aws_access_key_id="AKIDWARMUP0000000000",
        aws_secret_access_key="warm-up-placeholder",
        region_name=region,
    )
    _share_models(session)
    for service in ("bedrock-runtime", "s3"):
        session.client(service).close()


def profile_names() -> list[str]:
    """The profile names of the shared config and credentials files, sorted: what
    ``boto3.Session().available_profiles`` gives, read with botocore's own parser but without
    building a session, which needs all of boto3 (the window's picker asks this while it
    starts). No credentials are resolved and nothing reaches the network. A missing file
    gives no names; a broken one raises botocore's ``ConfigParseError``.
    """
    import botocore.configloader
    from botocore.exceptions import ConfigNotFound

    # The variables and defaults of botocore.configprovider's 'config_file' and
    # 'credentials_file', looked up the way botocore does (a variable set to "" counts).
    config_file = os.environ.get("AWS_CONFIG_FILE", "~/.aws/config")
    credentials_file = os.environ.get("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
    names: set[str] = set()
    with contextlib.suppress(ConfigNotFound):
        names.update(botocore.configloader.load_config(config_file)["profiles"])
    with contextlib.suppress(ConfigNotFound):
        names.update(botocore.configloader.raw_config_parse(credentials_file))
    return sorted(names)


class CredentialsSource(Protocol):
    def session(self) -> boto3.Session:
        """A new boto3 Session; called on the thread that builds the clients."""
        ...

    def describe(self) -> Phrase:
        """Where the credentials come from, for the window (in its language) and logs
        (``str()``, English); never the secrets. Its template is one of the
        ``CREDENTIALS`` context's."""
        ...


CREDENTIALS = "Credentials"
"""The translation context of every ``describe()``."""
DEFAULT_CHAIN = QT_TRANSLATE_NOOP("Credentials", "environment / default chain")
NAMED_PROFILE = QT_TRANSLATE_NOOP("Credentials", "AWS profile '{profile}'")


@dataclass(frozen=True)
class DefaultChain:
    """boto3's standard credential chain, optionally pinned to a named profile."""

    profile: str | None = None
    region: str | None = None

    def session(self) -> boto3.Session:
        import boto3

        return boto3.Session(profile_name=self.profile or None, region_name=self.region or None)

    def describe(self) -> Phrase:
        if self.profile:
            return Phrase(CREDENTIALS, NAMED_PROFILE, {"profile": self.profile})
        return Phrase(CREDENTIALS, DEFAULT_CHAIN)


@dataclass(frozen=True)
class Clients:
    """One run's clients. ``region`` is the person's (their setting, else the profile's);
    ``runtime(region)`` gives a Bedrock client for another region, made on first use from
    the same session, because a model may be served in some regions only."""

    bedrock_runtime: BedrockRuntimeClient
    s3: S3Client
    region: str
    session: boto3.Session | None = None
    config: Config | None = None
    endpoint_url: str | None = None
    regional: dict[str, BedrockRuntimeClient] = field(default_factory=dict)

    def runtime(self, region: str) -> tuple[BedrockRuntimeClient, str]:
        """A Bedrock runtime client for ``region`` and the region it really calls: clients
        a caller built without a session stay in their own region."""
        if not region or region == self.region or self.session is None:
            return self.bedrock_runtime, self.region
        client = self.regional.get(region)
        if client is None:
            try:
                client = self.session.client(
                    "bedrock-runtime",
                    region_name=region,
                    config=self.config,
                    endpoint_url=self.endpoint_url,
                )
            except BotoCoreError as exc:
                raise aws_errors.translate(
                    exc, model_id="", region=region, operation="CreateClient"
                ) from exc
            install_call_policy(client)
            self.regional[region] = client
        return client, region

    def all(self) -> list[Any]:
        """Every client made, for closing."""
        return [self.bedrock_runtime, self.s3, *self.regional.values()]


def close_clients(clients: Clients) -> None:
    """Close every client, logging (not raising) a failure: closing must not hide a result."""
    for client in clients.all():
        try:
            client.close()
        except Exception:
            log.debug("closing a boto3 client failed", exc_info=True)


def client_config(
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
    retry_mode: Literal["standard", "adaptive"] = "adaptive",
) -> Config:
    """Adaptive retries absorb Bedrock's throttling before it ever reaches the loop
    (``retry_mode`` "standard" for a one-off call that has nothing to pace).

    ``read_timeout`` is the ceiling of every call's own timeout (see install_call_policy);
    tests against a hung simulator pass a short one.
    """
    from botocore.config import Config

    return Config(
        retries={"mode": retry_mode, "max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=read_timeout,
        user_agent_extra=f"imgloop-desktop/{__version__}",
    )


def install_call_policy(client: Any) -> None:
    """Per-call read timeouts, and no resend of a generation the service may have run.

    Read timeouts: botocore takes a per-request ``read_timeout`` from the request context
    (botocore PR #3770); it is set here from the model family (InvokeModel) or the role
    (Converse), never above the client's own ``read_timeout``, so a client built with a
    short timeout (tests, the self-test) stays short.

    Resends: after a read timeout or a connection that closed with no answer, the request
    has reached Bedrock and the image may have been made and billed; botocore's standard
    and adaptive retry modes would send it again up to ``max_attempts`` times (issue 17:
    6 resends, 21 minutes on a hung service). For InvokeModel the loop decides instead and
    counts the attempt. Throttling and 5xx answers are still retried by the SDK.

    The veto is a ``needs-retry`` handler registered first on the operation's own event,
    which botocore calls before the service-wide retry handler and the adaptive rate
    limiter. It re-raises the caught exception: returning ``False`` would also stop the
    resend, but the retry handler would still run and draw retry quota for a retry that
    never happens, starving later throttling retries on this shared client.
    """
    events = client.meta.events
    events.register(
        f"before-parameter-build.{_SERVICE_EVENT}.InvokeModel",
        _image_read_timeout,
        unique_id="imgloop-image-read-timeout",
    )
    events.register(
        f"before-parameter-build.{_SERVICE_EVENT}.Converse",
        _chat_read_timeout,
        unique_id="imgloop-chat-read-timeout",
    )
    events.register_first(
        f"needs-retry.{_SERVICE_EVENT}.InvokeModel",
        _no_resend_of_generation,
        unique_id="imgloop-no-generation-resend",
    )
    events.register_first(
        f"needs-retry.{_SERVICE_EVENT}.Converse",
        _bounded_chat_resend,
        unique_id="imgloop-bounded-chat-resend",
    )


def _set_read_timeout(context: dict[str, Any], seconds: float) -> None:
    config = context.get("client_config")
    ceiling = getattr(config, "read_timeout", None)
    if isinstance(ceiling, int | float) and ceiling > 0:
        seconds = min(seconds, float(ceiling))
    context["read_timeout"] = seconds


def _image_read_timeout(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
    model_id = params.get("modelId")
    seconds = catalog.image_read_timeout(model_id if isinstance(model_id, str) else "")
    _set_read_timeout(context, seconds)


def _chat_read_timeout(params: Mapping[str, Any], context: dict[str, Any], **_: Any) -> None:
    _set_read_timeout(context, catalog.CHAT_READ_TIMEOUT_SECONDS)


def _no_resend_of_generation(caught_exception: BaseException | None = None, **_: Any) -> None:
    if isinstance(caught_exception, ReadTimeoutError | ConnectionClosedError):
        raise caught_exception


def _bounded_chat_resend(
    attempts: int, caught_exception: BaseException | None = None, **_: Any
) -> None:
    if isinstance(caught_exception, ReadTimeoutError) and attempts > CHAT_TIMEOUT_RESENDS:
        raise caught_exception


def credentialed_session(source: CredentialsSource) -> boto3.Session:
    """``source``'s boto3 session, sharing the parsed service models, with its credentials
    looked up now: none at all raises NoCredentialsError (a BotoCoreError) before any call."""
    session = source.session()
    _share_models(session)
    if session.get_credentials() is None:
        raise NoCredentialsError()
    return session


def make_clients(
    source: CredentialsSource,
    region: str | None,
    *,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
) -> Clients:
    """Build the Bedrock runtime and S3 clients for one run.

    The region is the one asked for, else the session's (profile or AWS_REGION /
    AWS_DEFAULT_REGION), else us-east-1. No ``endpoint_url`` is passed, so
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME / AWS_ENDPOINT_URL_S3 (VPC endpoints, proxies, local
    simulators) keep working. Raises ServiceError when the profile or its settings are
    unusable, or when no credentials can be found at all: checked here, before any run
    starts, so a missing key is a plain message rather than a run that failed at once.
    """
    config = client_config(max_attempts, read_timeout)
    try:
        session = credentialed_session(source)
        resolved = region or session.region_name or FALLBACK_REGION
        # Only the offline demo names an endpoint (its simulator); real routes never do.
        demo_endpoint: str | None = getattr(source, "bedrock_endpoint_url", None)
        bedrock_runtime = session.client(
            "bedrock-runtime", region_name=resolved, config=config, endpoint_url=demo_endpoint
        )
        install_call_policy(bedrock_runtime)
        s3 = session.client("s3", region_name=resolved, config=config)
    except BotoCoreError as exc:
        raise aws_errors.translate(
            exc,
            model_id="",
            region=region or "",
            operation="CreateClient",
            profile=getattr(source, "profile", None),
        ) from exc
    return Clients(
        bedrock_runtime=bedrock_runtime,
        s3=s3,
        region=resolved,
        session=session,
        config=config,
        endpoint_url=demo_endpoint,
    )
