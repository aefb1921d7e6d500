/**
 * The `chat` config section: per-person limits that keep one person (or one runaway script) from
 * occupying a small model server. Every key has a default, so a config without the section chats
 * with them. Read at each send: a reload applies at once. See docs/configuration.md#chat.
 */
import { z } from 'zod';

export const chatSchema = z
  .object({
    /** Answers one person may have streaming at the same time (over all their sessions). */
    maxConcurrentRuns: z.number().int().min(1).max(10_000).default(2),
    /** Messages one person may send in any 60 s. */
    sendsPerMinute: z.number().int().min(1).max(100_000).default(20),
    /** The longest message a person may send, in characters. */
    maxMessageChars: z.number().int().min(1).max(1_000_000).default(32_000),
    /** Earlier messages of the session sent to the model with each new one (the newest ones). */
    historyMessages: z.number().int().min(0).max(500).default(40),
  })
  .strict();

export type ChatConfig = z.output<typeof chatSchema>;
