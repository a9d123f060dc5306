"""Where a run's AWS credentials come from, for front ends.

A front end chooses a credentials source (boto3's default chain, a profile, a saved
account) and hands it to ``services.run``; it never builds clients itself. The protocol,
the default chain, the models' warm-up and the redaction of text that may hold a key are
re-exported from the providers unchanged, so front ends depend on services only (the
import contracts in pyproject.toml) and one definition serves every caller.
"""

from __future__ import annotations

from imgloop_desktop.providers.aws_errors import redact
from imgloop_desktop.providers.session import CredentialsSource, DefaultChain, warm_up

__all__ = ["CredentialsSource", "DefaultChain", "redact", "warm_up"]
