#!/usr/bin/env python3
"""A sweep trial in plain Python (standard library only).

`ml-tracking sweep` starts it once per trial with the sampled hyperparameters as flags
(`--learning_rate=0.003 --batch_size=64`) plus `--logdir=<store URL>`. It reports scalars by
printing one JSON object per line on standard output; every other line is kept as the
run's log. Nothing needs to be installed: no client library, no network.

The "model" is a logistic regression trained by gradient descent on a small synthetic data
set, so that the learning rate and batch size really change the accuracy curve.
"""
import argparse
import json
import math
import random
import sys


def report(tag, value, step=None):
    """One scalar, in the line protocol that ml-tracking reads from standard output."""
    line = {"ml_tracking": "scalar", "tag": tag, "value": value}
    if step is not None:
        line["step"] = step
    print(json.dumps(line), flush=True)


def make_data(count, rng):
    points = []
    for _ in range(count):
        x1, x2 = rng.gauss(0, 1), rng.gauss(0, 1)
        label = 1 if x1 + 0.5 * x2 + rng.gauss(0, 0.5) > 0 else 0
        points.append((x1, x2, label))
    return points


def accuracy(weights, data):
    w0, w1, bias = weights
    hits = sum(1 for x1, x2, y in data if (w0 * x1 + w1 * x2 + bias > 0) == (y == 1))
    return hits / len(data)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning_rate", type=float, default=0.01)
    parser.add_argument("--batch_size", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--logdir", default="")
    args = parser.parse_args()

    rng = random.Random(7)
    train, test = make_data(2000, rng), make_data(500, rng)
    weights = [0.0, 0.0, 0.0]
    print(f"training with learning_rate={args.learning_rate} batch_size={args.batch_size}")
    for epoch in range(args.epochs):
        rng.shuffle(train)
        loss = 0.0
        for start in range(0, len(train), args.batch_size):
            batch = train[start : start + args.batch_size]
            grad = [0.0, 0.0, 0.0]
            for x1, x2, y in batch:
                z = weights[0] * x1 + weights[1] * x2 + weights[2]
                p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
                loss -= math.log(max(1e-12, p if y == 1 else 1 - p))
                for i, x in enumerate((x1, x2, 1.0)):
                    grad[i] += (p - y) * x
            for i in range(3):
                weights[i] -= args.learning_rate * grad[i] / len(batch)
        report("loss", loss / len(train), epoch)
        report("Accuracy", accuracy(weights, test), epoch)
    print(f"final weights {weights}", file=sys.stderr)


if __name__ == "__main__":
    main()
