"""Real C2PA-signed PNGs for tests: the SDK signs with the public test certificate in
``tests/fixtures/c2pa`` (see its README for where it comes from), so every test exercises
the same signatures a Nova Canvas image carries, not a stand-in."""

from __future__ import annotations

import io
from pathlib import Path

import c2pa

from imgloop_desktop.core.protocols import GeneratedImage, GenerationRequest
from imgloop_desktop.storage.export.png_meta import DIGITAL_SOURCE_TYPE
from tests.fakes import FakeGenerator

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "c2pa"
ISSUER = "C2PA Test Signing Cert"


def sign_png(png: bytes, title: str = "image.png") -> bytes:
    """``png`` with an embedded, signed C2PA manifest saying a trained model made it."""
    cert = (FIXTURES / "es256_certs.pem").read_bytes()
    key = (FIXTURES / "es256_private.key").read_bytes()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", cert, key, None))
    manifest = {
        "claim_generator_info": [{"name": "imgloop-tests", "version": "1"}],
        "title": title,
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {
                    "actions": [
                        {"action": "c2pa.created", "digitalSourceType": DIGITAL_SOURCE_TYPE}
                    ]
                },
            }
        ],
    }
    out = io.BytesIO()
    with c2pa.Builder(manifest) as builder:
        builder.sign(signer, "image/png", io.BytesIO(png), out)
    signer.close()
    return out.getvalue()


class SignedGenerator(FakeGenerator):
    """The fake model, but every image comes back signed, as Nova Canvas's do."""

    def generate(self, request: GenerationRequest) -> list[GeneratedImage]:
        return [GeneratedImage(sign_png(g.data), g.seed) for g in super().generate(request)]
