// The message literals of one APPEND command that streamed into MessageBuffers of their own
// (framer.ts; RFC 3502 MULTIAPPEND sends several messages in one command). The command finds each
// buffer again by the view of it that the parser hands out; all are released together once the
// command has ended.
import type { MessageBuffer } from '../memory/message-buffer.ts';

export class MessageLiterals {
  private buffers: MessageBuffer[] = [];
  private byView = new Map<Buffer, MessageBuffer>();

  // Held from the moment its literal is announced, so a refusal releases it too.
  add(buffer: MessageBuffer): void {
    this.buffers.push(buffer);
  }

  get count(): number {
    return this.buffers.length;
  }

  // Once the literal is read: the view of it that goes into the command's parts.
  view(buffer: MessageBuffer): Buffer {
    const v = buffer.view();
    this.byView.set(v, buffer);
    return v;
  }

  // The buffer a literal of the command streamed into, or null for a literal read with the command.
  bufferOf(data: Buffer): MessageBuffer | null {
    return this.byView.get(data) ?? null;
  }

  release(): void {
    for (const b of this.buffers) b.release();
    this.buffers = [];
    this.byView.clear();
  }
}
