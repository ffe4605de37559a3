import * as tf from '@tensorflow/tfjs';
import { UserError } from '../core/user-error.js';

/**
 * Kernels a layer's backward pass needs beyond its forward pass, by tfjs layer class. Not every
 * backend has them: tfjs-backend-wasm 4.22 has no `Conv2DBackpropFilter` (nor the depthwise
 * ones), so a conv net cannot train there, only infer.
 */
const GRADIENT_KERNELS: Readonly<Record<string, readonly string[]>> = {
  Conv1D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  Conv2D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  Conv2DTranspose: ['Conv2DBackpropFilter', 'Conv2D'],
  Conv3D: ['Conv3DBackpropFilterV2', 'Conv3DBackpropInputV2'],
  DepthwiseConv2D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  SeparableConv1D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
  SeparableConv2D: ['DepthwiseConv2dNativeBackpropFilter', 'DepthwiseConv2dNativeBackpropInput'],
};

function leaves(layer: unknown, out: tf.layers.Layer[] = []): tf.layers.Layer[] {
  const children = (layer as { layers?: unknown }).layers;
  if (Array.isArray(children)) children.forEach((c) => leaves(c, out));
  else out.push(layer as tf.layers.Layer);
  return out;
}

/**
 * Throws a one-line {@link UserError} naming the backend, the missing kernel and the layer when
 * the current tfjs backend cannot compute the gradients `model` needs to train (e.g. a Conv2D
 * on wasm), before anything is written, instead of tfjs's error in the middle of the first
 * epoch. Layers with `trainable: false` are checked too: their input gradient is still needed.
 *
 * @example
 * await tf.setBackend('wasm');
 * requireGradientKernels(convModel, 'bandCallback');
 * // UserError: bandCallback: backend "wasm" cannot train layer "conv2d_1" (Conv2D): it has no Conv2DBackpropFilter kernel; use selectBackend('cpu') (or tf.setBackend('cpu')) …
 */
export function requireGradientKernels(model: tf.LayersModel, where: string): void {
  const backend = tf.getBackend();
  for (const layer of leaves(model)) {
    const needed = GRADIENT_KERNELS[layer.getClassName()] ?? [];
    const missing = needed.find((kernel) => tf.getKernel(kernel, backend) === undefined);
    if (missing !== undefined) {
      throw new UserError(
        `${where}: backend "${backend}" cannot train layer "${layer.name}" (${layer.getClassName()}): it has no ${missing} kernel; use selectBackend('cpu') (or tf.setBackend('cpu')) before training`,
      );
    }
  }
}
