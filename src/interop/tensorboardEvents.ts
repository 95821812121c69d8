/**
 * TensorBoard event files: Event protobuf messages (encoded by protobufjs from proto/tensorboard.proto,
 * field numbers as in TensorFlow's event.proto / summary.proto and TensorBoard's hparams protos) in
 * TFRecord framing. One EventFile is one file in one folder (a run's, or a sweep cell's): TensorBoard
 * shows each folder as a run. Events are kept in memory (a run has few probe points) and the file is
 * written once, under a temp name and renamed, so TensorBoard never reads half a file.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { UsageError } from '../util/errors.js';
import { DiskError, environmentProblem, guardWrite } from '../store/diskErrors.js';
import { writeFileAtomic } from '../util/atomicFile.js';
import { frameRecord } from './tfrecord.js';
import { makeFolders } from '../util/makeFolders.js';

const PROTO_PATH = fileURLToPath(new URL('../../../proto/tensorboard.proto', import.meta.url));

let root: protobuf.Root | undefined;
function type(name: string): protobuf.Type {
  root ??= protobuf.loadSync(PROTO_PATH);
  return root.lookupType(`tensorboard.${name}`);
}

/** TensorFlow's types.proto DataType values used here. */
const DT_FLOAT = 1;
const DT_STRING = 7;

export type HParamValue = number | string | boolean;
export type HParamsStatus = 'success' | 'failure' | 'unknown';
const STATUS_CODES: Record<HParamsStatus, number> = { unknown: 0, success: 1, failure: 2 };
const HPARAMS_TYPES = { string: 1, boolean: 2, number: 3 } as const;

/** What a histogram is made of: edges (counts.length + 1 of them, increasing) and counts per bin. */
export interface Histogram {
  edges: ArrayLike<number>;
  counts: ArrayLike<number>;
  /** Sum and sum of squares of the values, if known; else estimated from the bin centres. */
  sum?: number;
  sumSquares?: number;
}

export class EventFile {
  private readonly events: Uint8Array[] = [];
  readonly fileName: string;

  /** `folder` is where the file goes (created if missing); `startSecs` names the file and stamps events. */
  constructor(readonly folder: string, private readonly startSecs: number = Date.now() / 1000) {
    this.fileName = `events.out.tfevents.${Math.floor(startSecs)}.${hostname()}`;
    this.push({ wallTime: startSecs, step: 0, fileVersion: 'brain.Event:2' });
  }

  private push(event: Record<string, unknown>): void {
    const Event = type('Event');
    this.events.push(Event.encode(Event.fromObject(event)).finish());
  }

  private summary(step: number, wallTime: number, values: Record<string, unknown>[]): void {
    this.push({ wallTime, step, summary: { value: values } });
  }

  /** A scalar (stored as float32, as TensorBoard's simple_value is); non-finite values are kept. */
  scalar(tag: string, step: number, value: number, wallTime = this.startSecs): void {
    // fromObject would turn NaN into 0 through its number coercion only for integer fields; floats pass as they are.
    this.summary(step, wallTime, [{ tag, simpleValue: value }]);
  }

  /**
   * A histogram from fixed bins. TensorBoard's HistogramProto holds right edges (bucket_limit) and
   * counts; bin i covers (limit[i-1], limit[i]]. A leading empty bucket at the first edge keeps it.
   */
  histogram(tag: string, step: number, histogram: Histogram, wallTime = this.startSecs): void {
    const { edges, counts } = histogram;
    if (edges.length !== counts.length + 1) throw new Error(`histogram ${tag}: ${edges.length} edges for ${counts.length} bins`);
    let num = 0;
    let sum = 0;
    let sumSquares = 0;
    let first = -1;
    let last = -1;
    for (let i = 0; i < counts.length; i++) {
      const count = counts[i];
      if (count === 0) continue;
      if (first < 0) first = i;
      last = i;
      const centre = (edges[i] + edges[i + 1]) / 2;
      num += count;
      sum += count * centre;
      sumSquares += count * centre * centre;
    }
    this.summary(step, wallTime, [
      {
        tag,
        histo: {
          min: first < 0 ? 0 : edges[first],
          max: last < 0 ? 0 : edges[last + 1],
          num,
          sum: histogram.sum ?? sum,
          sumSquares: histogram.sumSquares ?? sumSquares,
          bucketLimit: Array.from(edges),
          bucket: [0, ...Array.from(counts)],
        },
      },
    ]);
  }

