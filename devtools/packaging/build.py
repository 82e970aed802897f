"""Build `dist/<name>-<version>.difypkg` by the rules of `dify plugin package`.

Why in-repo: the Go CLI is a prebuilt binary this project cannot fetch, CI must produce the same
package a maintainer uploads, and the trigger plugin needs the shared client package copied in.
The output is deterministic: sorted paths, fixed timestamps, Deflate, no directory entries and no
comment, so the same tree always yields the same bytes and checksum. The CLI's zip layout and the
daemon's checksum: `pkg/plugin_packager/` in https://github.com/langgenius/dify-plugin-daemon
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from devtools.packaging.declaration import load_declaration
from devtools.packaging.errors import PackagingError
from devtools.packaging.sources import PluginSource

MAX_UNCOMPRESSED_BYTES = 52_428_800  # the CLI's and the daemon's 50 MiB limit
LARGEST_FILES_SHOWN = 5
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)  # the lowest valid DOS date: the CLI writes no timestamps
PACKAGE_SUFFIX = ".difypkg"
FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
IDENTIFIER_RE = re.compile(
    r"^(?:([a-z0-9_-]{1,64})\/)?([a-z0-9_-]{1,255}):([0-9]{1,4})(\.[0-9]{1,4}){1,3}(-\w{1,16})?"
    r"@[a-f0-9]{32,64}$"
)


@dataclass(frozen=True)
class BuiltPackage:
    """What a build produced; `size` is the .difypkg's size on disk."""

    path: Path
    identifier: str
    checksum: str
    files: tuple[str, ...]
    size: int
    uncompressed_size: int
    warnings: tuple[str, ...] = ()


def ignore_warnings(source: PluginSource) -> list[str]:
    """`!` lines do nothing in the Dify CLI; say so, or a maintainer trusts them to re-include."""
    rules = source.ignore_rules()
    return [
        f"{rules.source}: {line!r} has no effect: the Dify CLI never re-includes a file, "
        "so narrow the pattern that excludes it instead"
        for line in rules.negations
    ]


def check_total_size(sizes: Mapping[str, int]) -> int:
    """Running total of uncompressed bytes in path order; raise naming the largest files."""
    total = 0
    for path in sorted(sizes):
        total += sizes[path]
        if total > MAX_UNCOMPRESSED_BYTES:
            largest = sorted(sizes.items(), key=lambda item: (-item[1], item[0]))
            listing = "\n".join(
                f"  {size:>12,} bytes  {name}" for name, size in largest[:LARGEST_FILES_SHOWN]
            )
            raise PackagingError(
                "plugin package too large: the uncompressed files exceed "
                f"{MAX_UNCOMPRESSED_BYTES:,} bytes (50 MiB). Exclude files in .difyignore. "
                f"Largest files:\n{listing}"
            )
    return total


def package_checksum(contents: Mapping[str, bytes]) -> str:
    """Hex sha256 over sorted paths of sha256(path) || sha256(content), as the daemon does."""
    outer = hashlib.sha256()
    for path in sorted(contents):
        outer.update(hashlib.sha256(path.encode("utf-8")).digest())
        outer.update(hashlib.sha256(contents[path]).digest())
    return outer.hexdigest()


def plugin_identifier(author: str, name: str, version: str, checksum: str) -> str:
    """`author/name:version@checksum`, checked against the daemon's identifier pattern."""
    identifier = f"{author}/{name}:{version}@{checksum}"
    if not IDENTIFIER_RE.fullmatch(identifier):
        raise PackagingError(
            f"unique identifier {identifier!r} does not match the daemon pattern "
            f"{IDENTIFIER_RE.pattern}"
        )
    return identifier


def write_zip(dest: Path, entries: Iterable[tuple[str, bytes, bool]]) -> None:
    """Write (path, content, executable) entries in the given order, atomically replacing `dest`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for path, content, executable in entries:
                info = zipfile.ZipInfo(path, date_time=ZIP_DATE_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # Unix, so external_attr carries POSIX permissions
                mode = EXECUTABLE_MODE if executable else FILE_MODE
                info.external_attr = (stat.S_IFREG | mode) << 16
                archive.writestr(info, content)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)


def package_name(name: str, version: str) -> str:
    return f"{name}-{version}{PACKAGE_SUFFIX}"


def build_package(plugin: Path | PluginSource, out_dir: Path) -> BuiltPackage:
    """Package one plugin into `out_dir/<name>-<version>.difypkg`.

    A bare path is a plugin folder with nothing copied in. Raises PackagingError (declaration
    problems, missing icons, size limit) before writing anything.
    """
    source = plugin if isinstance(plugin, PluginSource) else PluginSource(plugin)
    files = source.collect(exclude_dir=out_dir)

    def read(rel: str) -> bytes:
        return files[rel].read_bytes()

    declaration = load_declaration(frozenset(files), read)
    uncompressed = check_total_size({rel: path.stat().st_size for rel, path in files.items()})
    contents = {rel: read(rel) for rel in files}
    checksum = package_checksum(contents)
    identifier = plugin_identifier(
        declaration.author, declaration.name, declaration.version, checksum
    )
    dest = out_dir / package_name(declaration.name, declaration.version)
    write_zip(
        dest,
        ((rel, contents[rel], os.access(path, os.X_OK)) for rel, path in files.items()),
    )
    return BuiltPackage(
        path=dest,
        identifier=identifier,
        checksum=checksum,
        files=tuple(files),
        size=dest.stat().st_size,
        uncompressed_size=uncompressed,
        warnings=tuple(ignore_warnings(source)),
    )
