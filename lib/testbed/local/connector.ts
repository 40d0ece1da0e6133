import * as common from "oci-common";
import { StreamClient, models } from "oci-streaming";
import type { Log } from "../../log";
import type { FdkCallResult } from "./fdk-client";

/** One message as Connector Hub hands it to a function: key and value still base64. */
export interface ConnectorMessage {
  stream: string;
  partition: string;
  key: string | null;
  value: string;
  offset: number;
  timestamp: string;
}

export interface ConnectorOptions {
  /** OCI credentials of the connector (its policy allows only stream-pull). */
  auth: common.AuthenticationDetailsProvider;
  /** The stream pool's messages endpoint (the emulator's endpoint locally). */
  messagesEndpoint: string;
  streamId: string;
  partitions: number;
  /**
   * Delivers one batch (JSON text) to the function; rejects when the function is unreachable. `lane` says which of
   * the `lanes` delivery loops sends it (0 with one lane), so each lane can have its own function container.
   */
  invoke: (payload: string, callId: string, deadline: Date, lane: number) => Promise<FdkCallResult>;
  /**
   * Independent delivery loops (default 1), each reading the partitions p with p % lanes == lane and waiting for its
   * own invocation only: Connector Hub reads a stream's partitions in parallel, so as many invocations as partitions
   * may run at once, each in a container of its own.
   */
  lanes?: number;
  /** Connector Hub Functions target `batchSizeInNum`: messages per invocation at most. */
  batchSizeInNum: number;
  /** `batchSizeInKbs`: bytes per invocation at most (the decoded message size counts). */
  batchSizeInKbs: number;
  /**
   * `batchTimeInSec` (in ms here, scaled by the simulation): a batch is sent at the latest this long after its first
   * message.
   */
  batchTimeMs: number;
  /** The function's timeout: each invocation's Fn-Deadline. */
  functionTimeoutMs: number;
  /** Wait between empty reads of the stream. */
  pollIntervalMs: number;
  /** Backoff before re-delivering a failed batch (doubles up to 30 times this). */
  retryBackoffMs: number;
  log: Log;
}

export interface ConnectorStats {
  batches: number;
  messages: number;
  invocations: number;
  failedInvocations: number;
  redeliveries: number;
  /** Offset of the last message delivered per partition (the connector's committed position). */
  committed: Record<string, number>;
}

/**
 * A stand-in for OCI Connector Hub with a Streaming source and a Functions target, for local runs: it reads every
 * partition from TRIM_HORIZON with cursors, forms batches by count, size and time ("the first limit reached
 * determines the boundary of the batch", FunctionTaskDetails), invokes the function with the batch as a JSON array of
 * {stream, partition, key, value, offset, timestamp} (key/value base64, as Connector Hub delivers), and retries a
 * failed batch whole until it succeeds ("the connector keeps retrying indefinitely until the function target
 * succeeds"; no partial success within a batch) — delivery is at least once. A batch counts as failed when the
 * function does not answer 200.
 */
export class LocalConnector {
  readonly stats: ConnectorStats = {
    batches: 0,
    messages: 0,
    invocations: 0,
    failedInvocations: 0,
    redeliveries: 0,
    committed: {},
  };
  private readonly client: StreamClient;
  private readonly cursors = new Map<string, string>();
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly wakes = new Set<() => void>();
  private readonly laneIdle: boolean[] = [];
  private calls = 0;

