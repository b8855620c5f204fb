package io.herald.gateway.admission;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.gateway.auth.DeviceIdentity;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The admission decisions, with a clock the test moves. */
class AdmissionTest {

  private static final DeviceIdentity DEVICE = new DeviceIdentity("user-1", "device-1");
  /** A small frame: far below the user's byte bucket, so only the frame counts decide. */
  private static final int SMALL = 100;
  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

  private Admission admission(int nodeMaxInFlight) {
    return new Admission(
        new AdmissionSettings(100, 200, 400, 800, 256 * 1024, 1024 * 1024, nodeMaxInFlight, 4 * 1024 * 1024,
            Duration.ofSeconds(10), Duration.ofSeconds(1)), nanos::get);
  }

  @Test
  void aDeviceMaySendItsBurstAtOnceThenOneFramePerTokenRefilled() {
    Admission admission = admission(10_000);
    for (int i = 0; i < 200; i++) {
      assertEquals(Optional.empty(), admitAndAnswer(admission, DEVICE), "frame " + i + " of the burst");
    }
    Admission.Refused refused = admission.tryAdmit(DEVICE, SMALL).orElseThrow();
    assertEquals(Duration.ofMillis(10), refused.retryAfter(), "100/s: the next token comes in 10 ms");
    assertTrue(refused.detail().startsWith("device rate limit"), refused.detail());

    nanos.addAndGet(Duration.ofMillis(9).plusNanos(500_000).toNanos());
    assertEquals(Duration.ofMillis(1), admission.tryAdmit(DEVICE, SMALL).orElseThrow().retryAfter(), "0.5 ms, rounded up");

    nanos.addAndGet(Duration.ofMillis(40).plusNanos(500_000).toNanos()); // 50 ms after the burst: 5 tokens
    for (int i = 0; i < 5; i++) {
      assertEquals(Optional.empty(), admitAndAnswer(admission, DEVICE));
    }
    assertTrue(admission.tryAdmit(DEVICE, SMALL).isPresent());
  }

  @Test
  void devicesHaveBucketsOfTheirOwn() {
    Admission admission = admission(10_000);
    for (int i = 0; i < 200; i++) {
      admitAndAnswer(admission, DEVICE);
    }
    assertTrue(admission.tryAdmit(DEVICE, SMALL).isPresent());
    assertEquals(Optional.empty(), admission.tryAdmit(new DeviceIdentity("user-1", "device-2"), SMALL));
    assertEquals(Optional.empty(), admission.tryAdmit(new DeviceIdentity("user-2", "device-1"), SMALL));
  }

  @Test
  void theNodeBoundRefusesWhileThatManyFramesAreInFlightAndAdmitsAgainOnceOneIsAnswered() {
    Admission admission = admission(3);
    for (int i = 0; i < 3; i++) {
      assertEquals(Optional.empty(), admission.tryAdmit(new DeviceIdentity("user-" + i, "d"), SMALL));
    }
    Admission.Refused refused = admission.tryAdmit(new DeviceIdentity("user-9", "d"), SMALL).orElseThrow();
    assertEquals(Duration.ofSeconds(1), refused.retryAfter());
    assertTrue(refused.detail().contains("3 frames waiting for Kafka"), refused.detail());
    assertEquals(3, admission.inFlight());
    assertEquals(3 * SMALL, admission.inFlightBytes());

    admission.release(SMALL);
    assertEquals(Optional.empty(), admission.tryAdmit(new DeviceIdentity("user-9", "d"), SMALL));
  }

  @Test
  void aRateRefusalHoldsNoNodeSlot() {
    Admission admission = admission(10_000);
    for (int i = 0; i < 200; i++) {
      admitAndAnswer(admission, DEVICE);
    }
    for (int i = 0; i < 50; i++) {
      assertTrue(admission.tryAdmit(DEVICE, SMALL).isPresent());
    }
    assertEquals(0, admission.inFlight());
  }

  @Test
  void bucketsAreForgottenOnceFullAgainWithoutChangingDecisions() {
    Admission admission = admission(10_000);
    for (int i = 0; i < 1_000; i++) {
      admitAndAnswer(admission, new DeviceIdentity("user-" + i, "d"));
    }
    admitAndAnswer(admission, DEVICE);
    // A bucket per device (1,001), per user (1,000: DEVICE's user is one of them) and per user for bytes (1,000), all
    // used in this instant.
    assertEquals(3_001, admission.forgetFullBuckets(), "all used a token in this instant");

    nanos.addAndGet(Duration.ofMillis(10).toNanos()); // one token back: all full again
    assertEquals(0, admission.forgetFullBuckets());

    for (int i = 0; i < 200; i++) {
      admitAndAnswer(admission, DEVICE);
    }
    nanos.addAndGet(Duration.ofSeconds(1).toNanos()); // half refilled: kept, and its state is intact
    assertEquals(1, admission.forgetFullBuckets());
    for (int i = 0; i < 100; i++) {
      assertEquals(Optional.empty(), admitAndAnswer(admission, DEVICE));
    }
    assertTrue(admission.tryAdmit(DEVICE, SMALL).isPresent());
  }

