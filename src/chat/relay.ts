/**
 * Relays one model answer as it streams. Pieces are held until the send has been answered (the
 * person's message is stored and `{runId}` sent: no event may come before that), then the pieces
 * of a burst (what one network read brought) go out as one `delta`: the first piece at once, the
 * rest at the next turn of the event loop, so the gateway and every tab of the owner handle one
 * frame per burst, not per token. The text so far is saved every `saveEveryMs` once open.
 */

export interface RelayHooks {
  /** Sends one `delta` event. */
  delta(text: string): void;
  /** Saves the text so far; handles its own failures. */
  save(text: string): void;
  now(): number;
  readonly saveEveryMs: number;
}

export class AnswerRelay {
  private text = '';
  private unsent = '';
  private opened = false;
  private flushing: NodeJS.Immediate | undefined;
  private savedAt = 0;

  constructor(private readonly hooks: RelayHooks) {}

  /** The whole text received so far. */
  get received(): string {
    return this.text;
  }

  /** A piece of the answer from the model. */
  readonly push = (piece: string): void => {
    this.text += piece;
    if (!this.opened || this.flushing !== undefined) {
      this.unsent += piece;
      return;
    }
    this.hooks.delta(piece);
    this.flushing = setImmediate(this.flush);
    const now = this.hooks.now();
    if (now - this.savedAt >= this.hooks.saveEveryMs) {
      this.savedAt = now;
      this.hooks.save(this.text);
    }
  };

  /** The send was answered: pieces may go out (those held go as one delta). */
  open(): void {
    this.opened = true;
    this.savedAt = this.hooks.now();
    this.flush();
  }

  /** Sends what is held (the stream has ended); nothing goes out after this. */
  close(): void {
    if (this.flushing !== undefined) clearImmediate(this.flushing);
    this.flush();
    this.opened = false;
  }

  private readonly flush = (): void => {
    this.flushing = undefined;
    if (!this.opened || this.unsent === '') return;
    const delta = this.unsent;
    this.unsent = '';
    this.hooks.delta(delta);
  };
}
