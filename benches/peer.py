"""The Python peer `bolus batch` is measured against: exact `Fraction` arithmetic and the `csv`
module, for the built-in protocol `ketamine-kap-iv` only (2 mg/kg in whole milligrams, at least
4 boluses of at most 50 mg, 10 minutes apart). Reads `id,weight[,start]` on standard input, every
weight inside the soft limits, and writes the same CSV as `bolus batch ketamine-kap-iv`.
Usage: python3 benches/peer.py < in.csv > out.csv"""
import csv, hashlib, math, sys
from fractions import Fraction


def dec(x):
    """The shortest decimal of a Fraction with a terminating expansion (at most 6 places)."""
    s = f"{x.numerator * 10**6 // x.denominator:07d}"
    whole, frac = s[:-6], s[-6:].rstrip("0")
    return f"{whole}.{frac}" if frac else whole


out = csv.writer(sys.stdout, lineterminator="\n")
sha = hashlib.sha256(open("protocols/ketamine-kap-iv.toml", "rb").read()).hexdigest()
out.writerow("row,id,weight,dosing_weight,calculated_total,total,count,unit,doses,offsets,times,days,warnings,error,error_code,protocol_sha256,approval".split(","))
for n, rec in enumerate(csv.DictReader(sys.stdin), 1):
    w = Fraction(rec["weight"])
    total = 2 * w
    count = max(4, math.ceil(total / 50))
    steps = math.floor(total)
    per, larger = divmod(steps, count)
    doses = [per + (k >= count - larger) for k in range(count)]
    offsets = [10 * k for k in range(count)]
    start = rec.get("start") or ""
    times = days = ""
    if start:
        s = int(start[:2]) * 3600 + int(start[3:]) * 60
        t = [s + 60 * o for o in offsets]
        times = ";".join(f"{x % 86400 // 3600:02d}:{x % 3600 // 60:02d}" for x in t)
        days = ";".join(str(x // 86400) for x in t)
    out.writerow([n, rec["id"], dec(w), dec(w), dec(total), steps, count, "mg",
                  ";".join(map(str, doses)), ";".join(f"{o} min" for o in offsets), times, days, "", "", "", sha, "none"])
