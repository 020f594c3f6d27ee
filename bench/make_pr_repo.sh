#!/usr/bin/env bash
# make_pr_repo.sh — a bare repository shaped like a busy GitHub repository (libgit2's own, 2026:
# 146 branches, 124 tags, 6,736 refs/pull/N/{head,merge}, one refs/remotes/… ref), built in a few
# seconds with git fast-import, and cheap copies of it for fleets.
#
# Usage:
#   bench/make_pr_repo.sh DIR [BRANCHES=146] [TAGS=124] [PULLS=3368]
#       Creates the bare repository DIR (must not exist). BRANCHES counts every refs/heads/* ref,
#       main included; PULLS is the number of pull requests, each giving refs/pull/N/head (one
#       small commit on a branch off main) and refs/pull/N/merge (a merge commit of that head into
#       main's tip, as GitHub keeps them). Env PR_MAIN_COMMITS (default 1000): commits on main,
#       each editing one line of one of 200 small files (raise it for a large history).
#   bench/make_pr_repo.sh --fleet TEMPLATE.git OUTDIR N [PREFIX=r]
#       Makes OUTDIR/PREFIX1.git … OUTDIR/PREFIXN.git: the objects are hard links to TEMPLATE's
#       (immutable, so sharing them is safe), refs and config are real copies, and each copy gets
#       one extra branch refs/heads/fleet/PREFIXk on a different main commit, so that no two
#       copies advertise the same refs (their fingerprints differ). About 10 ms a copy.
#
# Layout, all deterministic (fixed authors, dates and contents: two runs give the same oids):
#   refs/heads/main               PR_MAIN_COMMITS commits
#   refs/heads/<BRANCHES-1 names> maint/v0.K (the first 20) and userK/topic-B: 1-3 commits off main
#   refs/tags/*                   v<A>.<B>.0 spread along main; 3 in 4 annotated, the rest lightweight
#   refs/pull/N/head, …/merge     as above; PR N forks off main at N/PULLS of its history
#   refs/remotes/origin/x         one more ref a host may keep (never mirrored)
#   HEAD                          -> refs/heads/main
# Prints a one-line summary (ref counts, pack size) on stderr. Needs git and python3.
set -euo pipefail

die() { echo "make_pr_repo.sh: $*" >&2; exit 2; }

