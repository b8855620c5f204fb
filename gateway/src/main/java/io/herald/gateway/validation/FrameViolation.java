package io.herald.gateway.validation;

/** Why a decoded frame breaks a validation rule; {@code detail} is shown to the client in the nack. */
public record FrameViolation(String detail) {}
