"""Command line `python -m devtools.packaging build|validate` (`make package`, `make validate`).

Both commands handle every plugin of the repository at `--root`: the tool plugin at the root and
the trigger plugin in its sub-folder once that folder has a manifest.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from devtools.packaging.build import build_package, package_name
from devtools.packaging.declaration import MANIFEST
from devtools.packaging.errors import PackagingError
from devtools.packaging.findings import Finding
from devtools.packaging.sources import repository_plugins
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
    return out_dir / package_name(str(manifest["name"]), str(manifest["version"]))


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
    """Build every plugin; one plugin's problems do not hide another's."""
    root: Path = args.root
    out_dir: Path = args.out or root / "dist"
    problems: list[str] = []
    for source in repository_plugins(root):
        try:
            built = build_package(source, out_dir)
        except PackagingError as exc:
            problems.append(f"{source.label}: {exc}")
            continue
        _out(
            f"Built {built.path} ({len(built.files)} files, {built.uncompressed_size:,} bytes "
            f"uncompressed, {built.size:,} bytes packed)"
        )
        for note in built.warnings:
            _out(f"  WARNING  {note}")
        _out(built.identifier)
    if problems:
        raise PackagingError("\n".join(problems))
    return EXIT_OK


def _validate(args: argparse.Namespace) -> int:
    root: Path = args.root
    out_dir: Path = args.out or root / "dist"
    packages: list[Path] = args.packages or [
        default_package(source.root, out_dir) for source in repository_plugins(root)
    ]
    missing = [pkg for pkg in packages if not pkg.is_file()]
    if missing:
        raise PackagingError(f"{', '.join(map(str, missing))} not found: run `make package` first")
    failed = False
    for pkg in packages:
        findings = validate_package(pkg, install_test=args.install_test)
        _out(render_report(pkg, findings, install_test=args.install_test))
        failed = failed or any(f.level == "error" for f in findings)
    return EXIT_FINDINGS if failed else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root", type=Path, default=Path.cwd(), help="repository root (default: cwd)"
    )
    parser = argparse.ArgumentParser(prog="python -m devtools.packaging", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser(
        "build", parents=[common], help="write dist/<name>-<version>.difypkg for each plugin"
    )
    build.add_argument("--out", type=Path, help="output directory (default: <root>/dist)")
    build.set_defaults(handler=_build)
    validate = sub.add_parser(
        "validate", parents=[common], help="check a .difypkg like the daemon and the marketplace"
    )
    validate.add_argument(
        "packages", nargs="*", type=Path, help="default: the packages `build` writes"
    )
    validate.add_argument(
        "--out", type=Path, help="where `build` wrote the packages (default: <root>/dist)"
    )
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
