#!/usr/bin/env bash
# Compares the start-up of two bolus binaries against a hello world, from fresh copies: several
# copies of each, all of them in every round, so that the state of one copy in the page cache
# does not decide the comparison (one copy of the same file has measured from 1.29x to 1.42x
# over an hour; see BENCHMARKS.md). The figure for each binary is the median over its copies of
# each copy's median ratio to hello world over the rounds.
# Usage: bash benches/startup-ab.sh HELLO BEFORE AFTER [COPIES [ROUNDS]]   (needs hyperfine)
set -euo pipefail
hello=$1 before=$2 after=$3 copies=${4:-6} rounds=${5:-5}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$hello" "$work/hello"
plan=(plan ketamine-kap-iv --weight 82 --start 14:00)
cmds=()
for i in $(seq 1 "$copies"); do
    cp "$before" "$work/before$i"
    cp "$after" "$work/after$i"
    cmds+=("$work/before$i ${plan[*]}" "$work/after$i ${plan[*]}")
done
one_core() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }
for round in $(seq 1 "$rounds"); do
    one_core hyperfine -N --warmup 30 --runs 200 --export-json "$work/round$round.json" \
        "$work/hello" "${cmds[@]}" >/dev/null 2>&1
done
python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
ratios = {}
for r in range(1, rounds + 1):
    hello, *runs = json.load(open(f"{work}/round{r}.json"))["results"]
    for run in runs:
        copy = run["command"].split()[0].rsplit("/", 1)[1]
        ratios.setdefault(copy, []).append(run["median"] / hello["median"])
for name in ("before", "after"):
    per_copy = sorted(statistics.median(v) for k, v in ratios.items() if k.rstrip("0123456789") == name)
    print(f"{name}: {statistics.median(per_copy):.3f}x (copies {' '.join(f'{x:.3f}' for x in per_copy)})")
PY
