#!/bin/sh
# Every C file of the project matches .clang-format (STYLE R69). Skipped without clang-format.
cd "$1" || exit 2
command -v clang-format >/dev/null 2>&1 || { echo "SKIP: clang-format not installed"; exit 77; }
bad=0
for f in $(git ls-files 'src/*.[ch]' 'dissectors/*.[ch]' 'tests/*.[ch]' 2>/dev/null); do
    clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || { echo "not formatted: $f"; bad=1; }
done
exit $bad
