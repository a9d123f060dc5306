#!/usr/bin/env python3
"""Build the Lambda artifact for packaging/aws/template.yaml: the core only, for arm64.

    python packaging/aws/build_lambda.py                # build/aws/lambda/ + build/aws/lambda.zip
    python packaging/aws/build_lambda.py --arch x86_64 --python-version 3.11 --out DIR

This replaces ``sam build``: SAM builds a Python function from a requirements.txt, and for
Pillow's compiled wheels on arm64 it needs Docker (``--use-container``). pip can fetch the
right wheels itself (``--platform``, ``--only-binary=:all:``), so no container is needed and
the dependency list is the one in pyproject.toml's ``[project] dependencies``, never a
second copy that could drift.

What goes in:

- the core dependencies, as manylinux wheels for the target (Lambda's python3.12 runtime
  runs on Amazon Linux 2023, glibc 2.34, so ``manylinux_2_28`` wheels qualify as well as
  ``manylinux2014``; Pillow only publishes the former for recent releases);
- boto3 and botocore, bundled rather than taken from the runtime: pyproject asks for
  boto3>=1.35 and the Converse API, inference profiles and new model ids need a recent
  botocore, while the runtime's copy is older and changes when AWS updates it, not when we
  do. Bundling deploys exactly the SDK the tests ran. Only the service models the handler
  can reach are kept (as the PyInstaller spec does), which takes botocore from about
  28 MB of models to a few hundred kB;
- ``imgloop_desktop`` from this checkout, without ``gui`` (Qt only; never imported by the
  handler, and the artifact has no Qt to import it with).

No ``.pyc`` files are written: pip would compile them with *this* interpreter, whose cache
tag need not be the runtime's, so they would only take space.

Prints the file count and the unzipped and zipped sizes against Lambda's limits (250 MB
unzipped, 50 MB zipped for a direct upload), and exits 1 when either is exceeded.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "imgloop_desktop"
DEFAULT_OUT = ROOT / "build" / "aws" / "lambda"
# Lambda's python3.12 runtime (see template.yaml); arm64 is about 20% cheaper per GB-second.
DEFAULT_PYTHON = "3.12"
DEFAULT_ARCH = "aarch64"
# Subpackages the Lambda never imports and whose own imports (Qt) are absent there.
LEFT_OUT_SUBPACKAGES = ("gui",)
# The handler calls bedrock-runtime (images, judge, reviser), bedrock (model facts), s3
# (uploads) and sts (identity in messages); the sso ones keep botocore's credential chain
# whole (the same set as packaging/imgloop.spec). Files directly in botocore/data
# (endpoints, partitions, retry config) are always kept.
BOTOCORE_SERVICES = frozenset(
    {"bedrock-runtime", "bedrock", "s3", "sts", "sso", "sso-oidc", "signin"}
)

ZIP_LIMIT = 50 * 1000 * 1000  # Lambda's direct-upload limit, in bytes as AWS counts them
UNZIPPED_LIMIT = 250 * 1000 * 1000  # code plus layers, unzipped
# A fixed timestamp makes the zip depend only on its contents, so an unchanged build
# uploads nothing new (sam deploy compares checksums).
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Artifact:
    """What was built, and how big it is."""

    folder: Path
    zip_path: Path
    files: int
    unzipped_bytes: int
    zipped_bytes: int

    def report(self) -> str:
        zipped = (
            f", {self.zipped_bytes / 1e6:.1f} MB zipped (limit 50 MB)" if self.zipped_bytes else ""
        )
        return (
            f"lambda artifact {self.folder}: {self.files} files, "
            f"{self.unzipped_bytes / 1e6:.1f} MB unzipped (limit 250 MB){zipped}"
        )

    @property
    def within_limits(self) -> bool:
        return self.zipped_bytes < ZIP_LIMIT and self.unzipped_bytes < UNZIPPED_LIMIT


def core_dependencies(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The package's required dependencies: by design the core's, without any extra."""
    with pyproject.open("rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])


def platform_tags(arch: str) -> list[str]:
    """pip ``--platform`` values for Lambda's Amazon Linux 2023 on ``arch``."""
    return [f"manylinux2014_{arch}", f"manylinux_2_28_{arch}"]


def pip_install_core(target: Path, *, arch: str, python_version: str, quiet: bool) -> None:
    """Install the core dependencies for the target platform into ``target``."""
    cmd = [sys.executable, "-m", "pip", "install", "--disable-pip-version-check"]
    cmd += ["--target", str(target), "--only-binary=:all:", "--no-compile", "--upgrade"]
    cmd += ["--implementation", "cp", "--python-version", python_version]
    for tag in platform_tags(arch):
        cmd += ["--platform", tag]
    if quiet:
        cmd.append("--quiet")
    cmd += core_dependencies()
    env = dict(os.environ, PIP_NO_INPUT="1")
    env.pop("PIP_REQUIRE_VIRTUALENV", None)
    subprocess.run(cmd, check=True, env=env)


def copy_package(target: Path) -> None:
    """Our package from this checkout, without the window and without caches."""

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n == "__pycache__" or n.endswith((".pyc", ".pyo"))}
        if Path(folder) == ROOT / PACKAGE:
            skipped |= set(LEFT_OUT_SUBPACKAGES) & set(names)
        return skipped

    shutil.copytree(ROOT / PACKAGE, target / PACKAGE, ignore=ignore)


