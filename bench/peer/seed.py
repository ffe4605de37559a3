"""The seed program (../shared/seed, steps 1-4) copied faithfully, for timing only.

Usage: python3 bench/peer/seed.py EPOCHS [--mid] [--threads N] [--quiet]

  EPOCHS     epochs to train (the seed hard-codes 50)
  --mid      the mid-size variant: make_blobs 4096x64, 3 classes, Linear(64,256)-ReLU-Linear(256,3)
  --threads  torch.set_num_threads(N); default: leave torch's default
  --quiet    skip the per-epoch print (the seed prints every epoch; default keeps it)

Prints one final line to stderr: `peer: <epochs> epochs, <ms> ms/epoch (training loop only)`.
"""
import sys
import time

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.datasets import load_iris, make_blobs
import torch
import torch.nn as nn
import torch.optim as optim

args = sys.argv[1:]
epochs = int(args[0]) if args and not args[0].startswith('--') else 50
mid = '--mid' in args
quiet = '--quiet' in args
if '--threads' in args:
    torch.set_num_threads(int(args[args.index('--threads') + 1]))

# 1. Data preparation
if mid:
    X, y = make_blobs(n_samples=4096, n_features=64, centers=3, random_state=0)
    X = X.astype(np.float32)
else:
    data = load_iris()
    X = data.data
    y = data.target
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)

# 2. Model
class SimpleNN(nn.Module):
    def __init__(self):
        super(SimpleNN, self).__init__()
        self.fc1 = nn.Linear(64, 256) if mid else nn.Linear(4, 10)
        self.fc2 = nn.Linear(256, 3) if mid else nn.Linear(10, 3)

    def forward(self, x):
        x = torch.relu(self.fc1(x))
        x = self.fc2(x)
        return x

model = SimpleNN()

# 3. Training setup
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)

# 4. Random perturbation, as in the seed (the seed rebuilds the input tensors every epoch)
def train_model(model, X_train, y_train, epochs):
    for epoch in range(epochs):
        model.train()
        inputs = torch.Tensor(X_train)
        labels = torch.LongTensor(y_train)
        noise = torch.normal(mean=0, std=0.1, size=inputs.shape)
        noisy_inputs = inputs + noise
        optimizer.zero_grad()
        outputs = model(noisy_inputs)
        loss = criterion(outputs, labels)
        if quiet:
            loss.item()
        else:
            print(f'Epoch {epoch + 1}/{epochs} Loss: {loss.item()}')
        loss.backward()
        optimizer.step()

t0 = time.perf_counter()
train_model(model, X_train, y_train, epochs)
ms = (time.perf_counter() - t0) * 1000 / max(epochs, 1)
print(f'peer: {epochs} epochs, {ms:.4f} ms/epoch (training loop only), threads {torch.get_num_threads()}', file=sys.stderr)
