/**
 * The allocator function's entry (what the image runs): listens on the Fn socket through @fnproject/fdk. All work
 * happens per invocation; the runtime (adapters, request budget, validators) is composed on the first one and kept
 * while the container is warm.
 */
import * as fdk from "@fnproject/fdk";
import { cachedRuntimeFactory } from "./compose";
import { createAllocatorHandler } from "./handler";

fdk.handle(createAllocatorHandler(cachedRuntimeFactory()), { inputMode: "json" });
