"""Command line `python -m devtools.packaging build|validate` (`make package`, `make validate`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from devtools.packaging.build import PACKAGE_SUFFIX, build_package
from devtools.packaging.declaration import MANIFEST
from devtools.packaging.errors import PackagingError
from devtools.packaging.findings import Finding
from devtools.packaging.validate import CHECKS, validate_package

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
LEVEL_ORDER = {"error": 0, "warning": 1, "info": 2}


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")


def default_package(root: Path, out_dir: Path) -> Path:
    """dist/<name>-<version>.difypkg as `build` names it, from the repository's manifest."""
    manifest = yaml.safe_load((root / MANIFEST).read_text(encoding="utf-8"))
    if not isinstance(manifest, dict) or "name" not in manifest or "version" not in manifest:
        raise PackagingError(f"{root / MANIFEST}: needs name and version to locate the package")
    return out_dir / f"{manifest['name']}-{manifest['version']}{PACKAGE_SUFFIX}"


def render_report(pkg: Path, findings: Sequence[Finding], *, install_test: bool) -> str:
    """Problems first, then the checks that found nothing, then the verdict."""
    lines = [f"Validated {pkg}"]
    for finding in sorted(findings, key=lambda f: LEVEL_ORDER[f.level]):
        lines.append(f"  {finding.level.upper():<8} [{finding.check}] {finding.message}")
    ran = [c for c in CHECKS if install_test or c != "install-test"]
    clean = [c for c in ran if not any(f.check == c and f.level != "info" for f in findings)]
    if clean:
        lines.append(f"  {'OK':<8} {', '.join(clean)}")
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    verdict = "FAILED" if errors else "PASSED"
    lines.append(f"{verdict}: {errors} error(s), {warnings} warning(s)")
    return "\n".join(lines)


def _build(args: argparse.Namespace) -> int:
    root: Path = args.root
    out_dir: Path = args.out or root / "dist"
    built = build_package(root, out_dir)
    _out(
        f"Built {built.path} ({len(built.files)} files, {built.uncompressed_size:,} bytes "
        f"uncompressed, {built.size:,} bytes packed)"
    )
    _out(built.identifier)
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    root: Path = args.root
    pkg: Path = args.package or default_package(root, root / "dist")
    if not pkg.is_file():
        raise PackagingError(f"{pkg} not found: run `make package` first")
    findings = validate_package(pkg, install_test=args.install_test)
    _out(render_report(pkg, findings, install_test=args.install_test))
    return EXIT_FINDINGS if any(f.level == "error" for f in findings) else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path.cwd(), help="plugin root (default: cwd)")
    parser = argparse.ArgumentParser(prog="python -m devtools.packaging", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", parents=[common], help="write dist/<name>-<version>.difypkg")
    build.add_argument("--out", type=Path, help="output directory (default: <root>/dist)")
    build.set_defaults(handler=_build)
    validate = sub.add_parser(
        "validate", parents=[common], help="check a .difypkg like the daemon and the marketplace"
    )
    validate.add_argument("package", nargs="?", type=Path, help="default: what `build` writes")
    validate.add_argument(
        "--install-test", action="store_true", help="also install it in a venv and start it"
    )
    validate.set_defaults(handler=_validate)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        result: int = args.handler(args)
    except PackagingError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_USAGE
    return result


if __name__ == "__main__":
    sys.exit(main())
