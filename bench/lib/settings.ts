/** `BENCH_QUICK=1`: a smoke run (fewer epochs and repetitions; numbers are not for decisions). */
export const QUICK = process.env.BENCH_QUICK === '1';

/** Repetitions of every A/B pair. Defaults to 5 (3 in quick mode); `BENCH_REPS` overrides. */
export const REPS = Number(process.env.BENCH_REPS ?? (QUICK ? 3 : 5));

/** Epochs per repetition of each workload. */
export const EPOCHS = { iris: QUICK ? 300 : 2000, mid: QUICK ? 4 : 30 } as const;

/** Python interpreters tried, in order, for the PyTorch peer (the first with torch + sklearn wins). */
export const PYTHONS = [process.env.BENCH_PYTHON ?? 'python3', '/usr/bin/python3'];
