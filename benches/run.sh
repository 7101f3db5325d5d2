#!/usr/bin/env bash
# Prints bolus's speed figures: one `bolus plan` against a hello-world Rust process, and
# `bolus batch` throughput and peak memory at 100k and 1M rows, on one core.
# Usage: bash benches/run.sh        (needs cargo, python3, GNU time; hyperfine if installed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet
bolus="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/bolus"

# A hello-world Rust process, built with the same compiler and profile.
mkdir -p "$work/hello/src"
cat > "$work/hello/Cargo.toml" <<'TOML'
[package]
name = "hello"
version = "0.1.0"
edition = "2021"
[profile.release]
TOML
echo 'fn main() { println!("hello world"); }' > "$work/hello/src/main.rs"
cargo build --release --quiet --manifest-path "$work/hello/Cargo.toml" --target-dir "$work/hello/target"
hello="$work/hello/target/release/hello"

one_core() { if command -v taskset >/dev/null; then taskset -c 0 "$@"; else "$@"; fi; }

# Mean wall time of a command in milliseconds over N runs, best of 5 rounds, on one core.
one_core_mean_ms() {
    local n=$1; shift
    python3 - "$n" "$@" <<'PY'
import os, subprocess, sys, time
n = int(sys.argv[1]); cmd = sys.argv[2:]
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {0})
for _ in range(20):
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
best = []
for _ in range(5):
    t = time.perf_counter()
    for _ in range(n):
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    best.append((time.perf_counter() - t) / n * 1000)
print(f"{min(best):.3f}")
PY
}

# Both programs are timed from copies, as an install leaves them: a binary just written by the
# linker takes more page faults to start than a copy of the same file (see BENCHMARKS.md).
mkdir -p "$work/bin"
cp "$bolus" "$work/bin/bolus"
cp "$hello" "$work/bin/hello"

echo "== one plan versus hello world (wall time on one core; 10 alternating rounds of 500 runs)"
plan_cmd=("$work/bin/bolus" plan ketamine-kap-iv --weight 82 --start 14:00)
if command -v hyperfine >/dev/null; then
    # Short alternating rounds, so that a burst of noise from the host lands in one round of one
    # program and not in a whole series; the median of the rounds' ratios is the figure.
    for round in $(seq 1 10); do
        one_core hyperfine -N --warmup 50 --runs 500 --export-json "$work/start$round.json" \
            "$work/bin/hello" "${plan_cmd[*]}" >/dev/null 2>&1
    done
    python3 - "$work"/start{1,2,3,4,5,6,7,8,9,10}.json <<'PY'
import json, statistics, sys
rows = []
for path in sys.argv[1:]:
    h, p = json.load(open(path))["results"]
    rows.append((h["median"], p["median"], h["mean"], p["mean"]))
ratios = sorted(p / h for h, p, _, _ in rows)
print("ratio of medians per round: " + " ".join(f"{r:.2f}" for r in ratios))
print(f"hello world: median of round medians {statistics.median(r[0] for r in rows)*1000:.3f} ms")
print(f"bolus plan:  median of round medians {statistics.median(r[1] for r in rows)*1000:.3f} ms")
print(f"median ratio: {statistics.median(ratios):.2f}x (target: 1.5x or less)")
PY
else
    plan_ms=$(one_core_mean_ms 300 "${plan_cmd[@]}")
    hello_ms=$(one_core_mean_ms 300 "$work/bin/hello")
    python3 -c "print(f'bolus plan: {$plan_ms:.3f} ms   hello world: {$hello_ms:.3f} ms   ratio: {$plan_ms/$hello_ms:.2f}x (target: 1.5x or less)')"
fi

# Patients: weights with one decimal from 40 to 150 kg, starts on the quarter hour, a fixed seed.
make_rows() {
    python3 - "$1" <<'PY'
import random, sys
random.seed(1)
n = int(sys.argv[1])
out = sys.stdout
out.write("id,weight,start\n")
for i in range(n):
    out.write("p%d,%.1f,%02d:%02d\n" % (i, random.randint(400, 1500) / 10, random.randint(7, 18), random.choice([0, 15, 30, 45])))
PY
}
make_rows 100000 > "$work/100k.csv"
make_rows 1000000 > "$work/1m.csv"

echo
echo "== batch, CSV to CSV, one core (best of 3)"
for rows in 100k 1m; do
    best=""
    for _ in 1 2 3; do
        start=$(date +%s%N)
        one_core "$bolus" batch ketamine-kap-iv "$work/$rows.csv" > "$work/out.csv"
        end=$(date +%s%N)
        ms=$(( (end - start) / 1000000 ))
        if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
    done
    n=$(( $(wc -l < "$work/$rows.csv") - 1 ))
    peak=$( { /usr/bin/time -f '%M' "$bolus" batch ketamine-kap-iv "$work/$rows.csv" > /dev/null; } 2>&1 | tail -1 )
    python3 -c "print(f'$rows rows: {$best} ms, {$n/($best/1000)/1e6:.2f} million rows/s, peak memory {$peak/1024:.1f} MiB')"
done

echo
echo "== batch, CSV to JSONL, one core, 100k rows"
start=$(date +%s%N)
one_core "$bolus" batch ketamine-kap-iv "$work/100k.csv" --format jsonl > "$work/out.jsonl"
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
peak=$( { /usr/bin/time -f '%M' "$bolus" batch ketamine-kap-iv "$work/100k.csv" --format jsonl > /dev/null; } 2>&1 | tail -1 )
python3 -c "print(f'100k rows: {$ms} ms, {100000/($ms/1000)/1e6:.2f} million rows/s, peak memory {$peak/1024:.1f} MiB')"

echo
echo "== batch with every weight distinct (no repeated inputs), one core, 100k rows"
python3 -c "
import sys
print('id,weight')
for i in range(100000):
    print(f'p{i},{40 + i * 0.001:.3f}')
" > "$work/distinct.csv"
start=$(date +%s%N)
one_core "$bolus" batch ketamine-kap-iv "$work/distinct.csv" > /dev/null
end=$(date +%s%N)
ms=$(( (end - start) / 1000000 ))
python3 -c "print(f'100k distinct rows: {$ms} ms, {100000/($ms/1000):.0f} rows/s')"
