export * from "./client.js";
export * from "./backoff.js";
export * from "./storage.js";
export * from "./gen/herald/device/v1/device_pb.js";
