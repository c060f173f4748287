import * as tf from '@tensorflow/tfjs-core';
import { settleDirectory, writeDirectoryAtomically } from './atomic-directory';

/**
 * The artifact format this version of mars-rec writes; it reads this and every older one. 2: weights
 * saved by name (1: by position), SHA-256 checksums of the files.
 */
export const ARTIFACT_FORMAT_VERSION = 2;
/** The `format` tag every mars-rec artifact carries. */
export const ARTIFACT_FORMAT = 'mars-rec';

/** Where an artifact is saved to or loaded from. */
export type ArtifactLocation = string | tf.io.IOHandler;

/** What an artifact holds: JSON metadata and named tensors (weights, token ids, ...). */
export interface ArtifactContents<Metadata> {
  /** JSON-serialisable metadata (config, vocabulary, item ids, ...). */
  metadata: Metadata;
  /** Named tensors; float32 or int32. The caller owns (and disposes) tensors it passes or gets. */
  tensors: Map<string, tf.Tensor>;
}

interface ArtifactTopology<Metadata> {
  format: typeof ARTIFACT_FORMAT;
  formatVersion: number;
  metadata: Metadata;
}

/**
 * Resolves a location: an `IOHandler` is used as it is; `indexeddb://`, `localstorage://`,
 * `http(s)://` and other registered schemes go through tfjs's router; any other string is a
 * directory in Node's file system (`model.json` + `weights.bin`).
 */
export function resolveArtifactHandler(location: ArtifactLocation, mode: 'save' | 'load'): tf.io.IOHandler {
  if (typeof location !== 'string') return location;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.startsWith('file://')) {
    const handlers = mode === 'save' ? tf.io.getSaveHandlers(location) : tf.io.getLoadHandlers(location);
    if (handlers.length === 0) {
      throw new Error(
        `No tfjs IO handler is registered for '${location}' (${mode}); pass an IOHandler instead.`,
      );
    }
    return handlers[0];
  }
  return fileSystemHandler(location.replace(/^file:\/\//, ''));
}

/** Saves metadata and tensors as one artifact (see {@link resolveArtifactHandler} for locations). */
export async function saveArtifact<Metadata>(
  location: ArtifactLocation,
  contents: ArtifactContents<Metadata>,
): Promise<void> {
  const handler = resolveArtifactHandler(location, 'save');
  if (!handler.save) throw new Error('The given IO handler cannot save (it has no save method).');
  const named = [...contents.tensors].map(([name, tensor]) => ({ name, tensor }));
  const { data, specs } = await tf.io.encodeWeights(named);
  const topology: ArtifactTopology<Metadata> = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    metadata: contents.metadata,
  };
  const result = await handler.save({
    modelTopology: topology as unknown as object,
    weightSpecs: specs,
    weightData: data,
    format: ARTIFACT_FORMAT,
    generatedBy: `mars-rec artifact v${ARTIFACT_FORMAT_VERSION}`,
  });
  if (result.errors && result.errors.length > 0) {
    throw new Error(`Saving the model failed: ${result.errors.map(String).join('; ')}`);
  }
}

/**
 * Loads an artifact written by {@link saveArtifact}. Fails with a clear error on something that
 * is not a mars-rec artifact or comes from a newer format version, and, before decoding any
 * weight, on a weight manifest that does not match the weight bytes (a dtype other than
 * float32/int32, a malformed shape, more or fewer bytes than the shapes need). A directory in
 * Node's file system is also checked against the checksums it records ({@link fileSystemHandler}).
 */
export async function loadArtifact<Metadata>(
  location: ArtifactLocation,
): Promise<ArtifactContents<Metadata>> {
  const handler = resolveArtifactHandler(location, 'load');
  if (!handler.load) throw new Error('The given IO handler cannot load (it has no load method).');
  const artifacts = await handler.load();
  const where = typeof location === 'string' ? `'${location}'` : 'the given IO handler';
  const topology = artifacts.modelTopology as Partial<ArtifactTopology<Metadata>> | null | undefined;
  if (
    typeof topology !== 'object' ||
    topology === null ||
    topology.format !== ARTIFACT_FORMAT ||
    typeof topology.formatVersion !== 'number'
  ) {
    throw new Error(`${where} does not hold a mars-rec model (no "format": "mars-rec" in its model.json).`);
  }
  if (topology.formatVersion > ARTIFACT_FORMAT_VERSION) {
    throw new Error(
      `${where} holds a mars-rec model of format version ${topology.formatVersion}, newer than this mars-rec reads ` +
        `(${ARTIFACT_FORMAT_VERSION}); upgrade mars-rec to load it.`,
    );
  }
  if (!artifacts.weightSpecs || artifacts.weightData === undefined) {
    throw new Error(`${where} holds no weights.`);
  }
  const weightData = Array.isArray(artifacts.weightData)
    ? tf.io.concatenateArrayBuffers(artifacts.weightData)
    : artifacts.weightData;
  const names =
    typeof location === 'string'
      ? { manifest: `${location}/model.json`, weights: `${location}/weights.bin` }
      : { manifest: 'the weight manifest of the given IO handler', weights: 'its weight data' };
  checkWeightSpecs(artifacts.weightSpecs, weightData.byteLength, names);
  const decoded = tf.io.decodeWeights(weightData, artifacts.weightSpecs);
  return { metadata: topology.metadata as Metadata, tensors: new Map(Object.entries(decoded)) };
}

