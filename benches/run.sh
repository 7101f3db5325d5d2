#!/usr/bin/env bash
# Prints bolus's speed figures: one `bolus plan` against a hello-world Rust process; `bolus batch`
# on 1M rows with every weight distinct against an integer floor program and a Python peer, side
# by side; peak memory at 100k and 1M rows.
# Usage: bash benches/run.sh        (needs cargo, python3, GNU time; hyperfine if installed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked --quiet
bolus="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/bolus"

# A hello-world Rust process, built with the same compiler and release profile as bolus.
mkdir -p "$work/hello/src"
cat > "$work/hello/Cargo.toml" <<'TOML'
[package]
name = "hello"
version = "0.1.0"
edition = "2021"
[profile.release]
overflow-checks = true
lto = true
codegen-units = 1
strip = true
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
print(f"median ratio: {statistics.median(ratios):.2f}x (target: 1.3x or less)")
PY
else
    plan_ms=$(one_core_mean_ms 300 "${plan_cmd[@]}")
    hello_ms=$(one_core_mean_ms 300 "$work/bin/hello")
    python3 -c "print(f'bolus plan: {$plan_ms:.3f} ms   hello world: {$hello_ms:.3f} ms   ratio: {$plan_ms/$hello_ms:.2f}x (target: 1.3x or less)')"
fi

# The comparison programs: the integer floor (std only) and the Python peer (Fraction and csv),
# both for the built-in protocol only, both writing the very same CSV as bolus.
rustc -C opt-level=3 -C codegen-units=1 -C panic=abort benches/floor.rs -o "$work/floor"
floor="$work/floor"
sha=$(python3 -c 'import hashlib; print(hashlib.sha256(open("protocols/ketamine-kap-iv.toml", "rb").read()).hexdigest())')
peer=(python3 benches/peer.py)

# Patients with every weight distinct: four decimals from 40 to 150 kg, a start on the quarter
# hour, a fixed seed; the same rows without the start column.
make_distinct() { python3 benches/rows.py "$1"; }
make_distinct 100000 > "$work/d100k.csv"
make_distinct 1000000 > "$work/d1m.csv"
cut -d, -f1,2 "$work/d1m.csv" > "$work/d1m-nostart.csv"

# One run of a command on one core, its standard output to a file: its wall time and its CPU
# time (user and system), in milliseconds (the CPU time to a tenth, from the kernel's resource
# usage in microseconds; GNU time prints hundredths of a second). The user and system parts are
# left in "$work/usys". On a shared machine the CPU time is the steadier figure: the wall time
# also counts the time other programs held the core.
timer='
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), 1)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    os.execvp(cmd[0], cmd)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
if status != 0:
    sys.exit(f"{cmd} failed: {status}")
with open(os.environ["USYS"], "w") as f:
    f.write(f"{ru.ru_utime * 1000:.1f} {ru.ru_stime * 1000:.1f}\n")
print(round(wall * 1000), round((ru.ru_utime + ru.ru_stime) * 1000, 1))
'
export USYS="$work/usys"
ms_of() { python3 -c "$timer" "$work/out" taskset -c 0 "$@"; }
# The same, standard output to /dev/null: what the program costs without the kernel's cost of
# storing its output in a file.
ms_null() { python3 -c "$timer" /dev/null taskset -c 0 "$@"; }

