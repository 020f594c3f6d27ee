#!/usr/bin/env python3
"""make_fleet.py — a config of N pull mirrors with a full state (status, history, last check) each.

Usage: bench/make_fleet.py N DIR [--url TEMPLATE] [--runs R] [--caches]
  N         mirror count
  DIR       writes DIR/mirrors.json, DIR/state/ (3 files per mirror, as StateStore writes them) and
            uses DIR/caches as the cache root
  --url     source URL template, {k} the mirror's index (default git://127.0.0.1:9/r{k}.git)
  --repos M the template's {k} runs over 0..M-1 (default: N, one repository per mirror)
  --runs    runs in each history file (default 5)
  --caches  also create an empty folder for every cache (realpath has something to resolve)
  --recent  stamp every status and check a minute ago (nothing is due: `update --due` selects none)

The files have the fields and key order MirrorDesk writes (mirrorToJson: QJsonDocument sorts keys;
the state files compact). Mirror names org-K/repo-M, 25 per org, as config_bench.sh.
"""
import argparse
import datetime
import json
import os
import urllib.parse

p = argparse.ArgumentParser()
p.add_argument("n", type=int)
p.add_argument("dir")
p.add_argument("--url", default="git://127.0.0.1:9/r{k}.git")
p.add_argument("--repos", type=int, default=0)
p.add_argument("--runs", type=int, default=5)
p.add_argument("--caches", action="store_true")
p.add_argument("--recent", action="store_true")
a = p.parse_args()
d = os.path.abspath(a.dir)
repos = a.repos or a.n
per_org = 25
names = [f"org-{k // per_org + 1}/repo-{k % per_org + 1}" for k in range(a.n)]
mirrors = [{"enabled": True, "keep_divergent_refs": False, "min_update_interval_seconds": 60,
            "mirror_branch_regex": "", "mirror_overwrites_diverged_branches": True,
            "mirror_tags": "all", "name": name, "only_protected_branches": False,
            "protected_branches": [], "shape": "pull",
            "source": {"url": a.url.format(k=k % repos)}} for k, name in enumerate(names)]
settings = {"attic_retention_days": 90, "cache_root": f"{d}/caches", "concurrency": 8,
            "connect_timeout": 30, "default_interval_minutes": 5, "mass_change_guard": True,
            "per_host_concurrency": 8, "run_timeout": 10800, "stall_timeout": 600}
os.makedirs(d, exist_ok=True)
with open(f"{d}/mirrors.json", "w") as f:
    json.dump({"credentials": [], "host_keys": {}, "mirrors": mirrors, "schema_version": 1,
               "settings": settings}, f, indent=4, sort_keys=True)
    f.write("\n")
os.makedirs(f"{d}/state/.locks", exist_ok=True)
stamp = "2026-12-01T14:00:01.915Z"
if a.recent:
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(minutes=1)
    stamp = t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
oid = "59027d49e5309097ca789cbde7bcb14729fb9c69"
fp = "31d09906208123ee759cf88ada1ae01d0dc2aa7ca7f65566680f61cfd376f482"
compact = dict(separators=(",", ":"), sort_keys=True)
for name in names:
    base = f"{d}/state/{urllib.parse.quote(name, safe='._-')}"
    status = {"consecutive_failures": 0, "error_category": "", "last_error": "",
              "last_successful_update_at": stamp, "last_update_at": stamp, "last_update_started_at": stamp,
              "update_status": "finished", "warnings": []}
    runs = [{"duration_ms": 17 + r, "error": "", "error_category": "", "outcome": "ok",
             "ref_counts": {"create": 2} if r == 0 else {"up_to_date": 2},
             "refs": [{"action": "create", "message": "", "new": oid, "old": "", "ref": ref,
                       "result": "ok", "side": "cache"} for ref in ("refs/heads/main", "refs/tags/v1")]
             if r == 0 else [],
             "started_at": f"2026-12-01T{10 + r % 10:02d}:00:00.000Z", "warnings": []} for r in range(a.runs)]
    check = {"checked_at": stamp, "error": "", "error_category": "",
             "source_fingerprint": fp, "source_head": "refs/heads/main", "state": "in_sync",
             "target_fingerprint": fp, "target_head": "refs/heads/main"}
    with open(base + ".json", "w") as f:
        json.dump({"status": status}, f, **compact)
    with open(base + "+history.json", "w") as f:
        json.dump({"history": runs}, f, **compact)
    with open(base + "+check.json", "w") as f:
        json.dump({"last_check": check}, f, **compact)
    if a.caches:
        os.makedirs(f"{d}/caches/{name}.git", exist_ok=True)
