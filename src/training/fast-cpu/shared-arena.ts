import { createKernelMemory, KERNEL_MAXIMUM_PAGES, KERNEL_RESERVED_BYTES } from '../../kernels/load-kernels';

/**
 * The shared WebAssembly memory of the fast CPU step with a bump allocator: fixed regions
 * (weights, moments, per-thread buffers) first, then a per-step region reset by
 * {@link SharedArena.resetStep}. Grows the memory on demand (only between kernel rounds, when
 * no worker runs); the typed views follow the growth.
 */
export class SharedArena {
  /** The memory every thread's kernel instance uses. */
  readonly memory: WebAssembly.Memory;
  private top = KERNEL_RESERVED_BYTES;
  private stepBase = KERNEL_RESERVED_BYTES;
  private floats: Float32Array;
  private ints: Int32Array;

  /** @param bytes - initial size; it grows as needed. */
  constructor(bytes: number) {
    this.memory = createKernelMemory(KERNEL_RESERVED_BYTES + bytes);
    this.floats = new Float32Array(this.memory.buffer);
    this.ints = new Int32Array(this.memory.buffer);
  }

  /** Bytes allocated so far (the high-water mark of this step included). */
  get allocated(): number {
    return this.top;
  }

  /** Reserves `bytes` (16-byte aligned, zero-filled on first use only) and returns its address. */
  allocate(bytes: number): number {
    const address = this.top;
    this.top += Math.ceil(bytes / 16) * 16;
    const size = this.memory.buffer.byteLength;
    if (this.top > size) {
      const pages = Math.ceil((this.top - size) / 65_536);
      if (size / 65_536 + pages > KERNEL_MAXIMUM_PAGES)
        throw new RangeError(
          `FastCpuTrainer: a step needs more than 4 GiB of kernel memory (${this.top} bytes); use smaller batches`,
        );
      this.memory.grow(pages);
    }
    return address;
  }

  /** Marks the end of the fixed regions: later allocations belong to the current step. */
  markStepBase(): void {
    this.stepBase = this.top;
  }

  /** Frees every per-step allocation. */
  resetStep(): void {
    this.top = this.stepBase;
  }

  /** A float view of the whole memory (index = address / 4). */
  f32(): Float32Array {
    if (this.floats.buffer !== this.memory.buffer) this.refresh();
    return this.floats;
  }

  /** An int32 view of the whole memory (index = address / 4). */
  i32(): Int32Array {
    if (this.ints.buffer !== this.memory.buffer) this.refresh();
    return this.ints;
  }

  private refresh(): void {
    this.floats = new Float32Array(this.memory.buffer);
    this.ints = new Int32Array(this.memory.buffer);
  }
}
