export const CHUNK_BYTES = 64 * 1024;
const CHUNK = new Uint8Array(CHUNK_BYTES).fill(0x20);

/**
 * A request body of `totalBytes` streamed in 64 KB chunks, pulled only as the Worker reads it: `read.bytes` says how
 * much of it the Worker pulled (what a size limit or a check before the body must keep small).
 */
export function countingBody(totalBytes: number) {
  const read = { bytes: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (read.bytes >= totalBytes) return controller.close();
        read.bytes += CHUNK.byteLength;
        controller.enqueue(CHUNK);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, read };
}
