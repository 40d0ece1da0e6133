// Stand-in for the thread-stream package in the allocator bundle: pino needs it only for transports (log processing
// in a worker thread: pino.transport() or the `transport` option), which the function does not configure (lib/log.ts
// gives pino a destination stream). See functions/build/pino-without-transports.ts.
const WHY = "pino transports are not available in the allocator bundle (functions/build/pino-without-transports.ts)";
module.exports = class ThreadStream {
  constructor() {
    throw new Error(WHY);
  }
};