def trim(target: Path) -> None:
    """Drop what the runtime never reads: unused botocore models, console scripts (their
    shebangs name this machine's interpreter) and any bytecode caches."""
    data = target / "botocore" / "data"
    if data.is_dir():
        for service in data.iterdir():
            if service.is_dir() and service.name not in BOTOCORE_SERVICES:
                shutil.rmtree(service)
    shutil.rmtree(target / "bin", ignore_errors=True)
    for cache in list(target.rglob("__pycache__")):
        shutil.rmtree(cache)


def files_under(folder: Path) -> Iterable[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def write_zip(folder: Path, zip_path: Path) -> None:
    """A reproducible zip: sorted entries, one timestamp, and modes Lambda can read (it runs
    the code as another user, so files must be world-readable)."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = zip_path.with_suffix(".zip.tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files_under(folder):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            mode = 0o755 if os.access(path, os.X_OK) else 0o644
            info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(zip_path)


def build(
    out: Path = DEFAULT_OUT,
    *,
    arch: str = DEFAULT_ARCH,
    python_version: str = DEFAULT_PYTHON,
    make_zip: bool = True,
    quiet: bool = True,
) -> Artifact:
    """Build the artifact folder ``out`` (emptied first) and ``out``.zip beside it."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    pip_install_core(out, arch=arch, python_version=python_version, quiet=quiet)
    copy_package(out)
    trim(out)
    files = list(files_under(out))
    zip_path = out.with_suffix(".zip")
    if make_zip:
        write_zip(out, zip_path)
    return Artifact(
        folder=out,
        zip_path=zip_path,
        files=len(files),
        unzipped_bytes=sum(p.stat().st_size for p in files),
        zipped_bytes=zip_path.stat().st_size if make_zip else 0,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="artifact folder")
    parser.add_argument("--arch", default=DEFAULT_ARCH, choices=("aarch64", "x86_64"))
    parser.add_argument("--python-version", default=DEFAULT_PYTHON)
    parser.add_argument("--verbose", action="store_true", help="show pip's output")
    args = parser.parse_args(argv)
    artifact = build(
        args.out.resolve(),
        arch=args.arch,
        python_version=args.python_version,
        quiet=not args.verbose,
    )
    print(artifact.report(), flush=True)
    if not artifact.within_limits:
        print("the artifact is over Lambda's limits", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
