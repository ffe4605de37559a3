import * as tf from '@tensorflow/tfjs';
import { decodeFloats, encodeFloats, type EncodedFloats } from '../core/float-codec.js';
import { UserError } from '../core/user-error.js';

/** What must match for weights to fit a model: its layer classes and weight shapes, in order. */
export interface ModelArchitecture {
  /** Class names of the model's layers, nested models flattened, in order (`InputLayer`s left out). */
  readonly layers: readonly string[];
  /** Every weight (trainable or not) in `model.weights` order; names are informative only. */
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

/** One optimiser slot (a moment, an accumulator) with its tfjs name. */
export interface OptimizerSlot {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: EncodedFloats;
}

/** A compiled model's optimiser state: enough to continue its steps exactly. */
export interface OptimizerState {
  /** `optimizer.getClassName()`, e.g. `Adam`. */
  readonly className: string;
  readonly iterations: number;
  /** `optimizer.getWeights()` after the iterations counter, in its order. */
  readonly slots: readonly OptimizerSlot[];
  /**
   * Scalars tfjs recomputes on restore but keeps as running products (Adam's β powers);
   * restored as saved, so a resumed run is bit-identical rather than within an ulp.
   */
  readonly scalars: Readonly<Record<string, number>>;
}

/** A `tf.LayersModel`'s weights and optimiser state as plain JSON (`JSON.stringify` is the checkpoint). */
export interface ModelState {
  readonly format: 'lossband-tfjs-model/1';
  readonly architecture: ModelArchitecture;
  /** float32 values of each weight, in `architecture.weights` order. */
  readonly weights: readonly EncodedFloats[];
  /** `null` for a model that has not been compiled. */
  readonly optimizer: OptimizerState | null;
}

const FORMAT = 'lossband-tfjs-model/1';
type NamedTensor = Awaited<ReturnType<tf.Optimizer['getWeights']>>[number];
/** Private running scalars of tfjs optimisers that `setWeights` recomputes with `pow` (Adam). */
const RUNNING_SCALARS = ['accBeta1', 'accBeta2'] as const;

function leafLayers(layer: unknown, out: string[] = []): string[] {
  const children = (layer as { layers?: unknown }).layers;
  if (Array.isArray(children)) children.forEach((c) => leafLayers(c, out));
  else {
    const name = (layer as tf.layers.Layer).getClassName();
    if (name !== 'InputLayer') out.push(name);
  }
  return out;
}

/**
 * The architecture a state was saved from: class names of the layers and shapes of the weights.
 *
 * @example
 * modelArchitecture(model).layers; // ['ControlledNoise', 'Dense', 'Dense']
 */
export function modelArchitecture(model: tf.LayersModel): ModelArchitecture {
  return {
    layers: leafLayers(model),
    weights: model.weights.map((w) => ({ name: w.originalName, shape: w.shape.map(Number) })),
  };
}

/** The first difference between two architectures, as a phrase, or `undefined` when they match. */
export function architectureDifference(saved: ModelArchitecture, here: ModelArchitecture): string | undefined {
  const n = Math.max(saved.layers.length, here.layers.length);
  for (let i = 0; i < n; i++) {
    if (saved.layers[i] !== here.layers[i]) {
      return `layer ${i + 1} is ${saved.layers[i] ?? 'absent'} in the checkpoint but ${here.layers[i] ?? 'absent'} in this model`;
    }
  }
  if (saved.weights.length !== here.weights.length) {
    return `the checkpoint has ${saved.weights.length} weights, this model ${here.weights.length}`;
  }
  for (let i = 0; i < saved.weights.length; i++) {
    const a = saved.weights[i] as ModelArchitecture['weights'][number];
    const b = here.weights[i] as ModelArchitecture['weights'][number];
    if (a.shape.join() !== b.shape.join()) {
      return `weight ${b.name} has shape [${a.shape.join(', ')}] in the checkpoint but [${b.shape.join(', ')}] in this model`;
    }
  }
  return undefined;
}

async function floatsOf(t: tf.Tensor, what: string): Promise<EncodedFloats> {
  if (t.dtype !== 'float32')
    throw new UserError(`exportModelState: ${what} has dtype ${t.dtype}; only float32 state can be saved`);
  return encodeFloats((await t.data()) as Float32Array);
}

async function exportOptimizer(optimizer: tf.Optimizer): Promise<OptimizerState> {
  const className = optimizer.getClassName();
  let named: NamedTensor[];
  try {
    named = await optimizer.getWeights();
  } catch (err) {
    throw new UserError(
      `exportModelState: the ${className} optimiser cannot export its state (${(err as Error).message})`,
    );
  }
  try {
    const [iter, ...rest] = named;
    const iterations = iter ? ((await iter.tensor.data())[0] as number) : 0;
    const slots = await Promise.all(
      rest.map(async ({ name, tensor }) => ({
        name,
        shape: tensor.shape.map(Number),
        values: await floatsOf(tensor, `optimiser slot ${name}`),
      })),
    );
    const scalars: Record<string, number> = {};
    for (const key of RUNNING_SCALARS) {
      const v = (optimizer as unknown as Record<string, unknown>)[key];
      if (v instanceof tf.Variable) scalars[key] = (await v.data())[0] as number;
    }
    return { className, iterations, slots, scalars };
  } finally {
    // getWeights() hands back the optimiser's own variables plus a fresh iterations scalar.
    tf.dispose(named.map((n) => n.tensor).filter((t) => !(t instanceof tf.Variable)));
  }
}

/**
 * A model's weights and its optimiser's state (moments, iterations) as plain JSON, for a
 * checkpoint. With {@link restoreModelState} on a model of the same architecture, training
 * continues exactly where it stopped (bit-identically on the cpu backend with the same data order).
 *
 * @example
 * const state = await exportModelState(model);
 * await writeFile('ckpt.json', JSON.stringify(state));
 */
export async function exportModelState(model: tf.LayersModel): Promise<ModelState> {
  const architecture = modelArchitecture(model);
  const weights = await Promise.all(model.weights.map((w) => floatsOf(w.read(), `weight ${w.originalName}`)));
  const optimizer = (model as { optimizer?: tf.Optimizer }).optimizer ? await exportOptimizer(model.optimizer) : null;
  return { format: FORMAT, architecture, weights, optimizer };
}

function checkState(state: ModelState): void {
  const s = state as Partial<ModelState> | null;
  if (s?.format !== FORMAT)
    throw new UserError(`restoreModelState: format must be "${FORMAT}", got ${JSON.stringify(s?.format)}`);
  if (!s.architecture || !Array.isArray(s.architecture.layers) || !Array.isArray(s.architecture.weights)) {
    throw new UserError('restoreModelState: architecture must have layers and weights arrays');
  }
  if (!Array.isArray(s.weights) || s.weights.length !== s.architecture.weights.length) {
    throw new UserError(
      `restoreModelState: weights must hold one entry per architecture weight (${s.architecture.weights.length})`,
    );
  }
}

function decodeTo(encoded: EncodedFloats, shape: readonly number[], what: string): tf.Tensor {
  const size = shape.reduce((n, d) => n * d, 1);
  try {
    return tf.tensor(decodeFloats(encoded, size), [...shape], 'float32');
  } catch (err) {
    throw new UserError(`restoreModelState: ${what}: ${(err as Error).message}`);
  }
}

function decodeOptimizer(saved: OptimizerState): NamedTensor[] {
  if (!Array.isArray(saved.slots) || !Number.isInteger(saved.iterations) || saved.iterations < 0) {
    throw new UserError('restoreModelState: optimizer must have an integer iterations >= 0 and a slots array');
  }
  const named: NamedTensor[] = [];
  try {
    for (const slot of saved.slots)
      named.push({ name: slot.name, tensor: decodeTo(slot.values, slot.shape, `optimiser slot ${slot.name}`) });
  } catch (err) {
    tf.dispose(named.map((n) => n.tensor));
    throw err;
  }
  return [{ name: 'iter', tensor: tf.scalar(saved.iterations, 'int32') }, ...named];
}

async function restoreOptimizer(optimizer: tf.Optimizer, saved: OptimizerState, fresh: NamedTensor[]): Promise<void> {
  const old = await optimizer.getWeights();
  try {
    await optimizer.setWeights(fresh);
  } finally {
    // setWeights made variables of its own from these.
    tf.dispose(fresh.map((n) => n.tensor));
  }
  // The replaced moments (and getWeights' fresh iterations scalar) belong to no one now.
  tf.dispose(old.map((n) => n.tensor));
  for (const [key, value] of Object.entries(saved.scalars ?? {})) {
    const v = (optimizer as unknown as Record<string, unknown>)[key];
    if (v instanceof tf.Variable && Number.isFinite(value)) tf.tidy(() => v.assign(tf.scalar(value, v.dtype)));
  }
}

/**
 * Throws the one-line {@link UserError} {@link restoreModelState} would for a state that does
 * not fit `model` (format, architecture, optimiser), without touching the model: what a resume
 * checks before anything is written.
 *
 * @example
 * checkModelState(model, checkpoint.plant); // UserError: restoreModelState: different architecture: …
 */
export function checkModelState(model: tf.LayersModel, state: ModelState): void {
  checkState(state);
  const difference = architectureDifference(state.architecture, modelArchitecture(model));
  if (difference !== undefined) throw new UserError(`restoreModelState: different architecture: ${difference}`);
  const optimizer = (model as { optimizer?: tf.Optimizer }).optimizer;
  if (state.optimizer && !optimizer)
    throw new UserError('restoreModelState: the checkpoint has optimiser state; compile the model first');
  if (state.optimizer && optimizer && state.optimizer.className !== optimizer.getClassName()) {
    throw new UserError(
      `restoreModelState: the checkpoint's optimiser is ${state.optimizer.className} but this model's is ${optimizer.getClassName()}`,
    );
  }
}

/**
 * Puts a state from {@link exportModelState} back into a model of the same architecture:
 * weights, then the optimiser's moments and iteration count. Refuses a different architecture
 * or optimiser with a one-line {@link UserError} naming the first difference, before changing
 * anything.
 *
 * @example
 * await restoreModelState(model, JSON.parse(await readFile('ckpt.json', 'utf8')));
 * // UserError: restoreModelState: different architecture: layer 2 is Dense in the checkpoint but Conv2D in this model
 */
export async function restoreModelState(model: tf.LayersModel, state: ModelState): Promise<void> {
  checkModelState(model, state);
  const optimizer = (model as { optimizer?: tf.Optimizer }).optimizer;
  // Decode everything first: a corrupt entry must leave the model as it was.
  const tensors: tf.Tensor[] = [];
  let slots: NamedTensor[] | undefined;
  try {
    state.weights.forEach((w, i) => {
      const spec = state.architecture.weights[i] as ModelArchitecture['weights'][number];
      tensors.push(decodeTo(w, spec.shape, `weight ${spec.name}`));
    });
    if (state.optimizer && optimizer) slots = decodeOptimizer(state.optimizer);
  } catch (err) {
    tf.dispose(tensors);
    throw err;
  }
  try {
    model.setWeights(tensors);
  } finally {
    tf.dispose(tensors);
  }
  if (state.optimizer && optimizer && slots) await restoreOptimizer(optimizer, state.optimizer, slots);
}
