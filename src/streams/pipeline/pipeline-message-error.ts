import { GapwardenError } from '../../internal/errors.js';

/**
 * A message the pipeline cannot place: unknown topic, no key field, no valid time. Code `RECORD_INVALID`;
 * `reason` is short and stable enough for a dead-letter entry. The pipeline keeps no trace of the message.
 */
export class PipelineMessageError extends GapwardenError {
  readonly reason: 'unknown-topic' | 'missing-key' | 'invalid-time';
  readonly topic: string;
  readonly messageId: string;
  constructor(reason: PipelineMessageError['reason'], topic: string, messageId: string, message: string) {
    super('RECORD_INVALID', message, { details: { reason, topic, messageId } });
    this.name = 'PipelineMessageError';
    this.reason = reason;
    this.topic = topic;
    this.messageId = messageId;
  }
}
