/**
 * A net's parameters as safetensors, named as PyTorch names them: `layers.N.weight` (out × in, the
 * layout of nn.Linear.weight, i.e. the transpose of vgrad's in × out) and `layers.N.bias`, N = 0 for
 * the first layer. These are the state_dict keys of a module holding `self.layers =
 * nn.ModuleList([nn.Linear(784, 300), ...])` (an nn.Sequential mixing Linear and activation modules
 * would instead number them 0, 2, 4 ...). The activation is not a parameter and is not stored.
 */
import { UsageError } from '../util/errors.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError, type SafeTensor } from './safetensors.js';
import { readFileCapped, rethrowReadProblem } from '../util/readFile.js';

/** One layer in vgrad's layout: weight is fanIn × fanOut, row-major. */
export interface LayerWeights {
  weight: Float32Array;
  bias: Float32Array;
}

export const weightName = (l: number) => `layers.${l}.weight`;
export const biasName = (l: number) => `layers.${l}.bias`;

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/** The safetensors bytes of a net with layer widths `sizes` (input first). */
export function encodeWeights(sizes: number[], layers: LayerWeights[], metadata: Record<string, string> = {}): Uint8Array {
  const tensors: Record<string, SafeTensor> = {};
  layers.forEach((layer, l) => {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    tensors[weightName(l)] = { dtype: 'F32', shape: [fanOut, fanIn], data: transpose(layer.weight, fanIn, fanOut) };
    tensors[biasName(l)] = { dtype: 'F32', shape: [fanOut], data: layer.bias };
  });
  return encodeSafetensors(tensors, { format: 'pt', producer: 'vgrad', ...metadata });
}

/**
 * Reads the weights for a net of widths `sizes` from a safetensors file; a one-line UsageError
 * (--init-from, the file, what is wrong and what was expected) if it is unreadable or does not fit.
 */
export function readWeightsFile(path: string, sizes: number[]): LayerWeights[] {
  const what = `--init-from ${path}`;
  let bytes: Uint8Array;
  try {
    bytes = readFileCapped(path, 'safetensors', what);
  } catch (error) {
    rethrowReadProblem(error, what);
    throw new UsageError(`${what}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let tensors: Record<string, SafeTensor>;
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (error) {
    if (error instanceof SafetensorsError) throw new UsageError(`${what}: not a valid safetensors file: ${error.message}`);
    throw error;
  }
  const layerCount = sizes.length - 1;
  const expected = new Set<string>();
  const layers: LayerWeights[] = [];
  const net = sizes.join('→');
  for (let l = 0; l < layerCount; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const w = tensors[weightName(l)];
    const b = tensors[biasName(l)];
    expected.add(weightName(l)).add(biasName(l));
    if (!w || !b) throw new UsageError(`${what}: has no ${!w ? weightName(l) : biasName(l)}; the configured net ${net} needs layers.0 … layers.${layerCount - 1} (weight and bias)`);
    if (w.dtype !== 'F32' || b.dtype !== 'F32') throw new UsageError(`${what}: layers.${l} is ${w.dtype === 'F32' ? b.dtype : w.dtype}; only F32 is read`);
    if (w.shape.length !== 2 || w.shape[0] !== fanOut || w.shape[1] !== fanIn) {
      throw new UsageError(`${what}: ${weightName(l)} has shape [${w.shape}], the configured net ${net} needs [${fanOut}, ${fanIn}] (out × in)`);
    }
    if (b.shape.length !== 1 || b.shape[0] !== fanOut) throw new UsageError(`${what}: ${biasName(l)} has shape [${b.shape}], the configured net ${net} needs [${fanOut}]`);
    layers.push({ weight: transpose(w.data as Float32Array, fanOut, fanIn), bias: b.data as Float32Array });
  }
  const extra = Object.keys(tensors).filter((name) => !expected.has(name));
  if (extra.length > 0) throw new UsageError(`${what}: has ${extra[0]}, but the configured net ${net} has only layers.0 … layers.${layerCount - 1}`);
  return layers;
}
