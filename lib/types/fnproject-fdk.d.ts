/**
 * Typings for @fnproject/fdk, which ships none (fn-fdk.js, measured on 0.0.76): `ctx.callID` (capital ID),
 * `ctx.deadline` a Date or null, `ctx.config` a copy of the whole environment (never log it), `ctx.getConfig` broken.
 */
declare module "@fnproject/fdk" {
  export interface Context {
    readonly callID: string;
    readonly deadline: Date | null;
    readonly config: Record<string, string | undefined>;
    readonly appName: string;
    readonly appID: string;
    readonly fnName: string;
    readonly fnID: string;
    readonly memory: number;
    readonly headers: Record<string, string[]>;
    getHeader(key: string): string | null;
    responseContentType: string;
    setResponseHeader(key: string, ...values: string[]): void;
  }
  export interface HandleOptions {
    inputMode?: "json" | "string" | "buffer";
  }
  /** Listens on FN_LISTENER (unix socket) and returns a function that stops the server and removes the socket. */
  export function handle(fn: (input: unknown, ctx: Context) => unknown, options?: HandleOptions): () => void;
}