  constructor(private readonly options: ConnectorOptions) {
    this.client = new StreamClient(
      { authenticationDetailsProvider: options.auth },
      { circuitBreaker: new common.CircuitBreaker({ disableClientCircuitBreaker: true }) },
    );
    this.client.endpoint = options.messagesEndpoint;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const lanes = Math.max(1, Math.min(this.options.lanes ?? 1, this.options.partitions));
    this.laneIdle.length = 0;
    for (let l = 0; l < lanes; l++) this.laneIdle.push(false);
    this.loop = Promise.all(
      this.laneIdle.map((_, lane) =>
        this.run(lane, lanes).catch((err: unknown) =>
          this.options.log.error({ err: String(err), lane }, "connector stopped on an error"),
        ),
      ),
    ).then(() => undefined);
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const wake of [...this.wakes]) wake();
    await this.loop;
    this.client.shutdownCircuitBreaker();
  }

  /** True when every message read so far was delivered and the stream had nothing more at the last read. */
  get idle(): boolean {
    return this.laneIdle.length > 0 && this.laneIdle.every(Boolean);
  }

  /**
   * Chaos hook (test/chaos), unset by default: when set, each batch passes through it once before its first delivery,
   * and the function gets what it returns — messages duplicated, reordered or dropped, as an at-least-once service
   * may deliver them. A redelivery of a failed batch resends that same transformed batch; an empty result counts as
   * delivered. Offsets are committed from the batch as read.
   */
  transformBatch: ((batch: ConnectorMessage[]) => ConnectorMessage[]) | undefined = undefined;

  private async run(lane: number, lanes: number): Promise<void> {
    const { options } = this;
    let batch: ConnectorMessage[] = [];
    let batchBytes = 0;
    let batchStarted = 0;
    const mine = Array.from({ length: options.partitions }, (_, p) => p).filter((p) => p % lanes === lane);
    // Each pass starts at the next partition: starting at partition 0 every time, a backlog there filled every batch
    // and the other partitions' nudges waited until it drained (1,000 nodes: the third on partition 0 became ready,
    // the rest stalled for minutes).
    let first = 0;
    while (this.running) {
      let read = 0;
      first = (first + 1) % mine.length;
      for (let k = 0; k < mine.length && this.running; k++) {
        const p = mine[(first + k) % mine.length]!;
        const room = options.batchSizeInNum - batch.length;
        if (room <= 0) break;
        const messages = await this.read(String(p), room);
        for (const m of messages) {
          const size = Buffer.byteLength(m.value, "base64") + (m.key ? Buffer.byteLength(m.key, "base64") : 0);
          if (batch.length > 0 && batchBytes + size > options.batchSizeInKbs * 1024) {
            await this.deliver(batch, lane);
            batch = [];
            batchBytes = 0;
          }
          if (batch.length === 0) batchStarted = Date.now();
          batch.push(m);
          batchBytes += size;
          read++;
        }
      }
      const full = batch.length >= options.batchSizeInNum;
      const due = batch.length > 0 && Date.now() - batchStarted >= options.batchTimeMs;
      if (full || due) {
        await this.deliver(batch, lane);
        batch = [];
        batchBytes = 0;
        continue;
      }
      this.laneIdle[lane] = read === 0 && batch.length === 0;
      if (read === 0)
        await this.pause(
          batch.length > 0
            ? Math.min(options.pollIntervalMs, options.batchTimeMs - (Date.now() - batchStarted))
            : options.pollIntervalMs,
        );
    }
    if (batch.length > 0) await this.deliver(batch, lane);
  }

  private async read(partition: string, limit: number): Promise<ConnectorMessage[]> {
    let cursor = this.cursors.get(partition);
    if (!cursor) {
      const created = await this.client.createCursor({
        streamId: this.options.streamId,
        createCursorDetails: { partition, type: models.CreateCursorDetails.Type.TrimHorizon },
      });
      cursor = created.cursor.value;
    }
    const res = await this.client.getMessages({ streamId: this.options.streamId, cursor, limit });
    if (res.opcNextCursor) this.cursors.set(partition, res.opcNextCursor);
    return res.items.map((m) => ({
      stream: m.stream,
      partition: String(m.partition),
      key: m.key ?? null,
      value: m.value,
      offset: Number(m.offset),
      timestamp: m.timestamp instanceof Date ? m.timestamp.toISOString() : String(m.timestamp),
    }));
  }

  /** Delivers one batch, again and again until the function answers 200 (or the connector is stopped). */
  private async deliver(batch: ConnectorMessage[], lane: number): Promise<void> {
    const sent = this.transformBatch ? this.transformBatch(batch) : batch;
    const payload = JSON.stringify(sent);
    let backoff = this.options.retryBackoffMs;
    for (let attempt = 1; sent.length > 0; attempt++) {
      const callId = `connector-${++this.calls}`;
      this.stats.invocations++;
      if (attempt > 1) this.stats.redeliveries++;
      try {
        const deadline = new Date(Date.now() + this.options.functionTimeoutMs);
        const res = await this.options.invoke(payload, callId, deadline, lane);
        if (res.statusCode === 200) break;
        this.stats.failedInvocations++;
        this.options.log.warn(
          { callId, statusCode: res.statusCode, messages: batch.length },
          "function answered an error: the batch is delivered again",
        );
      } catch (err) {
        this.stats.failedInvocations++;
        this.options.log.warn(
          { callId, err: String(err), messages: batch.length },
          "function unreachable: the batch is delivered again",
        );
      }
      if (!this.running) return;
      await this.pause(backoff);
      backoff = Math.min(backoff * 2, this.options.retryBackoffMs * 30);
    }
    this.stats.batches++;
    this.stats.messages += batch.length;
    for (const m of batch)
      this.stats.committed[m.partition] = Math.max(this.stats.committed[m.partition] ?? -1, m.offset);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakes.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(ms, 0));
      this.wakes.add(wake);
    });
  }
}
