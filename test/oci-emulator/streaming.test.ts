import { expect } from "chai";
import * as streaming from "oci-streaming";
import type { OciEmulator } from "../../lib/testbed/oci-emulator";
import { expectOciError, startWithClients, type Clients } from "./helpers";

const b64 = (s: string) => Buffer.from(s).toString("base64");
const { Type } = streaming.models.CreateCursorDetails;

describe("OCI emulator: Streaming (through oci-streaming StreamClient)", () => {
  let emulator: OciEmulator;
  let clients: Clients;
  let close: () => Promise<void>;
  let streamId: string;

  beforeEach(async () => {
    ({ emulator, clients, close } = await startWithClients());
    streamId = emulator.admin.snapshot().streams[0].id as string;
  });
  afterEach(async () => close());

  const put = (messages: Array<{ key?: string; value: string }>) =>
    clients.stream.putMessages({
      streamId,
      putMessagesDetails: { messages: messages.map((m) => ({ key: m.key && b64(m.key), value: b64(m.value) })) },
    });

  it("keeps one key on one partition with growing offsets", async () => {
    const r = await put([
      { key: "node-a", value: "1" },
      { key: "node-a", value: "2" },
      { key: "node-a", value: "3" },
    ]);
    expect(r.putMessagesResult.failures).to.equal(0);
    const partitions = new Set(r.putMessagesResult.entries.map((e) => e.partition));
    expect(partitions.size).to.equal(1);
    expect(r.putMessagesResult.entries.map((e) => e.offset)).to.deep.equal([0, 1, 2]);
    const again = await put([{ key: "node-a", value: "4" }]);
    expect(again.putMessagesResult.entries[0].partition).to.equal(r.putMessagesResult.entries[0].partition);
    expect(again.putMessagesResult.entries[0].offset).to.equal(3);
  });

  it("reads back messages from a TRIM_HORIZON cursor, following opc-next-cursor", async () => {
    const r = await put([
      { key: "node-b", value: "first" },
      { key: "node-b", value: "second" },
    ]);
    const partition = r.putMessagesResult.entries[0].partition!;
    const cursor = await clients.stream.createCursor({
      streamId,
      createCursorDetails: { partition, type: Type.TrimHorizon },
    });
    const page1 = await clients.stream.getMessages({ streamId, cursor: cursor.cursor.value, limit: 1 });
    expect(
      page1.items.map((m) => [
        Buffer.from(m.key, "base64").toString(),
        Buffer.from(m.value, "base64").toString(),
        m.offset,
      ]),
    ).to.deep.equal([["node-b", "first", 0]]);
    const page2 = await clients.stream.getMessages({ streamId, cursor: page1.opcNextCursor!, limit: 10 });
    expect(page2.items.map((m) => Buffer.from(m.value, "base64").toString())).to.deep.equal(["second"]);
    const page3 = await clients.stream.getMessages({ streamId, cursor: page2.opcNextCursor! });
    expect(page3.items).to.deep.equal([]);
  });

  it("positions cursors with LATEST, AT_OFFSET and AFTER_OFFSET", async () => {
    const r = await put([
      { key: "node-c", value: "0" },
      { key: "node-c", value: "1" },
      { key: "node-c", value: "2" },
    ]);
    const partition = r.putMessagesResult.entries[0].partition!;
    const read = async (details: Partial<streaming.models.CreateCursorDetails>) => {
      const c = await clients.stream.createCursor({
        streamId,
        createCursorDetails: { partition, type: Type.Latest, ...details },
      });
      return (await clients.stream.getMessages({ streamId, cursor: c.cursor.value })).items.map((m) => m.offset);
    };
    expect(await read({ type: Type.Latest })).to.deep.equal([]);
    expect(await read({ type: Type.AtOffset, offset: 1 })).to.deep.equal([1, 2]);
    expect(await read({ type: Type.AfterOffset, offset: 1 })).to.deep.equal([2]);
  });

  it("spreads keyless messages over the partitions", async () => {
    const r = await put([{ value: "a" }, { value: "b" }, { value: "c" }]);
    expect(new Set(r.putMessagesResult.entries.map((e) => e.partition)).size).to.equal(3);
  });

  it("rejects a value that is not base64 with 400 InvalidParameter", async () => {
    await expectOciError(
      () => clients.stream.putMessages({ streamId, putMessagesDetails: { messages: [{ value: "not base64!" }] } }),
      400,
      "InvalidParameter",
    );
  });

  it("rejects a key longer than 256 bytes and a cursor for a missing partition", async () => {
    await expectOciError(() => put([{ key: "k".repeat(257), value: "v" }]), 400, "InvalidParameter");
    await expectOciError(
      () => clients.stream.createCursor({ streamId, createCursorDetails: { partition: "7", type: Type.Latest } }),
      400,
      "InvalidParameter",
    );
  });

  it("answers 404 NotAuthorizedOrNotFound for an unknown stream", async () => {
    await expectOciError(
      () =>
        clients.stream.putMessages({
          streamId: "ocid1.stream.oc1.iad.nope",
          putMessagesDetails: { messages: [{ value: b64("x") }] },
        }),
      404,
      "NotAuthorizedOrNotFound",
    );
  });
});
