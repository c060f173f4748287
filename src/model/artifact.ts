import * as tf from '@tensorflow/tfjs-core';

/** The artifact format this version of mars-rec writes; it reads this and every older one. */
export const ARTIFACT_FORMAT_VERSION = 1;
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
 * is not a mars-rec artifact or comes from a newer format version.
 */
export async function loadArtifact<Metadata>(
  location: ArtifactLocation,
): Promise<ArtifactContents<Metadata>> {
  const handler = resolveArtifactHandler(location, 'load');
  if (!handler.load) throw new Error('The given IO handler cannot load (it has no load method).');
  const artifacts = await handler.load();
  const topology = artifacts.modelTopology as Partial<ArtifactTopology<Metadata>> | undefined;
  const where = typeof location === 'string' ? `'${location}'` : 'the given IO handler';
  if (!topology || topology.format !== ARTIFACT_FORMAT || typeof topology.formatVersion !== 'number') {
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
  const decoded = tf.io.decodeWeights(weightData, artifacts.weightSpecs);
  return { metadata: topology.metadata as Metadata, tensors: new Map(Object.entries(decoded)) };
}

/**
 * An IO handler for a directory in Node's file system: `model.json` (format, metadata, weight
 * manifest) beside `weights.bin`. Node's `fs` is imported only when it is used, so browsers
 * never load it.
 * @param directory - the directory; created on save if missing.
 */
export function fileSystemHandler(directory: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const fs = await import('node:fs/promises');
      const path = await import('node:path');
      await fs.mkdir(directory, { recursive: true });
      const weightData = Array.isArray(artifacts.weightData)
        ? tf.io.concatenateArrayBuffers(artifacts.weightData)
        : (artifacts.weightData ?? new ArrayBuffer(0));
      const modelJson = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await fs.writeFile(path.join(directory, 'weights.bin'), new Uint8Array(weightData));
      await fs.writeFile(path.join(directory, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const fs = await import('node:fs/promises');
      const path = await import('node:path');
      const modelPath = path.join(directory, 'model.json');
      let text: string;
      try {
        text = await fs.readFile(modelPath, 'utf8');
      } catch (error) {
        throw new Error(
          `Cannot read ${modelPath}: ${(error as Error).message}. Is '${directory}' a saved mars-rec model?`,
        );
      }
      let modelJson: {
        modelTopology?: object;
        weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
      };
      try {
        modelJson = JSON.parse(text) as typeof modelJson;
      } catch (error) {
        throw new Error(`${modelPath} is not valid JSON: ${(error as Error).message}`);
      }
      const manifest = modelJson.weightsManifest ?? [];
      const buffers: ArrayBuffer[] = [];
      for (const group of manifest) {
        for (const file of group.paths) {
          const bytes = await fs.readFile(path.join(directory, file));
          buffers.push(
            bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
          );
        }
      }
      return {
        modelTopology: modelJson.modelTopology,
        weightSpecs: manifest.flatMap((group) => group.weights),
        weightData: tf.io.concatenateArrayBuffers(buffers),
      };
    },
  };
}
