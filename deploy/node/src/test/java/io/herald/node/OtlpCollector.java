package io.herald.node;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in OpenTelemetry collector: accepts OTLP/HTTP trace exports on loopback and decodes their spans by field
 * number (ExportTraceServiceRequest: resource_spans = 1 > scope_spans = 2 > spans = 2; Span: trace_id = 1,
 * span_id = 2, parent_span_id = 4, name = 5), so the test needs no OTLP classes. What it receives is what the node's
 * real exporter sent.
 */
final class OtlpCollector implements AutoCloseable {

  record ExportedSpan(String traceId, String spanId, String parentSpanId, String name) {}

  private final HttpServer server;
  private final List<byte[]> requests = new CopyOnWriteArrayList<>();

  private OtlpCollector(HttpServer server) {
    this.server = server;
  }

  static OtlpCollector start() throws IOException {
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    var collector = new OtlpCollector(server);
    server.createContext("/v1/traces", exchange -> {
      collector.requests.add(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    return collector;
  }

  String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces";
  }

  List<ExportedSpan> spans() throws InvalidProtocolBufferException {
    var spans = new ArrayList<ExportedSpan>();
    for (var body : requests) {
      for (var resourceSpans : UnknownFieldSet.parseFrom(body).getField(1).getLengthDelimitedList()) {
        for (var scopeSpans : UnknownFieldSet.parseFrom(resourceSpans).getField(2).getLengthDelimitedList()) {
          for (var span : UnknownFieldSet.parseFrom(scopeSpans).getField(2).getLengthDelimitedList()) {
            var fields = UnknownFieldSet.parseFrom(span);
            spans.add(new ExportedSpan(hex(fields, 1), hex(fields, 2), hex(fields, 4),
                fields.getField(5).getLengthDelimitedList().get(0).toStringUtf8()));
          }
        }
      }
    }
    return spans;
  }

  private static String hex(UnknownFieldSet fields, int number) {
    var values = fields.getField(number).getLengthDelimitedList();
    return values.isEmpty() ? "" : HexFormat.of().formatHex(values.get(0).toByteArray());
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
