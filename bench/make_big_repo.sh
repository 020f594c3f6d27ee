#!/usr/bin/env bash
# make_big_repo.sh DIR COMMITS — a bare repository of COMMITS commits made with one git fast-import:
# each commit edits one line of one of 200 small files, a tag every 1,000; repacked and refs packed.
# Fixed authors and dates: two runs give the same oids. Used by large_bench.sh and relay_bench.sh.
set -euo pipefail
DIR=$1
COMMITS=$2
git init -q --bare -b main "$DIR"
python3 - "$COMMITS" <<'EOF' | git -C "$DIR" fast-import --quiet
import sys
n = int(sys.argv[1])
out = sys.stdout.buffer
files = [[f"line {k} of file {f}\n" for k in range(40)] for f in range(200)]
for i in range(1, n + 1):
    f = i % 200
    lines = files[f]
    lines[i % 40] = f"commit {i} changed line {i % 40} of file {f}\n"
    data = "".join(lines).encode()
    msg = f"commit {i}\n".encode()
    out.write(b"commit refs/heads/main\nmark :%d\n" % i)
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % (1700000000 + i))
    out.write(b"data %d\n%s" % (len(msg), msg))
    if i > 1:
        out.write(b"from :%d\n" % (i - 1))
    out.write(b"M 100644 inline dir%d/file%d.txt\ndata %d\n%s\n" % (f % 10, f, len(data), data))
    if i % 1000 == 0:
        out.write(b"reset refs/tags/v%d\nfrom :%d\n\n" % (i // 1000, i))
EOF
git -C "$DIR" repack -adq
git -C "$DIR" pack-refs --all
