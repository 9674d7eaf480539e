#!/usr/bin/env python3
"""Writes data/diabetes.json, the regression data set of `ml-tracking demo`.

The diabetes data (442 patients, 10 baseline measurements, disease progression one year
later) is from Efron, Hastie, Johnstone and Tibshirani, "Least Angle Regression" (2004), as
shipped unscaled with scikit-learn. Run with Debian's python3-sklearn: /usr/bin/python3.
"""
import gzip
import json
import os

import sklearn.datasets

data_dir = os.path.join(os.path.dirname(sklearn.datasets.__file__), 'data')
with gzip.open(os.path.join(data_dir, 'diabetes_data_raw.csv.gz'), 'rt') as f:
    rows = [[float(v) for v in line.split()] for line in f if line.strip()]
with gzip.open(os.path.join(data_dir, 'diabetes_target.csv.gz'), 'rt') as f:
    target = [float(v) for v in f.read().split()]
assert len(rows) == len(target) == 442

out = os.path.join(os.path.dirname(__file__), '..', 'data', 'diabetes.json')
with open(out, 'w') as f:
    json.dump({
        'source': 'Efron et al. (2004) Least Angle Regression, Annals of Statistics; via scikit-learn',
        'features': ['age', 'sex', 'bmi', 'bp', 's1', 's2', 's3', 's4', 's5', 's6'],
        'target': 'disease_progression',
        'rows': rows,
        'y': target,
    }, f, separators=(',', ':'))
print(f'wrote {out}: {len(rows)} rows')
