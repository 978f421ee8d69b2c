#!/bin/sh
# Footguns no code of ours uses (STYLE R75, curl's CHECKSRC): unbounded string functions,
# longjmp, and output or exit() outside the layers that own them.
cd "$1" || exit 2
bad=0
files=$(git ls-files 'src/*.[ch]' 'dissectors/*.[ch]')
for f in $files; do
    if grep -nE '(^|[^_a-z])(gets|strcpy|strcat|sprintf|vsprintf|strtok|atoi|atol|alloca|setjmp|longjmp)\(' "$f"; then
        echo "^ banned function in $f"; bad=1
    fi
    if grep -nE '\*\((const )?uint(16|32|64)_t \*\)|ntoh[sl]\(\*' "$f"; then
        echo "^ cast that dereferences packet memory in $f (use CpReader)"; bad=1
    fi
    case "$f" in
    src/cli/* | src/output/*) ;;
    *)
        if grep -nE '(^|[^_a-z.])(printf|fprintf|puts|fputs)\(' "$f"; then
            echo "^ output outside src/output and src/cli: $f"; bad=1
        fi
        if grep -nE '(^|[^_a-z])exit\(' "$f"; then
            echo "^ exit() below src/cli: $f"; bad=1
        fi
        ;;
    esac
done
exit $bad