const bytesPerValue: Record<string, number> = { float32: 4, int32: 4 };

/**
 * Checks a weight manifest against the bytes it describes, without allocating: every entry a
 * unique name, a float32 or int32 dtype (what mars-rec writes), no quantization, a shape of
 * non-negative integers; the byte sizes adding up to exactly `byteLength`.
 * @param names - how to call the manifest and the weight bytes in errors (file names).
 * @throws Error naming the file and the entry.
 */
export function checkWeightSpecs(
  specs: readonly tf.io.WeightsManifestEntry[],
  byteLength: number,
  names: { manifest: string; weights: string },
): void {
  if (!Array.isArray(specs)) throw new Error(`${names.manifest}: the weight list is not an array.`);
  const seen = new Set<string>();
  let expected = 0;
  specs.forEach((spec: Partial<tf.io.WeightsManifestEntry> | null, index) => {
    const entry = `weight entry ${index}`;
    if (typeof spec !== 'object' || spec === null || typeof spec.name !== 'string')
      throw new Error(`${names.manifest}: ${entry} has no name.`);
    const label = `${entry} ('${spec.name}')`;
    if (seen.has(spec.name)) throw new Error(`${names.manifest}: ${label} appears twice.`);
    seen.add(spec.name);
    const size = bytesPerValue[spec.dtype as string];
    if (size === undefined)
      throw new Error(
        `${names.manifest}: ${label} has dtype ${JSON.stringify(spec.dtype)}; mars-rec writes float32 and int32 only.`,
      );
    if (spec.quantization !== undefined || spec.group !== undefined)
      throw new Error(`${names.manifest}: ${label} is quantized or grouped, which mars-rec never writes.`);
    if (
      !Array.isArray(spec.shape) ||
      spec.shape.length > 8 ||
      !spec.shape.every((extent) => Number.isSafeInteger(extent) && extent >= 0)
    )
      throw new Error(
        `${names.manifest}: ${label} has shape ${JSON.stringify(spec.shape)}; expected a list of non-negative integers.`,
      );
    let bytes = size;
    for (const extent of spec.shape) bytes *= extent; // a float: never overflows to a wrong small value
    expected += bytes;
  });
  if (expected !== byteLength) {
    const problem =
      byteLength < expected
        ? `is truncated: it holds ${byteLength.toLocaleString('en-US')} bytes`
        : `is longer than expected (altered?): it holds ${byteLength.toLocaleString('en-US')} bytes`;
    throw new Error(
      `${names.weights} ${problem}, but the weight shapes in ${names.manifest} need ${expected.toLocaleString('en-US')}.`,
    );
  }
}

/** The checksums a directory artifact's `model.json` records (absent in artifacts before them). */
interface DirectoryChecksums {
  algorithm: 'SHA-256';
  /** Hex digest of the JSON of every other `model.json` field, as written. */
  'model.json': string;
  /** Hex digest of each weight file, by name. */
  files: Record<string, string>;
}

interface ModelJson {
  format?: string;
  generatedBy?: string;
  modelTopology?: unknown;
  weightsManifest?: unknown;
  checksums?: DirectoryChecksums;
}

/** The lowercase hex SHA-256 of some bytes or a string (UTF-8). */
async function sha256(data: Uint8Array | string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(data).digest('hex');
}

/**
 * An IO handler for a directory in Node's file system: `model.json` (format, metadata, weight
 * manifest, SHA-256 checksums of itself and of `weights.bin`) beside `weights.bin`.
 *
 * Saving is atomic ({@link writeDirectoryAtomically}): the files are written to a directory
 * beside the target and swapped in when complete, so a crash leaves the previous model or the
 * new one, never a mix; it replaces a directory only when it is empty or holds a mars-rec
 * model. Loading first settles an interrupted save ({@link settleDirectory}), then names the
 * file that is missing, truncated or altered. Node's `fs` is imported only when it is used, so
 * browsers never load it.
 * @param directory - the directory; created on save if missing, its parent too.
 */