  /** Markdown text, for TensorBoard's Text tab (tag `<name>/text_summary`, as tf.summary.text names it). */
  text(name: string, step: number, markdown: string, wallTime = this.startSecs): void {
    this.summary(step, wallTime, [
      {
        tag: `${name}/text_summary`,
        metadata: { pluginData: { pluginName: 'text', content: new Uint8Array(0) } },
        tensor: { dtype: DT_STRING, tensorShape: { dim: [] }, stringVal: [Buffer.from(markdown, 'utf8')] },
      },
    ]);
  }

  /**
   * The HParams plugin's three summaries: the experiment (which hparams and metrics exist), the
   * session start (this run's values) and the session end (its status). Every run writes the
   * experiment, so any folder of runs is a grid the HParams tab can filter.
   */
  hparams(values: Record<string, HParamValue>, metricTags: string[], status: HParamsStatus, endSecs: number): void {
    const entry = (tag: string, data: Record<string, unknown>, wallTime: number) => {
      const PluginData = type('HParamsPluginData');
      const content = PluginData.encode(PluginData.fromObject({ version: 0, ...data })).finish();
      return {
        tag,
        metadata: { pluginData: { pluginName: 'hparams', content } },
        // The plugin's NULL_TENSOR: an empty float tensor of shape [0].
        tensor: { dtype: DT_FLOAT, tensorShape: { dim: [{ size: 0 }] } },
        wallTime,
      };
    };
    const asValue = (value: HParamValue) =>
      typeof value === 'number' ? { numberValue: value } : typeof value === 'boolean' ? { boolValue: value } : { stringValue: value };
    const experiment = {
      timeCreatedSecs: this.startSecs,
      hparamInfos: Object.entries(values).map(([name, value]) => ({ name, type: HPARAMS_TYPES[typeof value as 'string' | 'boolean' | 'number'] })),
      metricInfos: metricTags.map((tag) => ({ name: { group: '', tag } })),
    };
    const start = { hparams: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, asValue(v)])), startTimeSecs: this.startSecs };
    for (const { tag, wallTime, ...value } of [
      entry('_hparams_/experiment', { experiment }, this.startSecs),
      entry('_hparams_/session_start_info', { sessionStartInfo: start }, this.startSecs),
      entry('_hparams_/session_end_info', { sessionEndInfo: { status: STATUS_CODES[status], endTimeSecs: endSecs } }, endSecs),
    ]) {
      this.summary(0, wallTime, [{ tag, ...value }]);
    }
  }

  /**
   * Writes the file into the folder (temp name, then rename) and returns its path. A folder that
   * already holds an event file is refused: TensorBoard would show both files' points as one run.
   */
  write(): string {
    try {
      makeFolders(this.folder);
    } catch (error) {
      const problem = environmentProblem(error);
      if (problem !== null) throw new DiskError(`cannot create ${this.folder}: ${problem}`);
      throw new UsageError(`cannot create ${this.folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); give a writable folder`);
    }
    if (hasEventFile(this.folder)) throw new UsageError(`${this.folder} already holds an event file; remove it or give another folder`);
    const path = join(this.folder, this.fileName);
    guardWrite(this.folder, () => writeFileAtomic(path, Buffer.concat(this.events.map(frameRecord))));
    return path;
  }
}

/** The folder exists and holds a TensorBoard event file. */
export function hasEventFile(folder: string): boolean {
  return existsSync(folder) && readdirSync(folder).some((name) => name.startsWith('events.out.tfevents.'));
}
