package io.herald.load;

import io.herald.load.check.CheckResult;
import io.herald.load.report.RunSummary;
import java.nio.file.Path;

/** A finished run: its summary (also written to {@code summary.json}), the checker's full result, and the report. */
public record ScenarioResult(RunSummary summary, CheckResult check, Path reportDirectory) {}