  private static Optional<Admission.Refused> admitAndAnswer(Admission admission, DeviceIdentity device) {
    return admitAndAnswer(admission, device, SMALL);
  }

  private static Optional<Admission.Refused> admitAndAnswer(Admission admission, DeviceIdentity device, int bytes) {
    Optional<Admission.Refused> refused = admission.tryAdmit(device, bytes);
    if (refused.isEmpty()) {
      admission.release(bytes);
    }
    return refused;
  }

  @Test
  void aUsersDevicesShareTheUsersBucketAndARefusalThereCostsTheDeviceNothing() {
    // 800 frames at once from one user: its devices' own buckets (200 each) take them, the user's bucket empties.
    Admission admission = admission(10_000);
    for (int device = 0; device < 4; device++) {
      for (int i = 0; i < 200; i++) {
        assertEquals(Optional.empty(), admitAndAnswer(admission, new DeviceIdentity("user-1", "device-" + device)));
      }
    }
    DeviceIdentity fifth = new DeviceIdentity("user-1", "device-4");
    Admission.Refused refused = admission.tryAdmit(fifth, SMALL).orElseThrow();
    assertTrue(refused.detail().startsWith("user rate limit"), refused.detail());
    assertEquals(Duration.ofMillis(3), refused.retryAfter(), "400/s: the user's next token comes in 2.5 ms");
    assertEquals(Optional.empty(), admission.tryAdmit(new DeviceIdentity("user-2", "device-0"), SMALL), "another user");

    // Refused by the user's bucket, the fifth device kept its own token: after 200 of the user's tokens are back,
    // it sends its whole burst of 200.
    nanos.addAndGet(Duration.ofMillis(500).toNanos());
    for (int i = 0; i < 200; i++) {
      assertEquals(Optional.empty(), admitAndAnswer(admission, fifth), "frame " + i + " of the fifth device's burst");
    }
  }

  @Test
  void aUsersFramesTogetherAreHeldToTheUsersBytesAndARefusalThereCostsNoFrameToken() {
    // 16 frames of 64 KiB from 4 devices: the user's 1 MiB burst, within every frame count.
    Admission admission = admission(10_000);
    int large = 64 * 1024;
    for (int i = 0; i < 16; i++) {
      assertEquals(Optional.empty(), admitAndAnswer(admission, new DeviceIdentity("user-1", "device-" + i % 4), large));
    }
    Admission.Refused refused = admission.tryAdmit(DEVICE, large).orElseThrow();
    assertTrue(refused.detail().startsWith("user byte rate limit"), refused.detail());
    assertTrue(refused.detail().endsWith(" 1048576 bytes at once or 262144 bytes/s"), refused.detail());
    long retryAfterMs = refused.retryAfter().toMillis();
    assertTrue(retryAfterMs >= 250 && retryAfterMs <= 251, "256 KiB/s: 64 KiB more in 250 ms, was " + retryAfterMs);
    assertEquals(0, admission.inFlight(), "the refusal holds no node slot");
    assertEquals(Optional.empty(), admitAndAnswer(admission, new DeviceIdentity("user-2", "device-1"), large),
        "another user");

    // Refused by the bytes, the frames gave their device's and user's tokens back: 300 more attempts (past the
    // device's burst of 200) are all refused for bytes, none for the device's rate.
    for (int i = 0; i < 300; i++) {
      assertTrue(admission.tryAdmit(DEVICE, large).orElseThrow().detail().startsWith("user byte rate limit"),
          "attempt " + i);
    }
    nanos.addAndGet(Duration.ofMillis(250).toNanos());
    assertEquals(Optional.empty(), admitAndAnswer(admission, DEVICE, large), "the bytes are back");
    assertTrue(admission.tryAdmit(DEVICE, SMALL).isPresent(), "and taken again");
  }

  @Test
  void theNodeBoundOfBytesRefusesWhileFramesOfThatManyBytesAreInFlightAndAdmitsAgainOnceOneIsAnswered() {
    Admission admission = admission(10_000);
    int large = 64 * 1024;
    // 4 MiB: 64 frames of 64 KiB from 64 users (each within its own buckets), none answered yet.
    for (int i = 0; i < 64; i++) {
      assertEquals(Optional.empty(), admission.tryAdmit(new DeviceIdentity("user-" + i, "d"), large));
    }
    Admission.Refused refused = admission.tryAdmit(new DeviceIdentity("user-99", "d"), SMALL).orElseThrow();
    assertEquals(Duration.ofSeconds(1), refused.retryAfter());
    assertTrue(refused.detail().contains(4 * 1024 * 1024 + " bytes waiting for Kafka"), refused.detail());
    assertEquals(64, admission.inFlight(), "the refusal holds no node slot");

    admission.release(large);
    assertEquals(Optional.empty(), admission.tryAdmit(new DeviceIdentity("user-99", "d"), large));
    assertEquals(4 * 1024 * 1024, admission.inFlightBytes());
  }
}
