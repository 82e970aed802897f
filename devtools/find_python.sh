#!/bin/sh
# Print the path of the first usable Python >= 3.12 (dify_plugin >= 0.8 needs it; Dify's daemon uses 3.12).
# `command -v python3.12` proves nothing here: pyenv shims exist for versions pyenv has not selected and
# fail when run, so every candidate is *run* before it is accepted.
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
for c in "${PYTHON:-}" python3.12 python3.13 python3; do
  [ -n "$c" ] && ok "$c" && { command -v "$c"; exit 0; }
done
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root)
  for v in 3.12 3.13; do
    for p in $(ls -d "$root"/versions/$v*/bin/python 2>/dev/null | sort -rV); do
      ok "$p" && { echo "$p"; exit 0; }
    done
  done
fi
for p in /usr/local/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.13 /usr/bin/python3.13; do
  ok "$p" && { echo "$p"; exit 0; }
done
echo "find_python: no Python >= 3.12 found; install one (e.g. 'pyenv install 3.12') or set PYTHON=/path/to/python3.12" >&2
exit 1
