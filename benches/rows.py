"""The batch benchmarks' input: N patients with every weight distinct (four decimals from 40 to
150 kg), each with a start on the quarter hour, from a fixed seed, as `id,weight,start` CSV.
Usage: python3 benches/rows.py N > rows.csv"""
import random
import sys

random.seed(13)
n = int(sys.argv[1])
out = sys.stdout
out.write("id,weight,start\n")
for i, w in enumerate(random.sample(range(400000, 1500000), n)):
    out.write("P%d,%d.%04d,%02d:%02d\n" % (i, w // 10000, w % 10000, random.randint(7, 18), random.choice([0, 15, 30, 45])))
