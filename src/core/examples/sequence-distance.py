# Reads DNA sequences in FASTA format from standard input and compares every pair by
# edit distance: the fewest single-base substitutions, insertions and deletions that
# turn one sequence into the other.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import sys
import time


def read_fasta(stream):
    records = []
    name = None
    parts = []
    for line in stream:
        line = line.strip()
        if not line:
            continue
        if line.startswith(">"):
            if name is not None:
                records.append((name, "".join(parts)))
            name = line[1:].split()[0]
            parts = []
        else:
            parts.append(line.upper())
    if name is not None:
        records.append((name, "".join(parts)))
    return records


def edit_distance(a, b):
    previous = list(range(len(b) + 1))
    for i, base_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, base_b in enumerate(b, 1):
            cost = 0 if base_a == base_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
        previous = current
    return previous[-1]


start_time = time.time()

records = read_fasta(sys.stdin)
print(f"Read {len(records)} sequences")
for name, sequence in records:
    gc = sequence.count("G") + sequence.count("C")
    print(f"{name:<12} {len(sequence):>6} bases, GC content {100 * gc / len(sequence):.1f}%")

print()
print("Edit distances:")
print(" " * 12 + "".join(f"{name:>12}" for name, _ in records))
distances = {}
for i, (name_a, sequence_a) in enumerate(records):
    row = []
    for j, (name_b, sequence_b) in enumerate(records):
        if j < i:
            distance = distances[(j, i)]
        elif j == i:
            distance = 0
        else:
            distance = edit_distance(sequence_a, sequence_b)
            distances[(i, j)] = distance
        row.append(f"{distance:>12}")
    print(f"{name_a:<12}" + "".join(row))

print()
best = min(distances, key=lambda pair: distances[pair])
i, j = best
length = max(len(records[i][1]), len(records[j][1]))
identity = 100 * (1 - distances[best] / length)
print(f"Closest pair: {records[i][0]} and {records[j][0]}, "
      f"distance {distances[best]}, identity {identity:.2f}%")

end_time = time.time()
print(f"Execution Time: {end_time - start_time:.6f} seconds")