echo
echo "== 1M rows, every weight distinct, one core: 3 alternating rounds, the median of each"
echo "   (floor = integer program; csv = bolus CSV to CSV; nostart = the same without a start"
echo "   column; jsonl = bolus CSV to JSON lines; each to a file; jsonl-null = JSON lines to"
echo "   /dev/null, csv-null = CSV to /dev/null); wall and CPU milliseconds"
: > "$work/rounds"
for round in 1 2 3; do
    f=$(ms_of "$floor" "$sha" < "$work/d1m.csv"); cp "$work/out" "$work/floor.csv"
    c=$(ms_of "$bolus" batch ketamine-kap-iv "$work/d1m.csv"); cp "$work/out" "$work/bolus.csv"
    n=$(ms_of "$bolus" batch ketamine-kap-iv "$work/d1m-nostart.csv")
    j=$(ms_of "$bolus" batch ketamine-kap-iv "$work/d1m.csv" --format jsonl); ju=$(cat "$work/usys")
    rm -f "$work/out"
    jn=$(ms_null "$bolus" batch ketamine-kap-iv "$work/d1m.csv" --format jsonl)
    cn=$(ms_null "$bolus" batch ketamine-kap-iv "$work/d1m.csv")
    echo "$f $c $n $j $jn $cn" >> "$work/rounds"
    echo "round $round (wall cpu): floor $f, csv $c, nostart $n, jsonl $j (user sys: $ju), jsonl-null $jn, csv-null $cn"
done
cmp "$work/floor.csv" "$work/bolus.csv" && echo "floor and bolus outputs: byte-identical"
python3 - "$work/rounds" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
cols = list(zip(*rows))
for kind, k in (("wall", 0), ("cpu", 1)):
    f, c, n, j, jn, cn = (statistics.median(cols[2 * i + k]) for i in range(6))
    print(f"{kind}: floor {f:.0f} ms, csv {c:.0f} ms ({1e6 / c / 1e3:.2f} million rows/s), nostart {n:.0f} ms, jsonl {j:.0f} ms,"
          f" jsonl-null {jn:.0f} ms, csv-null {cn:.0f} ms; csv/floor {c / f:.2f}x (target 8x or less),"
          f" jsonl/csv {j / c:.2f}x and to /dev/null {jn / cn:.2f}x (target 1.5x or less to /dev/null),"
          f" csv/nostart {c / n:.2f}x")
PY

echo
echo "== the Python peer against bolus, 100k distinct rows, one core, 3 alternating rounds"
for round in 1 2 3; do
    py=$(ms_of "${peer[@]}" < "$work/d100k.csv"); cp "$work/out" "$work/peer.csv"
    b=$(ms_of "$bolus" batch ketamine-kap-iv "$work/d100k.csv"); cp "$work/out" "$work/bolus100k.csv"
    echo "round $round (wall cpu): python $py, bolus $b; cpu ratio $(python3 -c "print(f'{${py#* } / max(${b#* }, 0.1):.0f}')")x, wall ratio $(python3 -c "print(f'{${py% *} / max(${b% *}, 1):.0f}')")x"
done
cmp "$work/peer.csv" "$work/bolus100k.csv" && echo "python and bolus outputs: byte-identical"
echo
echo "== rows with a soft_limit_reason column (the reason read and kept on every row), 100k rows"
python3 - "$work/d100k.csv" "$work/reason.csv" <<'PY'
import sys
rows = open(sys.argv[1]).read().splitlines()[1:]
with open(sys.argv[2], "w") as d:
    d.write("id,weight,start,soft_limit_reason\n")
    for row in rows:
        d.write(row + ",weighed twice\n")
PY
echo "reason (wall cpu): CSV $(ms_of "$bolus" batch ketamine-kap-iv "$work/reason.csv") ms," \
    "JSON lines $(ms_of "$bolus" batch ketamine-kap-iv "$work/reason.csv" --format jsonl) ms"

echo "== peak memory (maximum resident set), distinct weights and ids"
for rows in d100k d1m; do
    peak=$( { /usr/bin/time -f '%M' "$bolus" batch ketamine-kap-iv "$work/$rows.csv" > /dev/null; } 2>&1 | tail -1 )
    echo "$rows: $peak KiB" | tee -a "$work/peaks"
done
python3 - "$work/peaks" <<'PY'
import sys
(a, b) = [int(l.split()[1]) for l in open(sys.argv[1])]
print(f"100k rows {a / 1024:.1f} MiB, 1M rows {b / 1024:.1f} MiB: {(b - a) * 1024 / 900000:.1f} bytes per distinct id"
      " (the ids kept whole to find a repeated one; nothing else grows with the rows)")
PY