export function fileSystemHandler(directory: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const fs = await import('node:fs/promises');
      const path = await import('node:path');
      const weightData = new Uint8Array(
        Array.isArray(artifacts.weightData)
          ? tf.io.concatenateArrayBuffers(artifacts.weightData)
          : (artifacts.weightData ?? new ArrayBuffer(0)),
      );
      const content: ModelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      const checksums: DirectoryChecksums = {
        algorithm: 'SHA-256',
        'model.json': await sha256(JSON.stringify(content)),
        files: { 'weights.bin': await sha256(weightData) },
      };
      await writeDirectoryAtomically(
        directory,
        async (staging) => {
          await fs.writeFile(path.join(staging, 'weights.bin'), weightData);
          await fs.writeFile(path.join(staging, 'model.json'), JSON.stringify({ ...content, checksums }));
        },
        { checkReplaceable: refuseUnlessModelDirectory },
      );
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const fs = await import('node:fs/promises');
      const path = await import('node:path');
      const { location } = await settleDirectory(directory);
      const folder = location ?? directory;
      const modelPath = path.join(folder, 'model.json');
      let text: string;
      try {
        text = await fs.readFile(modelPath, 'utf8');
      } catch (error) {
        throw new Error(
          `Cannot read ${modelPath}: ${(error as Error).message}. Is '${directory}' a saved mars-rec model?`,
        );
      }
      let modelJson: ModelJson;
      try {
        modelJson = JSON.parse(text) as ModelJson;
      } catch (error) {
        throw new Error(
          `${modelPath} is not valid JSON (truncated or damaged?): ${(error as Error).message}`,
        );
      }
      if (typeof modelJson !== 'object' || modelJson === null || Array.isArray(modelJson))
        throw new Error(`${modelPath} does not hold a JSON object; it is not a saved mars-rec model.`);
      const { checksums, ...content } = modelJson;
      const version = (content.modelTopology as { formatVersion?: unknown } | undefined)?.formatVersion;
      // a newer format is reported by loadArtifact, whatever its checksums look like
      const verify =
        checksums !== undefined && !(typeof version === 'number' && version > ARTIFACT_FORMAT_VERSION);
      if (verify) {
        if (
          typeof checksums !== 'object' ||
          checksums === null ||
          checksums.algorithm !== 'SHA-256' ||
          typeof checksums.files !== 'object' ||
          checksums.files === null
        )
          throw new Error(`${modelPath} has been altered or damaged: its "checksums" field is malformed.`);
        if ((await sha256(JSON.stringify(content))) !== checksums['model.json'])
          throw new Error(
            `${modelPath} has been altered or damaged: its content does not match the SHA-256 checksum it records. ` +
              'Save or train the model again.',
          );
      }
      const manifest = content.weightsManifest ?? [];
      if (
        !Array.isArray(manifest) ||
        !manifest.every(
          (group: { paths?: unknown; weights?: unknown } | null) =>
            typeof group === 'object' &&
            group !== null &&
            Array.isArray(group.paths) &&
            Array.isArray(group.weights) &&
            group.paths.every((file) => typeof file === 'string' && isPlainFileName(file)),
        )
      )
        throw new Error(
          `${modelPath}: "weightsManifest" must be a list of { paths, weights } whose paths are file names in the same directory.`,
        );
      const groups = manifest as { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      const buffers: Uint8Array[] = [];
      for (const group of groups) {
        for (const file of group.paths) {
          const filePath = path.join(folder, file);
          const bytes = await fs.readFile(filePath).catch((error: Error) => {
            throw new Error(`Cannot read ${filePath}, named in ${modelPath}: ${error.message}`);
          });
          buffers.push(bytes);
        }
      }
      const weightSpecs = groups.flatMap((group) => group.weights);
      const weightFiles = groups.flatMap((group) => group.paths);
      const total = buffers.reduce((sum, bytes) => sum + bytes.byteLength, 0);
      checkWeightSpecs(weightSpecs, total, {
        manifest: modelPath,
        weights:
          weightFiles.length === 1 ? path.join(folder, weightFiles[0]) : `the weight files of ${folder}`,
      });
      if (verify) {
        for (const [index, file] of weightFiles.entries()) {
          const files = (checksums as DirectoryChecksums).files;
          const recorded = files[file];
          if (Object.hasOwn(files, file) && (await sha256(buffers[index])) !== recorded)
            throw new Error(
              `${path.join(folder, file)} has been altered or damaged: its SHA-256 does not match the checksum in ${modelPath}. ` +
                'Save or train the model again.',
            );
        }
      }
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const bytes of buffers) {
        weightData.set(bytes, offset);
        offset += bytes.byteLength;
      }
      return { modelTopology: content.modelTopology as object, weightSpecs, weightData: weightData.buffer };
    },
  };
}

function isPlainFileName(file: string): boolean {
  return file !== '' && file !== '.' && file !== '..' && !/[\\/\0]/.test(file);
}

/** A directory a model may be saved over: one holding a mars-rec model (or only its two files). */
async function refuseUnlessModelDirectory(directory: string): Promise<void> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const entries = await fs.readdir(directory);
  if (entries.every((entry) => entry === 'model.json' || entry === 'weights.bin')) return;
  const text = await fs.readFile(path.join(directory, 'model.json'), 'utf8').catch(() => '');
  let format: unknown;
  try {
    format = (JSON.parse(text) as ModelJson).format;
  } catch {
    format = undefined;
  }
  if (format === ARTIFACT_FORMAT) return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', ...' : '');
  throw new Error(
    `'${directory}' is not empty and holds no mars-rec model (it has ${shown}); saving replaces the whole directory, ` +
      'so choose a new or empty directory, or remove it first.',
  );
}
