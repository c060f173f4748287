import { writeFileAtomically } from './write-file-atomically';

/** A typed array a binary file can hold. */
export type BinaryColumn = Int32Array | Uint32Array | Float32Array | Float64Array | Uint8Array;

const MAGIC = 'MARSBIN1';
const kinds = {
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
  uint8: Uint8Array,
} as const;
type Kind = keyof typeof kinds;

function kindOf(column: BinaryColumn): Kind {
  if (column instanceof Int32Array) return 'int32';
  if (column instanceof Uint32Array) return 'uint32';
  if (column instanceof Float32Array) return 'float32';
  if (column instanceof Float64Array) return 'float64';
  return 'uint8';
}

interface SectionEntry {
  name: string;
  kind: Kind;
  length: number;
  offset: number;
}

const align8 = (value: number): number => Math.ceil(value / 8) * 8;

/**
 * Writes named typed arrays and a JSON header into one file, crash-safely: to a temporary file
 * beside it, then renamed into place, so a reader never sees half a file. Layout: `MARSBIN1`,
 * the header's byte length (uint32), the header JSON (`{ meta, sections }`), then each array's
 * bytes at an 8-aligned offset (little-endian, as the machine writes them).
 *
 * @param path - the file to write.
 * @param meta - any JSON-serialisable description (format, version, options).
 * @param columns - the arrays, by name.
 */
export async function writeBinaryFile(
  path: string,
  meta: unknown,
  columns: Record<string, BinaryColumn>,
): Promise<void> {
  const { open } = await import('node:fs/promises');
  const sections: SectionEntry[] = [];
  let offset = 0;
  for (const [name, column] of Object.entries(columns)) {
    sections.push({ name, kind: kindOf(column), length: column.length, offset });
    offset = align8(offset + column.byteLength);
  }
  const header = Buffer.from(JSON.stringify({ meta, sections }), 'utf8');
  const prefix = Buffer.alloc(align8(12 + header.length));
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(header.length, 8);
  header.copy(prefix, 12);
  await writeFileAtomically(path, async (temporary) => {
    const handle = await open(temporary, 'w');
    try {
      let position = 0;
      const write = async (bytes: Uint8Array): Promise<void> => {
        // writes of at most 1 GiB at a time (the kernel's limit per call is about 2 GiB)
        for (let at = 0; at < bytes.length; at += 1 << 30) {
          const part = bytes.subarray(at, Math.min(bytes.length, at + (1 << 30)));
          await handle.write(part, 0, part.length, position);
          position += part.length;
        }
      };
      await write(prefix);
      const base = prefix.length;
      for (const section of sections) {
        const column = columns[section.name];
        position = base + section.offset;
        await write(new Uint8Array(column.buffer, column.byteOffset, column.byteLength));
      }
    } finally {
      await handle.close();
    }
  });
}

/** What {@link readBinaryFile} returns. */
export interface BinaryFileContents {
  /** The header's `meta`. */
  meta: unknown;
  /** The arrays, by name: views into one buffer read from the file. */
  columns: Record<string, BinaryColumn>;
}

/**
 * Reads a file written by {@link writeBinaryFile}: one read into one buffer, arrays as views.
 * @throws Error naming the file when it is not such a file or is cut short.
 */
export async function readBinaryFile(path: string): Promise<BinaryFileContents> {
  const { open } = await import('node:fs/promises');
  const handle = await open(path, 'r');
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    const size = (await handle.stat()).size;
    bytes = new Uint8Array(size);
    for (let at = 0; at < size;) {
      const { bytesRead } = await handle.read(bytes, at, Math.min(size - at, 1 << 30), at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return parseBinaryFile(bytes, path);
}

/**
 * The contents of a file written by {@link writeBinaryFile} from its bytes already in memory
 * (for a reader that also checksums them, so the file is read once); arrays are views into
 * `bytes`.
 * @param given - the whole file.
 * @param path - where the bytes came from, for the errors.
 * @throws Error naming `path` when the bytes are not such a file or are cut short.
 */
export function parseBinaryFile(given: Uint8Array<ArrayBuffer>, path: string): BinaryFileContents {
  // the sections are 8-aligned from the file's start: views need the bytes 8-aligned too
  const bytes = given.byteOffset % 8 === 0 ? given : given.slice();
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.length < 12 || view.toString('latin1', 0, 8) !== MAGIC) {
    throw new Error(`${path}: not a mars-rec binary file (missing ${MAGIC})`);
  }
  const headerLength = view.readUInt32LE(8);
  const { meta, sections } = JSON.parse(view.toString('utf8', 12, 12 + headerLength)) as {
    meta: unknown;
    sections: SectionEntry[];
  };
  const base = align8(12 + headerLength);
  const columns: Record<string, BinaryColumn> = {};
  for (const section of sections) {
    const type = kinds[section.kind];
    const start = base + section.offset;
    if (start + section.length * type.BYTES_PER_ELEMENT > bytes.length) {
      throw new Error(`${path}: cut short (section '${section.name}' runs past the end): write it again`);
    }
    columns[section.name] = new type(bytes.buffer, bytes.byteOffset + start, section.length);
  }
  return { meta, columns };
}

/** Strings as one UTF-8 arena and their start offsets (`starts.length = strings + 1`). */
export function encodeStrings(strings: readonly string[]): { arena: Uint8Array; starts: Uint32Array } {
  const encoder = new TextEncoder();
  const parts = strings.map((text) => encoder.encode(text));
  const starts = new Uint32Array(strings.length + 1);
  parts.forEach((part, index) => (starts[index + 1] = starts[index] + part.length));
  const arena = new Uint8Array(starts[strings.length]);
  parts.forEach((part, index) => arena.set(part, starts[index]));
  return { arena, starts };
}

/** The strings of {@link encodeStrings}. */
export function decodeStrings(arena: Uint8Array, starts: Uint32Array): string[] {
  const decoder = new TextDecoder();
  const strings = new Array<string>(starts.length - 1);
  for (let index = 0; index < strings.length; index++) {
    strings[index] = decoder.decode(arena.subarray(starts[index], starts[index + 1]));
  }
  return strings;
}