if [[ ${1:-} == --fleet ]]; then
    [[ $# -ge 4 ]] || die "usage: make_pr_repo.sh --fleet TEMPLATE.git OUTDIR N [PREFIX=r]"
    tmpl=$2 out=$3 n=$4 prefix=${5:-r}
    [[ -f $tmpl/HEAD && -d $tmpl/objects ]] || die "$tmpl is not a bare repository"
    mkdir -p "$out"
    # One main commit per copy for its extra branch (cycled when N exceeds main's length).
    mapfile -t mains < <(git -C "$tmpl" rev-list --first-parent refs/heads/main)
    for ((k = 1; k <= n; k++)); do
        dst=$out/$prefix$k.git
        [[ ! -e $dst ]] || die "$dst exists"
        mkdir "$dst"
        # Everything but objects/ is copied (small; written by git through lock files anyway),
        # objects/ is hard-linked.
        for f in "$tmpl"/* "$tmpl"/.[!.]*; do
            [[ -e $f ]] || continue
            [[ $(basename "$f") == objects ]] && continue
            cp -a "$f" "$dst/"
        done
        cp -al "$tmpl/objects" "$dst/objects"
        mkdir -p "$dst/refs/heads/fleet"
        echo "${mains[$(((k - 1) % ${#mains[@]}))]}" >"$dst/refs/heads/fleet/$prefix$k"
    done
    exit 0
fi

[[ $# -ge 1 ]] || die "usage: make_pr_repo.sh DIR [BRANCHES=146] [TAGS=124] [PULLS=3368]  (or --fleet …)"
DIR=$1 BRANCHES=${2:-146} TAGS=${3:-124} PULLS=${4:-3368}
MAIN=${PR_MAIN_COMMITS:-1000}
[[ ! -e $DIR ]] || die "$DIR exists"
((BRANCHES >= 1 && TAGS >= 0 && PULLS >= 0 && MAIN >= 1)) || die "bad counts"

# No user or system config may change what gets written (hooks, pack settings, default branch).
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C
git init -q --bare -b main "$DIR"
# Thousands of loose refs cost seconds of file-system work (a folder per refs/pull/N), so the
# pull requests' commits go on one scratch branch and their refs are written straight into
# packed-refs from fast-import's marks, after `git pack-refs --all` packed the other refs.
python3 - "$DIR" "$MAIN" "$BRANCHES" "$TAGS" "$PULLS" <<'EOF'
import os, subprocess, sys
repo = os.path.abspath(sys.argv[1])
main, branches, tags, pulls = (int(a) for a in sys.argv[2:6])
marks_file = os.path.join(repo, "fast-import.marks")
fi = subprocess.Popen(["git", "-C", repo, "fast-import", "--quiet", "--done", f"--export-marks={marks_file}"],
                      stdin=subprocess.PIPE)
out = fi.stdin
w = out.write
SCRATCH = b"refs/scratch/pulls"
pull_refs = []  # (refname, mark)
T0 = 1700000000          # fixed dates: commit k of the stream at T0 + k
mark = 0
def new_mark():
    global mark
    mark += 1
    return mark
def who(role, name, email, t):
    w(b"%s %s <%s> %d +0000\n" % (role, name.encode(), email.encode(), t))
def data(b):
    w(b"data %d\n%s\n" % (len(b), b))

# main: each commit edits one line of one of 200 files (dirK/fileF.txt), as large_bench.sh does.
files = [[f"line {k} of file {f}\n" for k in range(40)] for f in range(200)]
mains = []
for i in range(1, main + 1):
    f = i % 200
    files[f][i % 40] = f"commit {i} changed line {i % 40} of file {f}\n"
    m = new_mark(); mains.append(m)
    w(b"commit refs/heads/main\nmark :%d\n" % m)
    who(b"author", f"Dev {i % 37}", f"dev{i % 37}@example.com", T0 + i)
    who(b"committer", "Bench", "bench@example.com", T0 + i)
    data(f"commit {i} on main\n".encode())
    if i > 1:
        w(b"from :%d\n" % mains[-2])
    content = "".join(files[f]).encode()
    w(b"M 100644 inline dir%d/file%d.txt\n" % (f % 10, f))
    data(content)
t = T0 + main

# branches (main counts as one): 1-3 commits each, forking off main at a spread of points.
for b in range(1, branches):
    name = f"maint/v0.{b}" if b <= 20 else f"user{b % 17}/topic-{b}"
    base = mains[(b * 7919) % main]
    for c in range(1 + b % 3):
        t += 1
        w(b"commit refs/heads/%s\nmark :%d\n" % (name.encode(), new_mark()))
        who(b"author", f"Dev {b % 37}", f"dev{b % 37}@example.com", t)
        who(b"committer", "Bench", "bench@example.com", t)
        data(f"{name}: change {c + 1}\n".encode())
        if c == 0:
            w(b"from :%d\n" % base)
        w(b"M 100644 inline branches/b%d.txt\n" % b)
        data(f"branch {b}, change {c + 1}\n".encode())

# tags spread along main; 3 in 4 annotated.
for k in range(1, tags + 1):
    name = f"v{k // 25}.{k % 25}.0".encode()
    target = mains[min(main - 1, k * main // (tags + 1))]
    if k % 4:
        t += 1
        w(b"tag %s\nfrom :%d\n" % (name, target))
        who(b"tagger", "Release Bot", "release@example.com", t)
        data(b"Release " + name + b"\n")
    else:
        w(b"reset refs/tags/%s\nfrom :%d\n\n" % (name, target))

# pull requests: a head commit off main, and GitHub's merge of it into main's tip.
tip = mains[-1]
for p in range(1, pulls + 1):
    base = mains[min(main - 1, (p - 1) * main // max(pulls, 1))]
    blob = new_mark()
    w(b"blob\nmark :%d\n" % blob)
    data(f"pull request {p}\n".encode())
    t += 1
    head = new_mark()
    w(b"commit %s\nmark :%d\n" % (SCRATCH, head))
    pull_refs.append((f"refs/pull/{p}/head", head))
    who(b"author", f"Contributor {p % 211}", f"c{p % 211}@example.com", t)
    who(b"committer", f"Contributor {p % 211}", f"c{p % 211}@example.com", t)
    data(f"Pull request {p}\n".encode())
    w(b"from :%d\nM 100644 :%d pulls/p%d.txt\n" % (base, blob, p))
    merge = new_mark()
    w(b"commit %s\nmark :%d\n" % (SCRATCH, merge))
    pull_refs.append((f"refs/pull/{p}/merge", merge))
    who(b"author", "GitHub", "noreply@github.com", t)
    who(b"committer", "GitHub", "noreply@github.com", t)
    data(f"Merge pull request {p} into main\n".encode())
    w(b"from :%d\nmerge :%d\nM 100644 :%d pulls/p%d.txt\n" % (tip, head, blob, p))

w(b"reset refs/remotes/origin/x\nfrom :%d\n\n" % mains[len(mains) // 2])
w(b"done\n")
out.close()
if fi.wait():
    sys.exit("git fast-import failed")
oids = {}
for line in open(marks_file):
    m, oid = line.split()
    oids[int(m[1:])] = oid
os.remove(marks_file)
subprocess.run(["git", "-C", repo, "pack-refs", "--all"], check=True)
# packed-refs: a header, then "oid refname" lines sorted by refname, each annotated tag followed
# by its "^peeled" line. Add the pull requests' refs, drop the scratch branch, keep the order.
packed = os.path.join(repo, "packed-refs")
lines = open(packed).read().splitlines()
header, entries = lines[0], []
assert header.startswith("# pack-refs with:") and "sorted" in header, header
for line in lines[1:]:
    if line.startswith("^"):
        entries[-1][1].append(line)
    else:
        entries.append((line.split(" ", 1)[1], [line]))
entries = [e for e in entries if e[0] != SCRATCH.decode()]
entries += [(ref, [f"{oids[m]} {ref}"]) for ref, m in pull_refs]
entries.sort(key=lambda e: e[0].encode())
with open(packed + ".new", "w") as f:
    f.write(header + "\n" + "".join(l + "\n" for _, ls in entries for l in ls))
os.replace(packed + ".new", packed)
EOF
rm -rf "$DIR/refs/scratch"
find "$DIR/refs" -mindepth 2 -type d -empty -delete
git -C "$DIR" repack -adq
git -C "$DIR" for-each-ref --format='%(refname)' | awk -v d="$DIR" '
    /^refs\/heads\// {h++} /^refs\/tags\// {t++} /^refs\/pull\// {p++} /^refs\/remotes\// {r++}
    END {printf "%s: %d heads, %d tags, %d refs/pull/*, %d refs/remotes/*, ", d, h, t, p, r}' >&2
echo "$(git -C "$DIR" count-objects -v | awk '/^count:|^in-pack:/ {n += $2} END {print n}') objects," \
     "pack $(du -sk "$DIR/objects/pack" | cut -f1) KB" >&2
